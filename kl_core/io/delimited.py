"""Parsing delimited text (CSV, TSV, whitespace-separated) once its layout is sniffed."""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from kl_core.errors import DataError
from kl_core.io.arrow_frame import frame_from_arrow
from kl_core.io.frame import SUPPORTED_FORMATS, Limits, _finish_frame
from kl_core.io.sniffing import (
    SNIFF_BYTES,
    _utf16_without_mark,
    DELIMITERS,
    WHITESPACE,
    TextLayout,
    _binary_signature,
    _encodings_to_try,
    _field_count_error,
    _reject_binary,
    _sniff_layout,
    _text_sample,
)
from kl_core.vocabulary import NULL_TOKENS


__all__ = [
    "FIELD_COUNT_ERROR",
]

FIELD_COUNT_ERROR = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


# Lines with nothing but blanks and delimiters before the header (ASCII-compatible text only).
PREAMBLE = re.compile(rb"(?:[ \t,;|]*(?:\r\n|\n|\r))+")


def _read_delimited(data: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    _reject_binary(data, filename, "a text table")
    notes: list[str] = []
    data = _without_preamble(_with_line_feeds(data, notes), notes)
    layout = _sniff_layout(_text_sample(data, filename), limits)
    _check_quotes_closed(data, layout)
    frame = _read_with_pyarrow(data, layout) if _suits_pyarrow(layout) else None
    if frame is None:
        frame = _read_with_pandas(data, layout)
    frame = _finish_frame(frame, layout.column_names)
    frame.attrs["warnings"] = notes
    return frame


def _is_ascii_compatible(data: bytes) -> bool:
    return not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) and _utf16_without_mark(data[:SNIFF_BYTES]) is None


def _with_line_feeds(data: bytes, notes: list[str]) -> bytes:
    """Classic Mac OS text ends lines with a bare CR; the parsers want LF.

    Examples
    --------
    >>> _with_line_feeds(b"x\\r1\\r2\\r", [])
    b'x\\n1\\n2\\n'
    """
    if b"\r" not in data[:SNIFF_BYTES] or b"\n" in data or not _is_ascii_compatible(data):
        return data
    notes.append("The lines end with a bare carriage return (classic Mac OS text); they were read as line ends.")
    return data.replace(b"\r", b"\n")


def _without_preamble(data: bytes, notes: list[str]) -> bytes:
    """Drop blank (or delimiter-only) lines before the header, and say how many.

    Examples
    --------
    >>> notes = []
    >>> _without_preamble(b"\\n\\n,,\\nx\\n1\\n", notes), notes
    (b'x\\n1\\n', ['Skipped 3 empty lines before the first row of the table.'])
    """
    mark = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    if not _is_ascii_compatible(data):
        return data
    preamble = PREAMBLE.match(data, len(mark))
    if preamble is None or preamble.end() == len(data):
        return data
    lines = len(re.findall(rb"\r\n|\n|\r", preamble.group(0)))
    notes.append(f"Skipped {lines:,} empty line{'s' if lines != 1 else ''} before the first row of the table.")
    return mark + data[preamble.end():]


def _check_quotes_closed(data: bytes, layout: TextLayout) -> None:
    """Refuse a quoted field that is never closed: the parsers would swallow the rest of the file into it.

    In valid CSV quotes pair up (a quote inside a quoted field is doubled), so an odd count
    whose last quote opens a field (after a delimiter, a line break or the file's start) means
    an unclosed quote. Quotes inside unquoted text (5" screens) do not open fields.
    """
    if layout.delimiter not in DELIMITERS or layout.encoding not in ("utf-8", "utf-8-sig"):
        return
    if _quote_count(data) % 2 == 0:
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


def _quote_count(data: bytes) -> int:
    """``data.count(b'"')``, without counting through the rest when the quotes all come first (a quoted header).

    Examples
    --------
    >>> _quote_count(b'"x"\\n1\\n2\\n'), _quote_count(b'x\\n' * 40_000 + b'"a\\n')
    (2, 1)
    """
    head = 1 << 16
    rest = data.count(b'"', head) if data.find(b'"', head) >= 0 else 0  # find is memchr: fast when there is none
    return data.count(b'"', 0, head) + rest


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
    table = None
    if layout.float_columns and len(set(layout.column_names)) == len(layout.column_names):
        # The sample's float columns read as float64 without pyarrow guessing each block's type
        # (~5% of a float column's parse); where a later value is no number, read again guessing.
        names = layout.column_names if layout.has_header else _placeholder_names(layout)
        floats = {names[layout.column_names.index(name)]: pa.float64() for name in layout.float_columns}
        table = _pyarrow_table(data, read_options, parse_options, floats)
    if table is None:
        table = _pyarrow_table(data, read_options, parse_options, {})
    if table is None:
        return None
    if table.num_columns != len(layout.column_names):
        return None
    tables = [table]
    del table
    return frame_from_arrow(tables)  # no second copy of each column


def _pyarrow_table(
    data: bytes, read_options: pa_csv.ReadOptions, parse_options: pa_csv.ParseOptions, types: dict[str, pa.DataType],
) -> pa.Table | None:
    """pyarrow's reading of ``data`` (blank text as null, ``types`` for the columns named), or None if it fails."""
    convert_options = pa_csv.ConvertOptions(column_types=types, null_values=list(NULL_TOKENS), strings_can_be_null=True)
    try:
        return pa_csv.read_csv(
            pa.BufferReader(data), read_options=read_options, parse_options=parse_options, convert_options=convert_options,
        )
    except pa.ArrowException:
        return None


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
                na_values=list(NULL_TOKENS),
                keep_default_na=False,  # pandas' own list also makes "None" and "<NA>" missing; pyarrow's does not
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
