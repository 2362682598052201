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
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pa_parquet
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from kl_core.errors import DataError

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

SNIFF_BYTES = 64 * 1024
SNIFF_ROWS = 200
# How far to look for the end of the first line when it is longer than SNIFF_BYTES.
LONGEST_FIRST_LINE_BYTES = 16 * 2**20
DELIMITERS = ("\t", ";", ",", "|")
WHITESPACE = " "  # stands for "runs of spaces and tabs"
# Delimiter handed to the parsers for single-column text; it never occurs in real data.
NO_DELIMITER = "\x1f"
# Share of sample rows that must have the first row's field count to accept a delimiter.
DELIMITER_MIN_FIT = 0.5

NUMBER_PATTERN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
DECIMAL_COMMA_NUMBER = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")
DOT_DECIMAL_NUMBER = re.compile(r"[+-]?\d*\.\d+(?:[eE][+-]?\d+)?")
DECIMAL_COMMA_COLUMN = r"[+-]?\d+(?:,\d+)?"
THOUSANDS_LIKE = r"[+-]?[1-9]\d{0,2},\d{3}"  # 1,000: a decimal comma or a thousands separator?
FIELD_COUNT_ERROR = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
# Control characters other than tab, newlines and form feeds: a sign of binary data.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
MISSING_TEXT = ("", "nan", "na", "n/a", "null", "none")

# (magic bytes, what the file is, what to do instead)
BINARY_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "Upload the data table itself, not a picture of it."),
    (b"\xff\xd8\xff", "a JPEG image", "Upload the data table itself, not a picture of it."),
    (b"GIF8", "a GIF image", "Upload the data table itself, not a picture of it."),
    (b"%PDF-", "a PDF document", "Export the table from its source as CSV or Excel (.xlsx)."),
    (b"PK\x03\x04", "a ZIP archive", "Unzip it and upload the table inside."),
    (b"PK\x05\x06", "an empty ZIP archive", "Upload the table itself."),
    (b"\x1f\x8b", "a gzip-compressed file", "Decompress it and upload the table inside."),
    (b"PAR1", "a Parquet file", "Rename it to end in .parquet and upload it again."),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old-style Excel (.xls) or other Microsoft Office file",
        "Open it in Excel and save it as .xlsx or CSV.",
    ),
)

BYTE_ORDER_MARKS = (  # UTF-32 first: its little-endian mark starts like UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
FALLBACK_ENCODINGS = ("cp1252", "latin-1")

XLSX_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    NotImplementedError,
    EOFError,
    OSError,
    SyntaxError,  # xml.etree.ElementTree.ParseError
)
PARQUET_ERRORS = (pa.ArrowException, OSError, ValueError, TypeError, IndexError)


@dataclass(frozen=True)
class Limits:
    """Caps on what :func:`read_table` accepts."""

    max_bytes: int
    max_rows: int
    max_columns: int
    max_cell_chars: int


@dataclass(frozen=True)
class TextLayout:
    """How a delimited text file is laid out, as sniffed from its first bytes."""

    encoding: str
    delimiter: str  # one of DELIMITERS, WHITESPACE or NO_DELIMITER
    decimal: str
    has_header: bool
    column_names: tuple[str, ...]  # raw header fields, or default names without a header


@dataclass(frozen=True)
class TextSample:
    """The decoded start of a text file."""

    text: str
    encoding: str
    is_whole_file: bool


