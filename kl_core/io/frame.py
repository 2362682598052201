"""What every format shares: the size limits, the checks on a finished table, clean column names, and
reading one column as numbers (:func:`numeric_column`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kl_core.errors import DataError
from kl_core.vocabulary import MISSING_TEXT

__all__ = [
    "AGGREGATE_ADVICE",
    "DECIMAL_COMMA_COLUMN",
    "EMPTY_FILE_MESSAGE",
    "Limits",
    "MISSING_TEXT",
    "SUPPORTED_FORMATS",
    "THOUSANDS_LIKE",
    "numeric_column",
]

SUPPORTED_FORMATS = (
    "delimited text (.csv, .tsv, .txt, .dat), Excel (.xlsx), "
    "Parquet (.parquet, .pq), JSON (.json) and JSON Lines (.jsonl)"
)
EMPTY_FILE_MESSAGE = (
    "The file is empty. Upload a file with a header row and at least one row of values."
)
AGGREGATE_ADVICE = (
    "Aggregate the data to a (value, count) table -- one row per distinct value "
    "with how often it occurs -- or upload a random sample."
)
DECIMAL_COMMA_COLUMN = r"[+-]?\d+(?:,\d+)?"
THOUSANDS_LIKE = r"[+-]?[1-9]\d{0,2},\d{3}"  # 1,000: a decimal comma or a thousands separator?



@dataclass(frozen=True)
class Limits:
    """Caps on what :func:`read_table` accepts."""

    max_bytes: int
    max_rows: int
    max_columns: int
    max_cell_chars: int



def numeric_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return one column of ``frame`` as float64 numbers.

    Empty cells, NaN and the texts ``nan``, ``NA``, ``N/A``, ``null`` and
    ``None`` become NaN.  Text cells are stripped of surrounding blanks; a
    column whose every value looks like ``3,5`` or ``12`` (decimal comma) is
    read with a decimal comma.

    Row numbers in messages count data rows from 1: row 1 is the first row of
    values (the row under the header), i.e. position 0 of ``frame``.

    Parameters
    ----------
    frame
        A table, typically from :func:`read_table`.
    column
        The column's name.

    Returns
    -------
    numpy.ndarray
        float64 values, NaN where a cell is empty.

    Raises
    ------
    DataError
        When the column does not exist, or some non-empty cells are not numbers.

    Examples
    --------
    >>> numeric_column(pd.DataFrame({"teeth": ["12", " 14 ", "", "NA"]}), "teeth")
    array([12., 14., nan, nan])
    >>> numeric_column(pd.DataFrame({"weight": ["3,5", "4", None]}), "weight")
    array([3.5, 4. , nan])
    >>> numeric_column(pd.DataFrame({"n": ["12", "ten"]}), "n")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: column 'n' has 1 value that is not a number, first at row 2: 'ten'. ...
    """
    if column not in frame.columns:
        known = ", ".join(repr(str(name)) for name in frame.columns)
        raise DataError(f"There is no column named {column!r}. The columns are: {known}.")
    values = frame[column]
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    return _text_as_numbers(values, column)




def _check_byte_size(data: bytes, limits: Limits) -> None:
    if len(data) > limits.max_bytes:
        raise DataError(
            f"The file is {_human_size(len(data))}; the limit is "
            f"{_human_size(limits.max_bytes)}. {AGGREGATE_ADVICE}"
        )


def _human_size(size: int) -> str:
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"



def _check_frame(frame: pd.DataFrame, limits: Limits) -> None:
    if frame.shape[1] == 0:
        raise DataError(
            "The file has no columns. Upload a table with a header row and rows of values."
        )
    _check_column_count(frame.shape[1], limits)
    if frame.shape[0] > limits.max_rows:
        raise DataError(
            f"The file has {frame.shape[0]:,} rows; the limit is {limits.max_rows:,}. "
            f"{AGGREGATE_ADVICE}"
        )
    if frame.shape[0] == 0:
        header = ", ".join(map(str, frame.columns[:10]))
        raise DataError(
            f"The file has a header row ({header}) but no rows of values. "
            "Add at least one row of values under the header."
        )
    _check_cell_lengths(frame, limits)


