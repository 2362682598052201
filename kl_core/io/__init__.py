"""Reading uploaded tables.

This module owns the step from "the bytes of a file a person uploaded" to a
``pandas.DataFrame``: choosing the format from the file name, finding the text
encoding, delimiter, decimal mark and header of delimited text, enforcing the
size limits, tidying column names, and turning every problem into a
:class:`~kl_core.errors.DataError` whose message says what is wrong and what
to do about it.  It also owns :func:`numeric_column`, which reads one column
as float64 numbers and names the cells that are not numbers.

Supported formats, chosen by the (case-insensitive) file extension:

* ``.csv``, ``.tsv``, ``.txt``, ``.dat`` -- delimited text (sniffed);
* ``.xlsx`` -- Excel workbook (first non-empty sheet);
* ``.parquet``, ``.pq`` -- Parquet;
* ``.json`` -- records, columns or a plain list of values; ``.jsonl`` -- JSON Lines.

Any other extension is read as delimited text when the bytes are text.

The package, one module per job: ``frame`` (limits, checks on the finished table, column
names, :func:`numeric_column`), ``sniffing`` (binary signatures, encodings, the layout of
delimited text), ``delimited``, ``excel``, ``parquet``, ``json_reader`` (one reader per format); ``bounded`` and ``worker``
(:func:`read_table_bounded`: the same read in a worker process with memory and time
caps, for bytes from outside).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

import pandas as pd

from kl_core.errors import DataError
from kl_core.io.delimited import _read_delimited, _read_unknown_format
from kl_core.io.excel import _read_xlsx
from kl_core.io.json_reader import _read_json, _read_json_lines
from kl_core.io.parquet import _read_parquet
from kl_core.io.sniffing import _is_blank
from kl_core.io.frame import _check_byte_size, _check_frame
from kl_core.io.bounded import read_table_bounded
from kl_core.io.frame import (  # re-exported: the names kl_core.io has always had
    AGGREGATE_ADVICE,
    DECIMAL_COMMA_COLUMN,
    EMPTY_FILE_MESSAGE,
    Limits,
    MISSING_TEXT,
    SUPPORTED_FORMATS,
    THOUSANDS_LIKE,
    numeric_column,
)
from kl_core.io.sniffing import (  # re-exported: the names kl_core.io has always had
    BINARY_SIGNATURES,
    BYTE_ORDER_MARKS,
    CONTROL_CHARACTERS,
    DECIMAL_COMMA_NUMBER,
    DELIMITERS,
    DELIMITER_MIN_FIT,
    DOT_DECIMAL_NUMBER,
    FALLBACK_ENCODINGS,
    LONGEST_FIRST_LINE_BYTES,
    NO_DELIMITER,
    NUMBER_PATTERN,
    SNIFF_BYTES,
    SNIFF_ROWS,
    SampleRow,
    TextLayout,
    TextSample,
    WHITESPACE,
)
from kl_core.io.delimited import (  # re-exported: the names kl_core.io has always had
    FIELD_COUNT_ERROR,
)
from kl_core.io.excel import (  # re-exported: the names kl_core.io has always had
    XLSX_ERRORS,
)
from kl_core.io.parquet import (  # re-exported: the names kl_core.io has always had
    PARQUET_ERRORS,
)
from kl_core.io.json_reader import (  # re-exported: the names kl_core.io has always had
    JSON_SHAPES,
)

__all__ = [
    "AGGREGATE_ADVICE",
    "BINARY_SIGNATURES",
    "BYTE_ORDER_MARKS",
    "CONTROL_CHARACTERS",
    "DECIMAL_COMMA_COLUMN",
    "DECIMAL_COMMA_NUMBER",
    "DELIMITERS",
    "DELIMITER_MIN_FIT",
    "DOT_DECIMAL_NUMBER",
    "EMPTY_FILE_MESSAGE",
    "EXTENSIONS",
    "FALLBACK_ENCODINGS",
    "FIELD_COUNT_ERROR",
    "JSON_SHAPES",
    "LONGEST_FIRST_LINE_BYTES",
    "Limits",
    "MISSING_TEXT",
    "NO_DELIMITER",
    "NUMBER_PATTERN",
    "PARQUET_ERRORS",
    "READERS",
    "SNIFF_BYTES",
    "SNIFF_ROWS",
    "SUPPORTED_FORMATS",
    "SampleRow",
    "THOUSANDS_LIKE",
    "TextLayout",
    "TextSample",
    "WHITESPACE",
    "XLSX_ERRORS",
    "numeric_column",
    "read_table",
    "read_table_bounded",
]


def read_table(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = 200 * 2**20,
    max_rows: int = 20_000_000,
    max_columns: int = 1_000,
    max_cell_chars: int = 100_000,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read an uploaded file's bytes into a DataFrame.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        The uploaded file's name; only its extension (case-insensitive) and
        the name in messages are used.
    max_bytes, max_rows, max_columns, max_cell_chars
        Limits; a file over any of them raises :class:`DataError`.
    sheet
        For an Excel workbook, the name of the sheet to read (default: the
        active visible sheet, else the first visible sheet with data).

    Returns
    -------
    pandas.DataFrame
        One column per field with unique, stripped ``str`` names and a
        ``RangeIndex``.  Numeric columns are int64 or float64; columns with
        any cell that is not a number stay text (see :func:`numeric_column`).
        Without a header row the columns are named ``value`` (one column) or
        ``column_1``, ``column_2``, ...  ``frame.attrs["warnings"]`` lists what a
        person should know about how the file was read (which sheet, skipped
        lines...); a workbook's ``attrs`` also name its ``sheet`` and ``sheets``.

    Raises
    ------
    DataError
        When the file cannot be used; the message says why and what to do.

    Examples
    --------
    >>> frame = read_table(b"teeth;weight\\n12;3,5\\n14;4,25\\n", "dogs.csv")
    >>> frame.columns.tolist()
    ['teeth', 'weight']
    >>> frame["weight"].tolist()
    [3.5, 4.25]
    >>> read_table(b"1\\n2\\n3\\n", "counts.txt")["value"].tolist()
    [1, 2, 3]
    """
    limits = Limits(max_bytes, max_rows, max_columns, max_cell_chars)
    _check_byte_size(data, limits)
    if _is_blank(data):
        raise DataError(EMPTY_FILE_MESSAGE)
    reader = READERS.get(PurePath(filename).suffix.lower(), _read_unknown_format)
    if sheet is not None and reader is not _read_xlsx:
        raise DataError(f"Only Excel workbooks have sheets; {filename!r} is not one, so do not choose a sheet.")
    frame = reader(data, filename, limits, sheet) if sheet is not None else reader(data, filename, limits)
    _check_frame(frame, limits)
    frame.attrs.setdefault("warnings", [])
    return frame



READERS: dict[str, Callable[[bytes, str, Limits], pd.DataFrame]] = {
    ".csv": _read_delimited,
    ".tsv": _read_delimited,
    ".txt": _read_delimited,
    ".dat": _read_delimited,
    ".xlsx": _read_xlsx,
    ".parquet": _read_parquet,
    ".pq": _read_parquet,
    ".json": _read_json,
    ".jsonl": _read_json_lines,
}
EXTENSIONS: tuple[str, ...] = tuple(suffix.lstrip(".") for suffix in READERS)  # for file pickers