@dataclass(frozen=True)
class SampleRow:
    """One row of the sniffing sample with the physical line it ends on (1-based)."""

    line: int
    fields: list[str]


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def read_table(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = 200 * 2**20,
    max_rows: int = 20_000_000,
    max_columns: int = 1_000,
    max_cell_chars: int = 100_000,
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

    Returns
    -------
    pandas.DataFrame
        One column per field with unique, stripped ``str`` names and a
        ``RangeIndex``.  Numeric columns are int64 or float64; columns with
        any cell that is not a number stay text (see :func:`numeric_column`).
        Without a header row the columns are named ``value`` (one column) or
        ``column_1``, ``column_2``, ...

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
    frame = reader(data, filename, limits)
    _check_frame(frame, limits)
    return frame


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


# ---------------------------------------------------------------------------
# Checks shared by all formats
# ---------------------------------------------------------------------------


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


def _is_blank(data: bytes) -> bool:
    # Strip a prefix first so a big file does not get copied just to learn it is not blank.
    return not data[:SNIFF_BYTES].strip() and not data.strip()


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


# ---------------------------------------------------------------------------
# Column names and cell types
# ---------------------------------------------------------------------------


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
        return values


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


# ---------------------------------------------------------------------------
# Recognising binary files and text encodings
# ---------------------------------------------------------------------------


def _binary_signature(data: bytes) -> tuple[str, str] | None:
    """Return (what the file is, what to do) when ``data`` starts like a known binary format."""
    for magic, kind, advice in BINARY_SIGNATURES:
        if data.startswith(magic):
            if kind == "a ZIP archive" and _is_xlsx_archive(data):
                return "an Excel workbook (.xlsx)", "Rename it to end in .xlsx and upload it again."
            return kind, advice
    return None


def _is_xlsx_archive(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError):
        return b"xl/" in data[:SNIFF_BYTES]


def _reject_binary(data: bytes, filename: str, expected: str) -> None:
    signature = _binary_signature(data)
    if signature is not None:
        kind, advice = signature
        raise DataError(f"{filename!r} is {kind}, not {expected}. {advice}")


def _detect_encoding(prefix: bytes) -> str:
    for mark, encoding in BYTE_ORDER_MARKS:
        if prefix.startswith(mark):
            return encoding
    return _utf16_without_mark(prefix) or "utf-8"


def _utf16_without_mark(prefix: bytes) -> str | None:
    """Recognise BOM-less UTF-16 by its NUL bytes: mostly-ASCII text has one in every pair."""
    even, odd = prefix[0::2], prefix[1::2]
    if len(odd) < 2:
        return None
    even_nuls, odd_nuls = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _encodings_to_try(encoding: str) -> tuple[str, ...]:
    """A guessed UTF-8 may really be a legacy Windows/Latin-1 file; a marked encoding is certain."""
    return (encoding, *FALLBACK_ENCODINGS) if encoding == "utf-8" else (encoding,)


def _decode_prefix(prefix: bytes, encoding: str, is_whole_file: bool) -> tuple[str, str]:
    """Decode the start of a file; return (text, encoding actually used)."""
    for candidate in _encodings_to_try(encoding):
        decoder = codecs.getincrementaldecoder(candidate)(errors="strict")
        try:
            return decoder.decode(prefix, final=is_whole_file), candidate
        except UnicodeDecodeError:
            continue
    raise DataError(
        f"The file is not readable as {encoding.upper()} text. "
        "Save it again as UTF-8 CSV and upload it again."
    )


def _looks_like_text(text: str) -> bool:
    return len(CONTROL_CHARACTERS.findall(text)) <= len(text) // 100


def _text_sample(data: bytes, filename: str) -> TextSample:
    """Decode the start of the file, or raise if it is not text."""
    prefix = _sample_bytes(data)
    is_whole_file = len(prefix) == len(data)
    text, encoding = _decode_prefix(prefix, _detect_encoding(prefix), is_whole_file)
    if not _looks_like_text(text):
        raise DataError(
            f"{filename!r} does not look like a text table: it contains binary bytes "
            f"(such as NUL or control characters). Upload one of: {SUPPORTED_FORMATS}."
        )
    return TextSample(text, encoding, is_whole_file)


def _sample_bytes(data: bytes) -> bytes:
    """The first SNIFF_BYTES, stretched to hold the whole first line when it is longer."""
    first_newline = data.find(b"\n", 0, LONGEST_FIRST_LINE_BYTES)
    if first_newline == -1 and len(data) > LONGEST_FIRST_LINE_BYTES:
        raise DataError(
            f"The first line of the file is longer than {_human_size(LONGEST_FIRST_LINE_BYTES)}. "
            "Put one row of values per line."
        )
    end = max(SNIFF_BYTES, first_newline + SNIFF_BYTES if first_newline != -1 else len(data))
    return data[:end]


# ---------------------------------------------------------------------------
# Delimited text: sniffing
# ---------------------------------------------------------------------------


def _sniff_layout(text_sample: TextSample, limits: Limits) -> TextLayout:
    sample = text_sample.text
    if not text_sample.is_whole_file:  # drop the line cut in half by the end of the sample
        sample = sample[: sample.rfind("\n") + 1] or sample
    if not sample.strip():
        raise DataError(EMPTY_FILE_MESSAGE)
    delimiter = _guess_delimiter(sample)
    rows = _sample_rows(sample, delimiter)
    decimal = _guess_decimal(rows, delimiter)
    has_header = not _is_headerless(rows, decimal)
    width = len(rows[0].fields)
    _check_column_count(width, limits)
    _check_sample_rows(rows, width, has_header, limits)
    names = rows[0].fields if has_header else _default_column_names(width)
    return TextLayout(text_sample.encoding, delimiter, decimal, has_header, tuple(names))


def _guess_delimiter(sample: str) -> str:
    candidates = [*_sniffer_guess(sample), *DELIMITERS]
    fits = {delimiter: _delimiter_fit(_sample_rows(sample, delimiter)) for delimiter in candidates}
    fits[WHITESPACE] = _delimiter_fit(_sample_rows(sample, WHITESPACE))
    best = max(fits, key=lambda delimiter: fits[delimiter])  # first of equals wins
    return best if fits[best] >= DELIMITER_MIN_FIT else NO_DELIMITER


def _sniffer_guess(sample: str) -> list[str]:
    head = "".join(itertools.islice(io.StringIO(sample), 20))
    try:
        return [csv.Sniffer().sniff(head, delimiters="".join(DELIMITERS)).delimiter]
    except csv.Error:
        return []


def _delimiter_fit(rows: list[SampleRow]) -> float:
    """Share of rows with as many fields as the first, or 0 when the first has only one."""
    if not rows or len(rows[0].fields) < 2:
        return 0.0
    width = len(rows[0].fields)
    return sum(len(row.fields) == width for row in rows) / len(rows)


def _sample_rows(sample: str, delimiter: str) -> list[SampleRow]:
    """Split the sample into non-blank rows of fields, at most SNIFF_ROWS of them."""
    if delimiter == WHITESPACE:
        lines = enumerate(io.StringIO(sample), start=1)
        numbered = (SampleRow(line, _whitespace_fields(text)) for line, text in lines)
    elif delimiter == NO_DELIMITER:
        numbered = iter(_single_field_rows(sample))
    else:
        numbered = _csv_rows(sample, delimiter)
    rows = (row for row in numbered if any(field.strip() for field in row.fields))
    return list(itertools.islice(rows, SNIFF_ROWS))


def _single_field_rows(sample: str) -> list[SampleRow]:
    """One field per line, a quoted field unquoted as the parsers do; plain lines when it is not CSV at all."""
    try:
        reader = csv.reader(io.StringIO(sample), delimiter=NO_DELIMITER, strict=True)
        # Blank rows are dropped later, so read a margin beyond SNIFF_ROWS, not the whole sample.
        rows = [SampleRow(reader.line_num, [fields[0].strip() if fields else ""])
                for fields in itertools.islice(reader, 4 * SNIFF_ROWS)]
    except csv.Error:  # an unclosed quote, a bare carriage return...
        rows = []
    if any(row.fields[0] for row in rows):
        return rows
    return [SampleRow(line, [text.strip()]) for line, text in enumerate(io.StringIO(sample), start=1)]


def _whitespace_fields(line: str) -> list[str]:
    """Fields separated by runs of blanks, a quoted field ("a b") staying one, as pandas reads them with a whitespace separator."""
    try:
        return next(csv.reader([line.strip().replace("\t", " ")], delimiter=" ", skipinitialspace=True), [])
    except csv.Error:
        return line.split()


def _csv_rows(sample: str, delimiter: str) -> Iterator[SampleRow]:
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter, skipinitialspace=True)
    try:
        for fields in reader:
            yield SampleRow(reader.line_num, [field.strip() for field in fields])
    except csv.Error:  # e.g. an unclosed quote; the parsers will judge the file
        return


