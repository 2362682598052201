"""How a table is meant to be read: which column holds the values, and in what shape.

One copy of the reading heuristics, used by the app's Data page and by the CLI:

* an **index** column (distinct, evenly spaced whole numbers: a year, an id, a row
  number) is never the values, nor the value column of a frequency table;
* a **frequency table** is guessed only when its value column is distinct and not an
  index, and the other column holds non-negative whole counts (or probabilities summing
  to 1);
* anything else is observations, one per row, of the first column that is not an index.

Each guess comes with a sentence and its reason, and with one alternative reading a
single click can switch to. Pasted text and cells that are text in a column of numbers
are read here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kl_core.errors import DataError
from kl_core.io import MISSING_TEXT

__all__ = [
    "INDEX_NAMES",
    "MAX_PASTED_CHARS",
    "Guess",
    "dates_reason",
    "describe",
    "drop_text_rows",
    "guess_reading",
    "guess_shape",
    "index_reason",
    "parse_pasted",
    "text_cells",
]

MAX_PASTED_CHARS = 2_000_000
# Names that say a column numbers the rows rather than measuring anything.
INDEX_NAMES = re.compile(r"^(?:id|.*_id|index|idx|row|rownum|row_?number|no|nr|num|#|year|yr|date|day|week|month|time|t|unnamed: ?\d+)$",
                         re.IGNORECASE)
_MIN_INDEX_ROWS = 3
_SEPARATORS = re.compile(r"[,;\s]+")
_MAX_EXAMPLES = 3


@dataclass(frozen=True)
class Guess:
    """A reading of a table: the options for ``to_empirical``, why, and one other reading.

    Attributes
    ----------
    options : dict
        ``column``, ``shape``, ``weight_column``, ``kind`` ("auto"), ``bins`` ("auto").
    sentence : str
        What is read, e.g. "Reading `discoveries`, one observation per row".
    reason : str
        Why, e.g. "`year` looks like an index: 1860–1959, one row each" ("" when obvious).
    alternative : dict or None
        The other plausible reading's options (one click switches to it).
    """

    options: dict[str, Any]
    sentence: str
    reason: str = ""
    alternative: dict[str, Any] | None = field(default=None)

    @property
    def text(self) -> str:
        """The sentence and its reason as one line."""
        return f"{self.sentence}; {self.reason}." if self.reason else f"{self.sentence}."


def _options(column: str, shape: str = "observations", weight_column: str | None = None) -> dict[str, Any]:
    return {"column": column, "shape": shape, "weight_column": weight_column, "kind": "auto", "bins": "auto"}


def index_reason(values: pd.Series, name: str) -> str | None:
    """Why column ``name`` is an index (distinct, evenly spaced whole numbers), or None.

    Evenly spaced distinct whole numbers are an index when the name says so (``id``,
    ``year``, ``row``…) or when they start past the number of rows (a year, a numbered
    id). ``0, 1, …, K`` under another name stays a possible value column: the values of
    a frequency table often run like that.

    Examples
    --------
    >>> index_reason(pd.Series(range(1860, 1960)), "year")
    '`year` looks like an index: 1860–1959, one row each'
    >>> index_reason(pd.Series(range(11)), "teeth") is None
    True
    >>> index_reason(pd.Series([3, 1, 2]), "id")
    '`id` looks like an index: 1–3, one row each'
    """
    if len(values) < _MIN_INDEX_ROWS or not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    if not np.isfinite(numbers).all() or not np.array_equal(numbers, np.round(numbers)):
        return None
    ordered = np.sort(numbers)
    steps = np.diff(ordered)
    if steps[0] <= 0 or not np.all(steps == steps[0]):
        return None
    if not (INDEX_NAMES.match(name.strip()) or ordered[0] > len(numbers)):
        return None
    step = "" if steps[0] == 1 else f" in steps of {steps[0]:g}"
    return f"`{name}` looks like an index: {ordered[0]:g}–{ordered[-1]:g}{step}, one row each"


def dates_reason(values: pd.Series, name: str) -> str | None:
    """Why column ``name`` labels the rows with dates or times rather than measuring something, or None.

    Examples
    --------
    >>> import datetime
    >>> dates_reason(pd.Series([datetime.date(1980, 1, 3), datetime.date(1990, 12, 31)]), "Date")
    '`Date` holds dates or times (1980-01-03 to 1990-12-31), which label the rows'
    >>> dates_reason(pd.Series([1.5, 2.0]), "Loss") is None
    True
    """
    from kl_core.empirical import _is_temporal  # the one test of what counts as a date or a time

    if not _is_temporal(values):  # first: a numeric column is answered by its dtype, never copied
        return None
    present = values.dropna()
    try:
        span = f" ({present.min()} to {present.max()})"
    except TypeError:  # dates mixed with times do not order
        span = ""
    return f"`{name}` holds dates or times{span}, which label the rows"


def _weights_kind(values: pd.Series) -> str | None:
    """'probabilities' (non-negative, sum ≈ 1), 'counts' (non-negative whole numbers), or None."""
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values) or len(values) == 0:
        return None
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    if not np.isfinite(numbers).all() or (numbers < 0).any():
        return None
    if abs(float(numbers.sum()) - 1.0) < 1e-3:
        return "probabilities"
    return "counts" if np.array_equal(numbers, np.round(numbers)) and numbers.sum() > 0 else None


def guess_reading(frame: pd.DataFrame) -> Guess:
    """The most plausible reading of ``frame``, with its reason and one alternative.

    Examples
    --------
    >>> years = pd.DataFrame({"year": range(1860, 1960), "discoveries": [3] * 100})
    >>> guess_reading(years).text
    'Reading `discoveries`, one observation per row; `year` looks like an index: 1860–1959, one row each.'
    >>> guess_reading(pd.DataFrame({"teeth": [0, 1, 2], "worms": [2, 3, 5]})).options["shape"]
    'counts'
    >>> guess_reading(pd.DataFrame({"t": [1, 2], "p": [0.25, 0.75]})).options["shape"]
    'probabilities'
    >>> guess_reading(pd.DataFrame({"id": [1, 2, 3], "weight": [2, 3, 5]})).options["column"]
    'weight'
    >>> guess_reading(pd.DataFrame({"Date": pd.to_datetime(["1980-01-03", "1980-01-04"]), "Loss": [1.7, 2.1]})).options["column"]
    'Loss'
    """
    columns = [str(c) for c in frame.columns]
    if not columns:
        return Guess(_options(""), "Nothing to read: the table has no columns")
    indexes = {c: why for c in columns if (why := index_reason(frame[c], c) or dates_reason(frame[c], c)) is not None}
    if len(columns) == 2 and not indexes:
        value, weight = columns
        kind = _weights_kind(frame[weight])
        if kind is not None and frame[value].dropna().is_unique:
            what = "count" if kind == "counts" else "probability"
            holds = "non-negative whole numbers" if kind == "counts" else "non-negative numbers summing to 1"
            return Guess(
                _options(value, kind, weight),
                f"Reading `{value}` as a value + {what} table (`{weight}` = {what})",
                f"`{value}` has distinct values and `{weight}` holds {holds}",
                _options(weight),
            )
    candidates = [c for c in columns if c not in indexes] or columns
    column = candidates[0]
    skipped = [why for c, why in indexes.items() if columns.index(c) < columns.index(column)]
    alternative = _other_reading(frame, column, columns, indexes)
    return Guess(_options(column), f"Reading `{column}`, one observation per row", "; ".join(skipped), alternative)


def _other_reading(frame: pd.DataFrame, column: str, columns: list[str], indexes: dict[str, str]) -> dict[str, Any] | None:
    """The reading a click offers instead of observations of ``column``."""
    others = [c for c in columns if c != column]
    if len(columns) == 2:
        other = others[0]
        kind = _weights_kind(frame[column])
        if kind is not None and frame[other].dropna().is_unique:
            return _options(other, kind, column)  # e.g. (year, discoveries) as years weighted by discoveries
        return _options(other)
    return _options(others[0]) if others else None


def describe(options: dict[str, Any]) -> str:
    """A reading's options as a short phrase, for the button that switches to it.

    Examples
    --------
    >>> describe({"column": "year", "shape": "counts", "weight_column": "discoveries"})
    'a value + count table of `year` (`discoveries` = count)'
    >>> describe({"column": "worms", "shape": "observations"})
    '`worms`, one observation per row'
    """
    if options.get("shape", "observations") == "observations":
        return f"`{options['column']}`, one observation per row"
    what = "count" if options["shape"] == "counts" else "probability"
    return f"a value + {what} table of `{options['column']}` (`{options['weight_column']}` = {what})"


def guess_shape(frame: pd.DataFrame) -> tuple[dict[str, Any], str]:
    """Reading options guessed from a table, and one line saying why (see :func:`guess_reading`).

    Examples
    --------
    >>> guess_shape(pd.DataFrame({"x": [1, 1, 2]}))
    ({'column': 'x', 'shape': 'observations', 'weight_column': None, 'kind': 'auto', 'bins': 'auto'}, 'Reading `x`, one observation per row.')
    """
    guess = guess_reading(frame)
    return guess.options, guess.text


def parse_pasted(text: str) -> pd.DataFrame:
    """Pasted numbers or labels (separated by commas, semicolons, spaces or newlines) as a one-column table.

    Examples
    --------
    >>> parse_pasted("1, 2 2\\n3")["value"].tolist()
    [1.0, 2.0, 2.0, 3.0]
    >>> parse_pasted("H T H")["value"].tolist()
    ['H', 'T', 'H']
    """
    if len(text) > MAX_PASTED_CHARS:
        raise DataError(f"The pasted text is longer than {MAX_PASTED_CHARS:,} characters; upload it as a file instead.")
    tokens = [t for t in _SEPARATORS.split(text.strip()) if t]
    if not tokens:
        raise DataError("Nothing to read: paste numbers or labels separated by commas, spaces or new lines.")
    numbers = pd.to_numeric(pd.Series(tokens), errors="coerce")
    column = numbers.astype(float) if numbers.notna().all() else pd.Series(tokens, dtype=object)
    return pd.DataFrame({"value": column})


def text_cells(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Where a column of numbers holds text, and up to three examples of that text.

    Empty cells and missing-value words (``NA``, ``null``…) are not text here; numbers
    with a decimal comma are numbers. A column that is mostly text (categories) has no
    text cells in this sense: it is read as labels.

    Examples
    --------
    >>> mask, examples = text_cells(pd.Series(["1", "2", "ten", "NA", "3,5", "?"]))
    >>> mask.tolist(), examples
    ([False, False, True, False, False, True], ['ten', '?'])
    >>> text_cells(pd.Series(["H", "T", "1"]))[0].any()
    np.False_
    """
    none = np.zeros(len(values), dtype=bool)
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return none, []
    text = values.astype("string").str.strip()
    missing = (text.isna() | text.str.lower().isin(MISSING_TEXT)).to_numpy(dtype=bool)
    numbers = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").notna().to_numpy(dtype=bool)
    bad = ~missing & ~numbers
    present = int((~missing).sum())
    if not bad.any() or bad.sum() * 2 > present:
        return none, []
    examples = list(dict.fromkeys(str(cell) for cell in text[bad].head(50)))[:_MAX_EXAMPLES]
    return bad, examples


def drop_text_rows(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, str, int]:
    """``frame`` without the rows whose cell in ``columns`` is text amid numbers, the reason, and how many.

    The reason names up to three of the texts, for ``Empirical.dropped``.

    Examples
    --------
    >>> kept, reason, count = drop_text_rows(pd.DataFrame({"n": ["1", "ten", "2", "3"]}), ["n"])
    >>> kept["n"].tolist(), reason, count
    (['1', '2', '3'], "text in a number column (e.g. 'ten')", 1)
    """
    bad = np.zeros(len(frame), dtype=bool)
    examples: list[str] = []
    for column in dict.fromkeys(columns):
        if column in frame.columns:
            mask, found = text_cells(frame[column])
            bad |= mask
            examples += found
    shown = ", ".join(repr(text) for text in list(dict.fromkeys(examples))[:_MAX_EXAMPLES])
    reason = f"text in a number column (e.g. {shown})"
    return (frame[~bad].reset_index(drop=True), reason, int(bad.sum())) if bad.any() else (frame, reason, 0)
