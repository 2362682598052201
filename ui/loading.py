"""Getting a dataset into the session: samples, uploads, pasted values, typed tables.

Each source becomes a table (``SOURCE_FRAME``) plus reading options (column, shape,
kind, bins); :func:`build_current` turns them into the current ``Empirical``. The
functions take plain values (bytes and a file name, text, a frame), so tests can drive
the same code path as the widgets.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from kl_core import DataError, to_empirical
from kl_core.models import REGISTRY
from kl_core.samples import SAMPLES
from ui import cache, state
from ui.widgets import forget

READING_WIDGETS = ("w_column", "w_shape", "w_weight", "w_kind", "w_bins_mode", "w_bins")
SHAPE_LABELS = {"observations": "observations (one value per row)", "counts": "value + count", "probabilities": "value + probability"}
_SEPARATORS = re.compile(r"[,;\s]+")
MAX_PASTED_CHARS = 2_000_000


# ---------------------------------------------------------------------- guessing
def guess_shape(frame: pd.DataFrame) -> tuple[dict[str, Any], str]:
    """Reading options guessed from a table, and one sentence saying why.

    Two columns whose second is all non-negative numbers and whose first has distinct
    values: a (value, count) table, or (value, probability) when the second sums to ~1.
    Anything else: observations in the first column.

    Examples
    --------
    >>> guess_shape(pd.DataFrame({"teeth": [0, 1, 2], "worms": [2, 3, 5]}))[0]["shape"]
    'counts'
    >>> guess_shape(pd.DataFrame({"t": [1, 2], "p": [0.25, 0.75]}))[0]["shape"]
    'probabilities'
    >>> guess_shape(pd.DataFrame({"x": [1, 1, 2]}))[0]["shape"]
    'observations'
    """
    columns = [str(c) for c in frame.columns]
    options = {"column": columns[0] if columns else "", "shape": "observations", "weight_column": None, "kind": "auto", "bins": "auto"}
    if len(columns) != 2:
        return options, f"{len(columns)} column(s): read as observations, one value per row."
    weights = pd.to_numeric(frame.iloc[:, 1], errors="coerce")
    first = frame.iloc[:, 0].dropna()
    usable = weights.notna().all() and bool((weights >= 0).all()) and len(frame) > 0
    if not usable or not first.is_unique:
        return options, "Two columns, but not a (value, weight) table: read as observations in the first column."
    options["weight_column"] = columns[1]
    if abs(float(weights.sum()) - 1.0) < 1e-3:
        options["shape"] = "probabilities"
        return options, f"Two columns, the second non-negative and summing to ~1: a value + probability table ({columns[1]} = probability)."
    options["shape"] = "counts"
    return options, f"Two columns, distinct values and non-negative numbers: a value + count table ({columns[1]} = count)."


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


def table_from_editor(frame: pd.DataFrame) -> pd.DataFrame:
    """The typed (value, count) grid without its empty rows."""
    table = frame.copy()
    table.columns = [str(c) for c in table.columns]
    blank = table.apply(lambda column: column.isna() | (column.astype(str).str.strip() == ""), axis=0).all(axis=1)
    table = table[~blank].reset_index(drop=True)
    if table.empty:
        raise DataError("The table is empty: type at least one value with its count.")
    first = table.columns[0]
    numbers = pd.to_numeric(table[first].astype(str).str.strip(), errors="coerce")
    if numbers.notna().all():
        table[first] = numbers
    return table


# ---------------------------------------------------------------------- sources
def set_source(frame: pd.DataFrame, source_id: str, name: str, description: str, options: dict[str, Any] | None = None) -> None:
    """Make ``frame`` the table the dataset is read from, with guessed (or given) reading options."""
    guessed, why = guess_shape(frame)
    state.put(state.SOURCE_FRAME, frame)
    state.put(state.SOURCE_ID, source_id)
    state.put(state.DATASET_NAME, name)
    state.put(state.DATASET_SOURCE, description)
    state.put(state.READ_OPTIONS, {**guessed, **(options or {})})
    state.put(state.READ_GUESS, why)
    state.put(state.READ_ORIGIN, None)
    state.put(state.READ_ERROR, None)
    forget(*READING_WIDGETS)
    build_current()



def load_sample(key: str) -> None:
    """Load one of ``kl_core.samples.SAMPLES`` and tick its models."""
    sample = SAMPLES[key]
    options = {"column": sample.column, "shape": sample.shape, "weight_column": sample.weight_column, "kind": "auto", "bins": "auto"}
    set_source(sample.frame(), f"sample:{key}", sample.title, f"Sample: {sample.description}", options)
    emp = state.emp()
    if emp is not None:
        requests = [(m, {}) if isinstance(m, str) else (m[0], dict(m[1])) for m in sample.models]
        state.put(state.MODEL_REQUESTS, [(n, o) for n, o in requests if n in REGISTRY and REGISTRY[n].why_not(emp, o) is None])


def load_upload(data: bytes, filename: str, sheet: str | None = None) -> str | None:
    """Read an uploaded file (a workbook's ``sheet``, or the one it opens on) and make it the source;
    the error message, or None when it worked.

    The same file again (same sha256) is not read twice.
    """
    sha = cache.digest(data) + (f":{sheet}" if sheet is not None else "")
    if state.get(state.SOURCE_ID) == f"upload:{sha}":
        return None
    failed = state.get(state.UPLOAD_ERROR)
    if failed and failed[0] == sha:
        return failed[1]
    try:
        frame = cache.read_upload(data, filename, sheet)
    except (DataError, ValueError) as error:
        message = f"Could not read {filename}: {error}"
        state.put(state.UPLOAD_ERROR, (sha, message))
        return message
    state.put(state.UPLOAD_ERROR, None)
    notes = " ".join(frame.attrs.get("warnings", []))  # which sheet was read, skipped lines...
    set_source(frame, f"upload:{sha}", filename, f"Uploaded file {filename} ({len(frame):,} rows)" + (f". {notes}" if notes else ""))
    return None


def load_pasted(text: str) -> str | None:
    """Pasted values as observations; the error message, or None."""
    try:
        frame = parse_pasted(text)
    except (DataError, ValueError) as error:
        return str(error)
    set_source(frame, f"pasted:{cache.digest(text.encode())}", "Pasted values", f"{len(frame):,} pasted values")
    return None


def load_table(frame: pd.DataFrame) -> str | None:
    """A typed (value, count) grid; the error message, or None."""
    try:
        table = table_from_editor(frame)
    except (DataError, ValueError) as error:
        return str(error)
    content = table.to_csv(index=False).encode()
    set_source(table, f"table:{cache.digest(content)}", "Typed table", f"A typed table of {len(table):,} rows")
    return None


# ----------------------------------------------------------------------- reading
def reading_arguments(options: dict[str, Any]) -> dict[str, Any]:
    """Reading options as ``to_empirical`` keyword arguments ("auto" means None)."""
    shape = options.get("shape", "observations")
    bins = options.get("bins", "auto")
    return {
        "column": options.get("column"),
        "shape": shape,
        "weight_column": options.get("weight_column") if shape != "observations" else None,
        "kind": None if options.get("kind", "auto") == "auto" else options["kind"],
        "bins": None if bins in (None, "auto") else int(bins),
    }


def build_current() -> None:
    """Rebuild the current Empirical when the source or the reading options changed."""
    frame = state.get(state.SOURCE_FRAME)
    options = state.get(state.READ_OPTIONS)
    if frame is None or options is None:
        return
    origin = (state.get(state.SOURCE_ID), tuple(sorted((k, str(v)) for k, v in options.items())))
    if origin == state.get(state.READ_ORIGIN):
        return
    state.put(state.READ_ORIGIN, origin)
    arguments = reading_arguments(options)
    source_id = str(state.get(state.SOURCE_ID))
    name = state.get(state.DATASET_NAME) if source_id.startswith("sample:") else str(arguments["column"])
    try:
        emp = to_empirical(frame, name=name, **arguments)
    except (DataError, ValueError) as error:
        state.put(state.READ_ERROR, str(error))
        state.clear_dataset()
        return
    state.put(state.READ_ERROR, None)
    state.set_dataset(emp, state.get(state.DATASET_NAME), state.get(state.DATASET_SOURCE))