def _guess_decimal(rows: list[SampleRow], delimiter: str) -> str:
    if delimiter == ",":
        return "."
    fields = [field for row in rows for field in row.fields]
    comma_numbers = [field for field in fields if DECIMAL_COMMA_NUMBER.fullmatch(field)]
    dot_numbers = any(DOT_DECIMAL_NUMBER.fullmatch(field) for field in fields)
    if all(re.fullmatch(THOUSANDS_LIKE, field) for field in comma_numbers):
        return "."  # only 1,000-like numbers: the comma may be a thousands separator; numeric_column says so
    return "," if comma_numbers and not dot_numbers else "."


def _is_number(field: str, decimal: str) -> bool:
    point_decimal = field.replace(",", ".") if decimal == "," else field
    return NUMBER_PATTERN.fullmatch(point_decimal) is not None


def _is_numeric_row(row: SampleRow, decimal: str) -> bool:
    present = [field for field in row.fields if field]
    return bool(present) and all(_is_number(field, decimal) for field in present)


def _is_headerless(rows: list[SampleRow], decimal: str) -> bool:
    """No header when the first row is all numbers and so are most of the others."""
    if not _is_numeric_row(rows[0], decimal):
        return False
    others = rows[1:]
    return sum(_is_numeric_row(row, decimal) for row in others) * 2 >= len(others)


