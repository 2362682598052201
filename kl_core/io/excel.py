"""Reading Excel .xlsx workbooks."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from kl_core.errors import DataError
from kl_core.io.frame import (
    AGGREGATE_ADVICE,
    Limits,
    _check_column_count,
    _default_column_names,
    _finish_frame,
)
from kl_core.io.sniffing import (
    SNIFF_BYTES,
    _binary_signature,
    _decode_prefix,
    _detect_encoding,
    _looks_like_text,
)

__all__ = [
    "XLSX_ERRORS",
]

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
