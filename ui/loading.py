"""Getting a dataset into the session: samples, uploads, pasted values, typed tables.

Each source becomes a table (``SOURCE_FRAME``) plus reading options (column, shape,
kind, bins); :func:`build_current` turns them into the current ``Empirical``. The
functions take plain values (bytes and a file name, text, a frame), so tests can drive
the same code path as the widgets.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kl_core import DataError, to_empirical, vocabulary
from kl_core.io import shape
from kl_core.io.shape import parse_pasted
from kl_core.samples import SAMPLES
from ui import cache, state
from ui.requests import usable_requests
from ui.text import escape_markdown
from ui.widgets import forget

READING_WIDGETS = ("w_column", "w_shape", "w_weight", "w_kind", "w_bins_mode", "w_bins")
SHAPE_LABELS = {"observations": "observations (one value per row)", "counts": "value + count", "probabilities": "value + probability"}
MAX_PASTED_CHARS = shape.MAX_PASTED_CHARS
_READING_KEYS = ("column", "shape", "weight_column")


# ---------------------------------------------------------------------- typed tables
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
def set_source(frame: pd.DataFrame, source_id: str, name: str, description: str, options: dict[str, Any] | None = None,
               guess: shape.Guess | None = None) -> None:
    """Make ``frame`` the table the dataset is read from, with guessed (or given) reading options."""
    guess = guess or shape.guess_reading(frame)
    state.put(state.SOURCE_FRAME, frame)
    state.put(state.SOURCE_ID, source_id)
    state.put(state.DATASET_NAME, name)
    state.put(state.DATASET_SOURCE, description)
    state.put(state.READ_OPTIONS, {**guess.options, **(options or {})})
    state.put(state.READ_GUESS, guess)
    state.put(state.READ_ORIGIN, None)
    state.put(state.READ_ERROR, None)
    forget(*READING_WIDGETS)
    build_current()



def load_sample(key: str) -> None:
    """Load one of ``kl_core.samples.SAMPLES`` and tick its models."""
    sample = SAMPLES[key]
    options = {"column": sample.column, "shape": sample.shape, "weight_column": sample.weight_column, "kind": "auto", "bins": "auto"}
    set_source(sample.frame(), f"{vocabulary.SAMPLE_PREFIX}{key}", sample.title, f"Sample: {sample.description}", options)
    emp = state.emp()
    if emp is not None:
        requests = [(m, {}) if isinstance(m, str) else (m[0], dict(m[1])) for m in sample.models]
        state.put(state.MODEL_REQUESTS, usable_requests(requests, emp))


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
    frame, message = read_upload(data, filename, sheet)
    if frame is None:
        state.put(state.UPLOAD_ERROR, (sha, message))
        return message
    state.put(state.UPLOAD_ERROR, None)
    notes = " ".join(frame.attrs.get("warnings", []))  # which sheet was read, skipped lines...
    set_source(frame, f"upload:{sha}", filename, f"Uploaded file {filename} ({len(frame):,} rows)" + (f". {notes}" if notes else ""))
    return None


def read_upload(data: bytes, filename: str, sheet: str | None = None) -> tuple[pd.DataFrame | None, str | None]:
    """An uploaded file as a table (read in a bounded worker, cached), or None and the message saying why not.

    The one reading path for uploads: the Data page's dataset and the Models page's second dataset.
    """
    try:
        return cache.read_upload(data, filename, sheet), None
    except (DataError, ValueError) as error:
        return None, f"Could not read {filename}: {error}"


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
        "drop_text": bool(options.get("drop_text", False)),
    }


def use_reading(chosen: dict[str, Any]) -> None:
    """Read the source as ``chosen`` says (column, shape, weight column); the one-click switch on the Data page."""
    options = state.get(state.READ_OPTIONS)
    if options is None:
        return
    state.put(state.READ_OPTIONS, {**options, **{k: chosen.get(k) for k in _READING_KEYS}, "kind": "auto", "bins": "auto"})
    forget(*READING_WIDGETS)
    build_current()


def same_reading(options: dict[str, Any], other: dict[str, Any] | None) -> bool:
    """Whether two readings use the same column, shape and weight column."""
    if other is None:
        return False
    weight = (lambda o: o.get("weight_column") if o.get("shape", "observations") != "observations" else None)
    return options.get("column") == other.get("column") and options.get("shape") == other.get("shape") and weight(options) == weight(other)


def text_in_numbers(frame: pd.DataFrame, options: dict[str, Any]) -> tuple[int, list[str]]:
    """How many rows hold text in the value (or weight) column of numbers, and a few of those texts."""
    if frame.attrs.get("server_file") is not None:  # only the file's first rows are here; the file is read whole or not at all
        return 0, []
    columns = [options.get("column")]
    if options.get("shape", "observations") != "observations":
        columns.append(options.get("weight_column"))
    count, examples = 0, []
    rows = pd.Series(False, index=frame.index)
    for column in (c for c in columns if c in frame.columns):
        mask, found = shape.text_cells(frame[column])
        rows |= mask
        examples += found
    count = int(rows.sum())
    return count, list(dict.fromkeys(examples))[:3]


def drop_text_rows() -> None:
    """Read the source again, leaving out the rows with text in a column of numbers (counted in ``dropped``)."""
    options = state.get(state.READ_OPTIONS)
    if options is not None:
        state.put(state.READ_OPTIONS, {**options, "drop_text": True})
        build_current()


def build_current() -> None:
    """Rebuild the current Empirical when the source or the reading options changed."""
    frame = state.get(state.SOURCE_FRAME)
    options = state.get(state.READ_OPTIONS)
    if frame is None or options is None:
        return
    origin = (state.get(state.SOURCE_ID), tuple(sorted((k, str(v)) for k, v in options.items())))
    if origin == state.get(state.READ_ORIGIN):
        return
    arguments = reading_arguments(options)
    source_id = str(state.get(state.SOURCE_ID))
    name = state.get(state.DATASET_NAME) if source_id.startswith(vocabulary.SAMPLE_PREFIX) else str(arguments["column"])
    try:
        if frame.attrs.get("server_file") is not None:  # the first rows of a server-folder file: read the whole file
            from ui import server_folder  # here, not at the top: server_folder builds on this module

            emp = server_folder.read(frame, name, arguments)
        else:
            emp = to_empirical(frame, name=name, **arguments)
    except (DataError, ValueError) as error:
        state.put(state.READ_ORIGIN, origin)
        state.put(state.READ_ERROR, str(error))
        state.clear_dataset()
        return
    state.put(state.READ_ORIGIN, origin)  # only once read: a run stopped mid-reading (a click) leaves it to the next run
    state.put(state.READ_ERROR, None)
    state.set_dataset(emp, state.get(state.DATASET_NAME), state.get(state.DATASET_SOURCE))



def with_code_names(text: str) -> str:
    """Markdown for a sentence that quotes names in backticks (``Reading `x`…``): the names as code, the rest escaped.

    A name is shown exactly as typed inside its code span; a sentence whose backticks do
    not pair up is escaped whole.

    Examples
    --------
    >>> print(with_code_names("Reading `a_b`, one row each."))
    Reading `a_b`, one row each\\.
    """
    parts = str(text).split("`")
    if len(parts) % 2 == 0:
        return escape_markdown(text)
    return "".join(escape_markdown(part) if index % 2 == 0 else f"`{part}`" for index, part in enumerate(parts))