def _check_sample_rows(rows: list[SampleRow], width: int, has_header: bool, limits: Limits) -> None:
    for row in rows:
        if len(row.fields) > width:
            raise _field_count_error(row.line, len(row.fields), width, has_header)
        longest = max((len(field) for field in row.fields), default=0)
        if longest > limits.max_cell_chars:
            raise DataError(
                f"Line {row.line} has a cell with {longest:,} characters; the limit is "
                f"{limits.max_cell_chars:,}. Check the delimiter and quotes, or shorten the cell."
            )


def _field_count_error(line: int, fields: int, width: int, has_header: bool) -> DataError:
    first_row = "the header row" if has_header else "the first row"
    return DataError(
        f"Line {line} has {fields} fields but {first_row} has {width}. Make every row have "
        "the same number of fields: remove extra delimiters, or put text that contains "
        "the delimiter in double quotes."
    )


# ---------------------------------------------------------------------------
# Delimited text: parsing
# ---------------------------------------------------------------------------


def _read_delimited(data: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    _reject_binary(data, filename, "a text table")
    layout = _sniff_layout(_text_sample(data, filename), limits)
    _check_quotes_closed(data, layout)
    frame = _read_with_pyarrow(data, layout) if _suits_pyarrow(layout) else None
    if frame is None:
        frame = _read_with_pandas(data, layout)
    return _finish_frame(frame, layout.column_names)


def _check_quotes_closed(data: bytes, layout: TextLayout) -> None:
    """Refuse a quoted field that is never closed: the parsers would swallow the rest of the file into it.

    In valid CSV quotes pair up (a quote inside a quoted field is doubled), so an odd count
    whose last quote opens a field (after a delimiter, a line break or the file's start) means
    an unclosed quote. Quotes inside unquoted text (5" screens) do not open fields.
    """
    if layout.delimiter not in DELIMITERS or layout.encoding not in ("utf-8", "utf-8-sig"):
        return
    if data.count(b'"') % 2 == 0:
        return
    last = data.rfind(b'"')
    before = data[:last].rstrip(b" ")
    if before and before[-1:] not in (layout.delimiter.encode(), b"\n", b"\r"):
        return
    line = data.count(b"\n", 0, last) + 1
    raise DataError(
        f"Line {line} opens a quoted field with a double quote (\") that is never closed, so the rest of "
        "the file would be read into that one cell. Close the quote, or remove it."
    )


def _suits_pyarrow(layout: TextLayout) -> bool:
    return (
        layout.encoding in ("utf-8", "utf-8-sig")
        and layout.decimal == "."
        and layout.delimiter != WHITESPACE
    )


def _placeholder_names(layout: TextLayout) -> list[str]:
    return [f"c{position}" for position in range(len(layout.column_names))]


def _read_with_pyarrow(data: bytes, layout: TextLayout) -> pd.DataFrame | None:
    """Fast path for plain UTF-8; None when the file needs pandas' leniency."""
    read_options = pa_csv.ReadOptions(
        column_names=None if layout.has_header else _placeholder_names(layout)
    )
    parse_options = pa_csv.ParseOptions(delimiter=layout.delimiter)
    convert_options = pa_csv.ConvertOptions(strings_can_be_null=True)
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(data),
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
    except pa.ArrowException:
        return None
    if table.num_columns != len(layout.column_names):
        return None
    return table.to_pandas()


def _read_with_pandas(data: bytes, layout: TextLayout) -> pd.DataFrame:
    for encoding in _encodings_to_try(layout.encoding):
        try:
            return _pandas_read_csv(data, layout, encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(
        f"The file is not readable as {layout.encoding.upper()} text throughout. "
        "Save it again as UTF-8 CSV and upload it again."
    )


def _pandas_read_csv(data: bytes, layout: TextLayout, encoding: str) -> pd.DataFrame:
    whitespace = layout.delimiter == WHITESPACE
    try:
        with warnings.catch_warnings():
            # pandas only warns when data rows are wider than the header; that loses data.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                io.BytesIO(data),
                sep=r"\s+" if whitespace else layout.delimiter,
                header=0 if layout.has_header else None,
                names=_placeholder_names(layout),
                index_col=False,
                decimal=layout.decimal,
                skipinitialspace=not whitespace,
                skip_blank_lines=True,
                encoding=encoding,
                encoding_errors="strict",
                low_memory=False,
            )
    except pd.errors.ParserWarning as warning:
        raise DataError(
            "Some rows have more fields than the header row. Make every row have the "
            "same number of fields, or put text that contains the delimiter in double quotes."
        ) from warning
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
        raise _parser_error(error, layout) from error


def _parser_error(error: Exception, layout: TextLayout) -> DataError:
    counts = FIELD_COUNT_ERROR.search(str(error))
    if counts:
        width, line, fields = (int(number) for number in counts.groups())
        return _field_count_error(line, fields, width, layout.has_header)
    return DataError(
        f"The file could not be read as a table ({str(error).strip()}). Check that every "
        "row has the same delimiter and that quotes are closed."
    )


def _read_unknown_format(data: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    signature = _binary_signature(data)
    if signature is not None:
        kind, advice = signature
        raise DataError(
            f"{filename!r} is {kind}, which cannot be read as a table. {advice} "
            f"Supported formats: {SUPPORTED_FORMATS}."
        )
    try:
        _text_sample(data, filename)
    except DataError as error:
        raise DataError(
            f"{filename!r} has an unknown extension and is not text. "
            f"Upload one of: {SUPPORTED_FORMATS}."
        ) from error
    return _read_delimited(data, filename, limits)


# ---------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------


def _read_xlsx(data: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    if not data.startswith(b"PK\x03\x04"):
        raise _not_xlsx_error(data, filename)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            rows = _first_nonempty_sheet(workbook, limits)
        finally:
            workbook.close()
    except DataError:
        raise
    except XLSX_ERRORS as error:
        raise DataError(
            f"The Excel file {filename!r} is damaged or incomplete and could not be opened. "
            "Upload it again, or open it in Excel and save it again as .xlsx or CSV."
        ) from error
    return _frame_from_cells(rows)


def _not_xlsx_error(data: bytes, filename: str) -> DataError:
    signature = _binary_signature(data)
    if signature is not None:
        kind, advice = signature
        return DataError(f"{filename!r} is {kind}, not an Excel .xlsx workbook. {advice}")
    text = _decode_prefix(data[:SNIFF_BYTES], _detect_encoding(data[:SNIFF_BYTES]), False)[0]
    if _looks_like_text(text):
        return DataError(
            f"{filename!r} is a text file, not an Excel .xlsx workbook. "
            "If it is CSV, rename it to end in .csv and upload it again."
        )
    return DataError(
        f"{filename!r} is not an Excel .xlsx workbook (it may be damaged or incomplete). "
        "Open it in Excel and save it again as .xlsx or CSV."
    )


def _first_nonempty_sheet(workbook: Workbook, limits: Limits) -> list[list[Any]]:
    if not workbook.worksheets:
        raise DataError(
            "The Excel workbook has no sheets. Add the table to a sheet and save it again."
        )
    for sheet in workbook.worksheets:
        rows = _sheet_rows(sheet.iter_rows(values_only=True), limits)
        if rows:
            return rows
    raise DataError(
        "Every sheet of the Excel workbook is empty. Put a header row and rows of values "
        "in the first sheet, starting in cell A1."
    )


def _sheet_rows(cells: Iterator[tuple[Any, ...]], limits: Limits) -> list[list[Any]]:
    """Non-empty rows, trimmed of empty trailing cells, within the row and column limits."""
    rows: list[list[Any]] = []
    for row in cells:
        width = _used_width(row)
        if width == 0:
            continue
        _check_column_count(width, limits)
        rows.append(list(row[:width]))
        if len(rows) > limits.max_rows + 1:  # +1 for a header row
            raise DataError(
                f"The sheet has more than {limits.max_rows:,} rows; the limit is "
                f"{limits.max_rows:,}. {AGGREGATE_ADVICE}"
            )
    return rows


def _used_width(row: tuple[Any, ...]) -> int:
    for position in range(len(row) - 1, -1, -1):
        if not _is_empty_cell(row[position]):
            return position + 1
    return 0


def _is_empty_cell(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _frame_from_cells(rows: list[list[Any]]) -> pd.DataFrame:
    width = max(len(row) for row in rows)
    padded = [row + [None] * (width - len(row)) for row in rows]
    has_header = not all(_is_number_cell(cell) for cell in padded[0] if cell is not None)
    names = padded[0] if has_header else _default_column_names(width)
    body = padded[1:] if has_header else padded
    frame = pd.DataFrame(body, columns=range(width), dtype=object)
    return _finish_frame(frame, names)


def _is_number_cell(cell: object) -> bool:
    return isinstance(cell, (int, float)) and not isinstance(cell, bool)


# ---------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------


def _read_parquet(data: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    if not (data.startswith(b"PAR1") and data.endswith(b"PAR1")):
        raise _not_parquet_error(data, filename)
    try:
        parquet_file = pa_parquet.ParquetFile(pa.BufferReader(data))
        _check_column_count(parquet_file.metadata.num_columns, limits)
        table = parquet_file.read()
        frame = table.to_pandas()
    except DataError:
        raise
    except PARQUET_ERRORS as error:
        raise DataError(
            f"The Parquet file {filename!r} is damaged or incomplete and could not be read "
            f"({str(error).strip()[:200]}). Upload it again or write it again."
        ) from error
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    return _finish_frame(frame, list(frame.columns))


def _not_parquet_error(data: bytes, filename: str) -> DataError:
    signature = _binary_signature(data)
    if signature is not None and signature[0] != "a Parquet file":
        kind, advice = signature
        return DataError(f"{filename!r} is {kind}, not a Parquet file. {advice}")
    return DataError(
        f"{filename!r} is not a complete Parquet file: it does not start and end with the "
        "Parquet marker 'PAR1', so it is truncated or in another format. "
        "Upload it again or write it again."
    )


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------

JSON_SHAPES = (
    'records [{"a": 1, "b": 2}, ...], columns {"a": [1, 2], "b": [3, 4]} '
    "or a list of values [1, 2, 3]"
)


def _read_json(data: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    text = _decode_json_text(data, filename)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # several documents: maybe JSON Lines named .json
            try:
                return _frame_from_json_lines(text)
            except DataError:
                pass
        raise _invalid_json_error(error, filename) from error
    except RecursionError as error:
        raise DataError(
            f"The JSON in {filename!r} is nested too deeply to be a table. Use {JSON_SHAPES}."
        ) from error
    return _frame_from_json(document)


def _read_json_lines(data: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    return _frame_from_json_lines(_decode_json_text(data, filename))


def _decode_json_text(data: bytes, filename: str) -> str:
    _reject_binary(data, filename, "JSON")
    encoding = _detect_encoding(data[:SNIFF_BYTES])
    for candidate in _encodings_to_try(encoding):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if not _looks_like_text(text[:SNIFF_BYTES]):
            break
        if not text.strip():
            raise DataError(EMPTY_FILE_MESSAGE)
        return text
    raise DataError(f"{filename!r} is not JSON text. Save it again as UTF-8 JSON or CSV.")


def _invalid_json_error(error: json.JSONDecodeError, filename: str) -> DataError:
    return DataError(
        f"The JSON in {filename!r} is not valid: {error.msg} at line {error.lineno}, "
        f"column {error.colno}. Fix the file there, or export it again."
    )


def _frame_from_json_lines(text: str) -> pd.DataFrame:
    documents = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise DataError(
                f"Line {line_number} is not valid JSON: {error.msg} at column {error.colno}. "
                "In JSON Lines every line must be one JSON object."
            ) from error
        except RecursionError as error:
            raise DataError(
                f"Line {line_number} is nested too deeply to be a table row."
            ) from error
    return _frame_from_json(documents)


def _frame_from_json(document: object) -> pd.DataFrame:
    if isinstance(document, list):
        return _frame_from_json_list(document)
    if isinstance(document, dict):
        return _frame_from_json_object(document)
    raise _json_shape_error(f"a single {type(document).__name__} value")


def _frame_from_json_list(items: list[Any]) -> pd.DataFrame:
    if all(isinstance(item, dict) for item in items):
        frame = pd.DataFrame.from_records(items) if items else pd.DataFrame()
        return _finish_frame(frame, list(frame.columns))
    if all(_is_json_scalar(item) for item in items):
        return _finish_frame(pd.DataFrame({"value": pd.Series(items, dtype=object)}), ["value"])
    raise _json_shape_error("a list that mixes objects, lists and values")


def _frame_from_json_object(document: dict[str, Any]) -> pd.DataFrame:
    if isinstance(document.get("columns"), list) and isinstance(document.get("data"), list):
        return _frame_from_split_json(document["columns"], document["data"])
    columns = list(document.values())
    if columns and all(isinstance(column, list) for column in columns):
        lengths = {name: len(column) for name, column in document.items()}
        if len(set(lengths.values())) > 1:
            described = ", ".join(f"{name!r} has {length}" for name, length in lengths.items())
            raise DataError(
                f"The JSON columns have different numbers of values ({described}). "
                "Give every column the same number of values; use null for empty cells."
            )
        frame = pd.DataFrame(
            {position: pd.Series(column, dtype=object) for position, column in enumerate(columns)}
        )
        return _finish_frame(frame, list(document))
    if columns and all(isinstance(column, dict) for column in columns):  # pandas' to_json()
        frame = pd.DataFrame(document)
        return _finish_frame(frame, list(frame.columns))
    raise _json_shape_error("an object whose values are not all lists")


def _frame_from_split_json(names: list[Any], rows: list[Any]) -> pd.DataFrame:
    if not all(isinstance(row, list) and len(row) == len(names) for row in rows):
        raise _json_shape_error('"data" rows that do not match "columns"')
    frame = pd.DataFrame(rows, columns=range(len(names)), dtype=object)
    return _finish_frame(frame, names)


def _is_json_scalar(item: object) -> bool:
    return item is None or isinstance(item, (int, float, str, bool))


def _json_shape_error(found: str) -> DataError:
    return DataError(f"The JSON is not a table: it holds {found}. Use {JSON_SHAPES}.")


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