def _check_column_count(count: int, limits: Limits) -> None:
    if count > limits.max_columns:
        raise DataError(
            f"The file has {count} columns; the limit is {limits.max_columns}. "
            "Keep only the columns you need, or put the values in one long column."
        )


def _check_cell_lengths(frame: pd.DataFrame, limits: Limits) -> None:
    for name in frame.columns:
        longest = max(len(name), _longest_text(frame[name]))
        if longest > limits.max_cell_chars:
            raise DataError(
                f"Column {name!r} has a cell with {longest:,} characters; the limit is "
                f"{limits.max_cell_chars:,}. Check the delimiter and quotes "
                "(an unclosed quote swallows the rest of the file), or shorten the cell."
            )


def _longest_text(values: pd.Series) -> int:
    if pd.api.types.is_string_dtype(values) and values.dtype != object:
        return int(values.str.len().max(skipna=True) if values.notna().any() else 0)
    if values.dtype == object:
        return max((len(cell) for cell in values if isinstance(cell, str)), default=0)
    return 0




def _default_column_names(count: int) -> list[str]:
    if count == 1:
        return ["value"]
    return [f"column_{position}" for position in range(1, count + 1)]


def _clean_column_names(raw_names: Sequence[object]) -> list[str]:
    names = [
        _name_text(name).strip() or f"column_{position}"
        for position, name in enumerate(raw_names, start=1)
    ]
    return _make_unique(names)


def _name_text(name: object) -> str:
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return ""
    if isinstance(name, float) and name.is_integer():
        return str(int(name))
    return str(name)


def _make_unique(names: Sequence[str]) -> list[str]:
    taken: set[str] = set()
    unique: list[str] = []
    for name in names:
        candidate, suffix = name, 1
        while candidate in taken:
            suffix += 1
            candidate = f"{name}_{suffix}"
        taken.add(candidate)
        unique.append(candidate)
    return unique


def _finish_frame(frame: pd.DataFrame, raw_names: Sequence[object]) -> pd.DataFrame:
    """Give ``frame`` clean names, a RangeIndex and numeric dtypes where every cell is a number."""
    frame = frame.reset_index(drop=True)
    frame.columns = _clean_column_names(raw_names)
    for name in frame.columns:
        _reject_nested_cells(frame[name], name)
        frame[name] = _tidy_text_column(frame[name])
    return frame


def _reject_nested_cells(values: pd.Series, column: str) -> None:
    """A cell holding a list, an object or an array (nested JSON, Parquet lists/structs) is not a table cell."""
    if values.dtype != object:
        return
    nested = values.map(lambda cell: isinstance(cell, (dict, list, tuple, set, np.ndarray))).to_numpy(dtype=bool)
    if nested.any():
        first = int(np.flatnonzero(nested)[0])
        kind = "an object" if isinstance(values.iloc[first], dict) else "a list"
        shown = repr(values.iloc[first])
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise DataError(
            f"Column {column!r} holds nested data ({kind}) at row {first + 1}: {shown}. Every cell must be a "
            "single number, text, true/false or empty. Flatten the data into one column per field, "
            "or export it as CSV."
        )


def _tidy_text_column(values: pd.Series) -> pd.Series:
    """Strip text cells and make the column numeric when every non-empty cell is a number."""
    if values.dtype == object:
        values = values.infer_objects()
    if pd.api.types.is_string_dtype(values) and values.dtype != object:
        values = values.str.strip()
        values = values.mask(values == "")
    if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
        return values
    if values.dtype == object and values.map(lambda cell: isinstance(cell, bool)).any():
        return values  # True/False with gaps: to_numeric would turn them into 1/0
    try:
        return pd.to_numeric(values)
    except (ValueError, TypeError, OverflowError):
        grouped = _grouped_numbers(values)
        return values if grouped is None else grouped


