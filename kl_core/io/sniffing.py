"""Recognising what the bytes are (binary signatures, text encodings) and how delimited text is laid out
(delimiter, decimal mark, header)."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass


from kl_core.errors import DataError
from kl_core.io.frame import (
    EMPTY_FILE_MESSAGE,
    SUPPORTED_FORMATS,
    THOUSANDS_LIKE,
    Limits,
    _check_column_count,
    _default_column_names,
    _human_size,
)

__all__ = [
    "BINARY_SIGNATURES",
    "BYTE_ORDER_MARKS",
    "CONTROL_CHARACTERS",
    "DECIMAL_COMMA_NUMBER",
    "DELIMITERS",
    "DELIMITER_MIN_FIT",
    "DOT_DECIMAL_NUMBER",
    "FALLBACK_ENCODINGS",
    "LONGEST_FIRST_LINE_BYTES",
    "NO_DELIMITER",
    "NUMBER_PATTERN",
    "SNIFF_BYTES",
    "SNIFF_ROWS",
    "SampleRow",
    "TextLayout",
    "TextSample",
    "WHITESPACE",
]

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
# Control characters other than tab, newlines and form feeds: a sign of binary data.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")

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


@dataclass(frozen=True)
class TextLayout:
    """How a delimited text file is laid out, as sniffed from its first bytes."""

    encoding: str
    delimiter: str  # one of DELIMITERS, WHITESPACE or NO_DELIMITER
    decimal: str
    has_header: bool
    column_names: tuple[str, ...]  # raw header fields, or default names without a header
    # Columns whose every sampled value is a number and at least one has a fraction or exponent:
    # a reader may parse them as floats without guessing their type again.
    float_columns: tuple[str, ...] = ()


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





def _is_blank(data: bytes) -> bool:
    # Strip a prefix first so a big file does not get copied just to learn it is not blank.
    return not data[:SNIFF_BYTES].strip() and not data.strip()


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
            _check_wide_text_after_mark(prefix[len(mark):], encoding)
            return encoding
    return _utf16_without_mark(prefix) or "utf-8"


def _check_wide_text_after_mark(text: bytes, encoding: str) -> None:
    """A UTF-16/32 mark followed by bytes without a single NUL is a mislabelled 8-bit file.

    Delimiters, digits and line ends all carry a zero byte in UTF-16 and UTF-32, so real
    wide text has NULs; text written as UTF-8 after a stray mark has none.
    """
    start = text[:4096]
    if encoding in ("utf-16", "utf-32") and len(start) >= 4 and b"\x00" not in start:
        raise DataError(
            f"The file starts with a {encoding.upper()} byte order mark, but the text after it is not "
            f"{encoding.upper()} (it looks like UTF-8 or another 8-bit encoding). Save it again as UTF-8 "
            "text and upload it again."
        )


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
    floats = _float_columns(rows[1:] if has_header else rows, names) if decimal == "." else ()
    return TextLayout(text_sample.encoding, delimiter, decimal, has_header, tuple(names), floats)


def _float_columns(rows: list[SampleRow], names: list[str]) -> tuple[str, ...]:
    """The ``names`` of the columns whose non-blank sampled fields are all numbers, some with a
    decimal point or an exponent (what a type-guessing parser would read as floats).

    Examples
    --------
    >>> rows = [SampleRow(2, ["1.5", "3", "a"]), SampleRow(3, ["", "4", "b"]), SampleRow(4, ["2e3", "5", "1.0"])]
    >>> _float_columns(rows, ["x", "n", "label"])
    ('x',)
    """
    floats = []
    for position, name in enumerate(names):
        fields = [row.fields[position] for row in rows if position < len(row.fields) and row.fields[position]]
        if (fields and all(NUMBER_PATTERN.fullmatch(field) for field in fields)
                and any(not field.lstrip("+-").isdigit() for field in fields)):
            floats.append(name)
    return tuple(floats)


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