# Numbers written with digit grouping whose reading is certain: "1 000" and "1'000" (a blank or
# an apostrophe cannot be a decimal mark), "1.000,5" and "1,000.5" (both marks: the last one is
# the decimal mark), "1.000.000" and "1,000,000" (a decimal mark cannot come twice).
# A lone "1,000" or "1.000" stays ambiguous and is left alone.
_GROUPINGS = (
    (re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f'\u2019]\d{3})+(?:[.,]\d+)?"), re.compile(r"[+-]?\d+(?:[.,]\d+)?"),
     "[ \u00a0\u202f'\u2019]", None),
    (re.compile(r"[+-]?\d{1,3}(?:(?:\.\d{3})+,\d+|(?:\.\d{3}){2,})"), re.compile(r"[+-]?\d{1,3}(?:\.\d{3})*(?:,\d+)?"), r"\.", ","),
    (re.compile(r"[+-]?\d{1,3}(?:(?:,\d{3})+\.\d+|(?:,\d{3}){2,})"), re.compile(r"[+-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?"), ",", "."),
)


def _grouped_numbers(values: pd.Series) -> pd.Series | None:
    """A text column of digit-grouped numbers as numbers, or None when it is not one.

    Examples
    --------
    >>> _grouped_numbers(pd.Series(["1 000", "2 500", None])).tolist()
    [1000.0, 2500.0, nan]
    >>> _grouped_numbers(pd.Series(["1.000,5", "2.000,25", "7"])).tolist()
    [1000.5, 2000.25, 7.0]
    >>> _grouped_numbers(pd.Series(["1,000", "2,000"])) is None  # a decimal comma or grouping? not certain
    True
    >>> _grouped_numbers(pd.Series(["1.000.000", "2.500", "7"])).tolist()  # two dots: grouping, in every cell
    [1000000.0, 2500.0, 7.0]
    >>> _grouped_numbers(pd.Series(["1'000", "2'500.5"])).tolist()
    [1000.0, 2500.5]
    """
    text = values.dropna().astype(str).str.strip()
    if text.empty:
        return None
    for telling, allowed, group, decimal in _GROUPINGS:
        grouped = text.str.fullmatch(telling)
        if grouped.any() and (grouped | text.str.fullmatch(allowed)).all():
            plain = values.astype("string").str.strip().str.replace(group, "", regex=True)
            plain = plain.str.replace(",", ".", regex=False) if decimal in (",", None) else plain
            return pd.to_numeric(plain).astype(float)
    return None


def _text_as_numbers(values: pd.Series, column: str) -> np.ndarray:
    text = values.astype("str").str.strip()
    missing = text.isna() | text.str.lower().isin(MISSING_TEXT)
    present = text[~missing]
    if present.str.fullmatch(DECIMAL_COMMA_COLUMN).all() and present.str.contains(",").any():
        with_comma = present[present.str.contains(",", regex=False)]
        if with_comma.str.fullmatch(THOUSANDS_LIKE).all():
            raise DataError(
                f"column {column!r} has numbers such as {with_comma.iloc[0]!r} whose comma could be a decimal "
                f"mark or a thousands separator. Remove the thousands separators (write 1000), or write "
                "decimals with a point (1.5)."
            )
        text = text.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text.where(~missing), errors="coerce")
    not_numbers = np.flatnonzero((~missing & numbers.isna()).to_numpy())
    if not_numbers.size:
        raise DataError(_not_numbers_message(column, values, not_numbers))
    return numbers.to_numpy(dtype=np.float64, na_value=np.nan)


def _not_numbers_message(column: str, values: pd.Series, positions: np.ndarray) -> str:
    first = positions[0]
    count = (
        "1 value that is not a number"
        if positions.size == 1
        else f"{positions.size} values that are not numbers"
    )
    return (
        f"column {column!r} has {count}, first at row {first + 1}: "
        f"{str(values.iloc[first])!r}. Fix or remove those cells, "
        "or treat the column as categories."
    )
