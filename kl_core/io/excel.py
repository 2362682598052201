"""Reading Excel .xlsx workbooks.

The sheet read is the one asked for (``sheet=``), else the active sheet when it is
visible and holds data, else the first visible sheet with data; which one, and what
else the workbook holds, goes to ``frame.attrs["warnings"]``. Cells are read only
within the sheet's real extent (:func:`scan_sheet`), never its declared or padded
dimension, after :func:`~kl_core.io.archive.check_archive` has checked the zip's
declared sizes.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

import pandas as pd
if TYPE_CHECKING:  # openpyxl is imported only when an .xlsx file is read
    from openpyxl.workbook.workbook import Workbook

from kl_core.errors import DataError
from kl_core.io.archive import check_archive
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
    "EXCEL_MAX_COLUMNS",
    "EXCEL_MAX_ROWS",
    "FORMULA_CELLS",
    "SheetInfo",
    "SheetScan",
    "XLSX_ERRORS",
    "drop_formula_rows",
    "scan_sheet",
]

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
FORMULA_CELLS = "formula_cells"  # frame.attrs key: {column: {row position: "A4"}}, formulas without a saved value

XLSX_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
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




def _read_xlsx(data: bytes, filename: str, limits: Limits, sheet: str | None = None) -> pd.DataFrame:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import CellCoordinatesException, InvalidFileException

    if not data.startswith(b"PK\x03\x04"):
        raise _not_xlsx_error(data, filename)
    try:
        check_archive(data, filename)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets, active = _workbook_sheets(archive)
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                chosen, rows, scan = _first_nonempty_sheet(archive, workbook, _reading_order(sheets, active, sheet), limits)
            finally:
                workbook.close()
    except DataError:
        raise
    except (*XLSX_ERRORS, InvalidFileException, CellCoordinatesException) as error:
        raise DataError(
            f"The Excel file {filename!r} is damaged or incomplete and could not be opened. "
            "Upload it again, or open it in Excel and save it again as .xlsx or CSV."
        ) from error
    frame = _frame_from_cells(rows)
    frame.attrs["sheet"] = chosen.name
    frame.attrs["sheets"] = [info.name for info in sheets]
    frame.attrs["warnings"] = _reading_notes(chosen, sheets, active, sheet, scan)
    frame.attrs[FORMULA_CELLS] = _formula_cells(frame, scan, header=len(rows) - len(frame))
    return frame


def _formula_cells(frame: pd.DataFrame, scan: SheetScan, header: int) -> dict[str, dict[int, str]]:
    """Where in ``frame`` the formula cells without a saved value are: {column: {row position: "A4"}}."""
    position_of_row = {number: index - header for index, number in enumerate(scan.kept_rows) if index >= header}
    found: dict[str, dict[int, str]] = {}
    for reference in scan.formulas_without_values:
        letters = reference.rstrip("0123456789")
        column = _column_index(letters)
        position = position_of_row.get(int(reference[len(letters):]))
        if position is not None and column < len(frame.columns):
            found.setdefault(str(frame.columns[column]), {})[position] = reference
    return found


def _column_index(letters: str) -> int:
    """0 for A, 25 for Z, 26 for AA."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def drop_formula_rows(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, str, int]:
    """``frame`` without the rows whose cell in ``columns`` is a formula without a saved value, the reason, and how many.

    The reason names up to three of the cells (``A4``), for ``Empirical.dropped``: such a cell
    reads as empty, but "missing" would not say why.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1.0, 2.0, None, 4.0]})
    >>> frame.attrs[FORMULA_CELLS] = {"x": {2: "A4"}}
    >>> kept, reason, count = drop_formula_rows(frame, ["x"])
    >>> kept["x"].tolist(), reason, count, FORMULA_CELLS in kept.attrs
    ([1.0, 2.0, 4.0], 'formula without a saved value (A4)', 1, False)
    """
    cells = frame.attrs.get(FORMULA_CELLS) or {}
    found = {position: reference for column in dict.fromkeys(columns) for position, reference in cells.get(column, {}).items()
             if position < len(frame) and pd.isna(frame[column].iloc[position])}
    kept = frame.drop(index=frame.index[sorted(found)]).reset_index(drop=True) if found else frame.copy()
    kept.attrs = {key: value for key, value in frame.attrs.items() if key != FORMULA_CELLS}
    named = sorted(found.values(), key=lambda reference: (len(reference), reference))
    shown = ", ".join(named[:3]) + (f" and {len(named) - 3:,} more" if len(named) > 3 else "")
    return kept, f"formula without a saved value ({shown})", len(found)


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


# ---------------------------------------------------------------------- which sheet
@dataclass(frozen=True)
class SheetInfo:
    """A worksheet as the workbook lists it."""

    name: str
    path: str  # its part in the archive, e.g. xl/worksheets/sheet1.xml
    state: str  # visible, hidden or veryHidden


def _workbook_sheets(archive: zipfile.ZipFile) -> tuple[list[SheetInfo], str | None]:
    """The worksheets in tab order (chart sheets left out), and the active tab's name."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    targets = _relationship_targets(archive)
    sheets, listed = [], []
    for element in workbook.iter():
        if _local_name(element.tag) != "sheet":
            continue
        relation = next((value for key, value in element.attrib.items() if _local_name(key) == "id"), None)
        name = element.get("name", "")
        listed.append(name)
        if relation in targets:
            sheets.append(SheetInfo(name, targets[relation], element.get("state", "visible")))
    view = next((element for element in workbook.iter() if _local_name(element.tag) == "workbookView"), None)
    tab = int(view.get("activeTab", "0")) if view is not None else 0
    active = listed[tab] if 0 <= tab < len(listed) else None
    return sheets, active


def _relationship_targets(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet relationship id -> the part's path in the archive."""
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for element in relations:
        if not element.get("Type", "").endswith("/worksheet"):
            continue
        target = element.get("Target", "")
        targets[element.get("Id", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return targets


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _reading_order(sheets: list[SheetInfo], active: str | None, wanted: str | None) -> list[SheetInfo]:
    """The sheet asked for; else the active visible sheet, the other visible ones, then hidden ones."""
    if not sheets:
        raise DataError("The Excel workbook has no sheets. Add the table to a sheet and save it again.")
    if wanted is not None:
        chosen = [info for info in sheets if info.name == wanted]
        if not chosen:
            names = ", ".join(repr(info.name) for info in sheets)
            raise DataError(f"The workbook has no sheet named {wanted!r}. Its sheets are: {names}.")
        return chosen
    visible = [info for info in sheets if info.state == "visible"]
    first = [info for info in visible if info.name == active]
    return first + [info for info in visible if info not in first] + [info for info in sheets if info not in visible]


def _first_nonempty_sheet(
    archive: zipfile.ZipFile, workbook: Workbook, order: list[SheetInfo], limits: Limits
) -> tuple[SheetInfo, list[list[Any]], SheetScan]:
    for info in order:
        scan = scan_sheet(archive.read(info.path))
        rows = _sheet_rows(workbook[info.name], scan, limits)
        if rows:
            return info, rows, scan
    if len(order) == 1 and len(workbook.sheetnames) > 1:
        raise DataError(f"The sheet {order[0].name!r} is empty. Choose a sheet that holds the table.")
    raise DataError(
        "Every sheet of the Excel workbook is empty. Put a header row and rows of values "
        "in the first sheet, starting in cell A1."
    )


def _reading_notes(
    chosen: SheetInfo, sheets: list[SheetInfo], active: str | None, wanted: str | None, scan: SheetScan
) -> list[str]:
    notes = []
    if len(sheets) > 1:
        why = "the sheet you chose" if wanted is not None else (
            "the active sheet" if chosen.name == active and chosen.state == "visible" else "the first sheet with data")
        others = ", ".join(repr(info.name) + ("" if info.state == "visible" else " (hidden)")
                           for info in sheets if info != chosen)
        notes.append(f"Read the sheet {chosen.name!r} ({why}); the workbook also has {others}. "
                     "Choose another sheet to read it instead.")
    if scan.formulas_without_values:
        count = len(scan.formulas_without_values)
        notes.append(
            f"{count:,} formula cell(s) have no saved value (first: {scan.formulas_without_values[0]}), so they are "
            "read as empty cells. The workbook was saved by a program that does not calculate formulas: open it "
            "in Excel or LibreOffice and save it again to store their values."
        )
    return notes


# ---------------------------------------------------------------------- the cells
@dataclass
class SheetScan:
    """What a sheet really holds, found in its XML without building a cell."""

    rows: int = 0  # last row with a value (or a formula)
    columns: int = 0  # last column with a value (or a formula)
    formula_rows: dict[int, int] = field(default_factory=dict)  # row -> last column of a formula without a value
    formulas_without_values: list[str] = field(default_factory=list)  # their references, A1 style
    kept_rows: list[int] = field(default_factory=list)  # the sheet's row numbers read, in order (empty rows left out)


# The grammar of a cell, written so that no two quantifiers compete for the same bytes: each
# pattern's cost is linear in what it reads, whatever the bytes (nested lazy scans inside one
# tag cost O(n^3) on an 80 KB run of unclosed tags). Elements may carry a namespace prefix
# (<x:c>, as the Open XML SDK writes them).
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_CELL_TAG = re.compile(rb"<" + _PREFIX + rb"c((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>")
_REFERENCE = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Z]{1,3})(\d{1,7})["']""")
_FORMULA = rb"(?:<" + _PREFIX + rb"f\b[^>]*>)(?:(?<=/>)|[^<]*</" + _PREFIX + rb"f>)"
_CELL_CONTENT = re.compile(
    rb"\s*(" + _FORMULA + rb")?\s*"
    rb"(?:(?P<value><" + _PREFIX + rb"v>\s*[^<\s]|<" + _PREFIX + rb"is\b)"
    rb"|<" + _PREFIX + rb"v\s*/>|<" + _PREFIX + rb"v>\s*</|</)"
)


def scan_sheet(xml: bytes) -> SheetScan:
    """The real extent of a sheet's values and its formula cells without a saved value.

    A sheet's declared dimension (and a formatted cell far away) may reach XFD1048576;
    reading cell by cell up to there takes half an hour. The extent of the cells that
    hold a value is what the table needs.

    Examples
    --------
    >>> xml = (b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f>A1+1</f><v /></c></row>'
    ...        b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>')
    >>> scan = scan_sheet(xml)
    >>> scan.rows, scan.columns, scan.formulas_without_values
    (1, 2, ['B1'])
    """
    scan = SheetScan()
    for tag in _CELL_TAG.finditer(xml):
        reference = _REFERENCE.search(tag.group(1))
        if reference is None:  # r="A1" is optional: positions must be counted instead
            return _scan_by_position(xml)
        content = None if tag.group(2) else _CELL_CONTENT.match(xml, tag.end())
        if content is None:  # <c r="XFD9" s="1"/>: formatted, empty
            continue
        if content.group("value"):
            _grow(scan, reference)
        elif content.group(1):
            row, column = _grow(scan, reference)
            scan.formula_rows[row] = max(scan.formula_rows.get(row, 0), column)
            scan.formulas_without_values.append(reference.group(1).decode() + reference.group(2).decode())
    return scan


def _grow(scan: SheetScan, match: re.Match[bytes]) -> tuple[int, int]:
    from openpyxl.utils import column_index_from_string

    return _grow_to(scan, int(match.group(2)), column_index_from_string(match.group(1).decode()))


def _grow_to(scan: SheetScan, row: int, column: int) -> tuple[int, int]:
    if row > EXCEL_MAX_ROWS or column > EXCEL_MAX_COLUMNS:
        raise DataError(
            f"The sheet has a cell at {_reference(row, column)}, beyond Excel's limits of "
            f"{EXCEL_MAX_ROWS:,} rows and {EXCEL_MAX_COLUMNS:,} columns: the file is damaged. "
            "Open it in Excel and save it again, or export the table as CSV."
        )
    scan.rows, scan.columns = max(scan.rows, row), max(scan.columns, column)
    return row, column


def _reference(row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    try:
        return f"{get_column_letter(column)}{row}"
    except ValueError:  # beyond openpyxl's letters: say it as numbers
        return f"row {row}, column {column}"


def _scan_by_position(xml: bytes) -> SheetScan:
    """:func:`scan_sheet` for a sheet whose cells (or rows) omit their reference.

    Such a cell sits right after the one before it in its row, and such a row right
    after the row before (the rule openpyxl and Excel read by). One pass of an XML
    parser that drops each row once seen.

    Examples
    --------
    >>> xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    ...        b'<row><c t="inlineStr"><is><t>x</t></is></c><c><f>1+1</f></c></row>'
    ...        b'<row><c><v>1</v></c><c s="1"/></row><row r="9"><c s="1"/></row></sheetData></worksheet>')
    >>> scan = _scan_by_position(xml)
    >>> scan.rows, scan.columns, scan.formulas_without_values
    (2, 2, ['B1'])
    """
    scan = SheetScan()
    row = 0
    for _, element in ElementTree.iterparse(io.BytesIO(xml)):
        if _local_name(element.tag) != "row":
            continue
        row = _position(element.get("r"), row, _row_number)
        column = 0
        for cell in element:
            if _local_name(cell.tag) != "c":
                continue
            column = _position(cell.get("r"), column, _column_number)
            parts = {_local_name(child.tag): child for child in cell}
            value = parts.get("v")
            if "is" in parts or (value is not None and (value.text or "").strip()):
                _grow_to(scan, row, column)
            elif "f" in parts:
                _grow_to(scan, row, column)
                scan.formula_rows[row] = max(scan.formula_rows.get(row, 0), column)
                scan.formulas_without_values.append(_reference(row, column))
        element.clear()  # keep memory to one row
    return scan


def _position(reference: str | None, previous: int, number: Callable[[str], int]) -> int:
    return previous + 1 if reference is None else number(reference)


def _row_number(reference: str) -> int:
    """A row's r= as openpyxl reads it ("7" or "7.0"); anything else means a damaged sheet (ValueError)."""
    number = float(reference)
    if not (number.is_integer() and number >= 1):
        raise ValueError(f"row number {reference!r}")
    return int(number)


def _column_number(reference: str) -> int:
    """The column of a cell's r= ("B7" -> 2); a reference that is not one means a damaged sheet (ValueError)."""
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string
    from openpyxl.utils.exceptions import CellCoordinatesException

    try:
        return column_index_from_string(coordinate_from_string(reference)[0])
    except CellCoordinatesException as error:
        raise ValueError(str(error)) from None


def _sheet_rows(sheet: Any, scan: SheetScan, limits: Limits) -> list[list[Any]]:
    """Non-empty rows within the sheet's real extent, trimmed of empty trailing cells, within the limits."""
    if scan.rows == 0:
        return []
    _check_column_count(scan.columns, limits)
    rows: list[list[Any]] = []
    cells = sheet.iter_rows(min_row=1, max_row=scan.rows, min_col=1, max_col=scan.columns, values_only=True)
    for number, row in enumerate(cells, start=1):
        width = max(_used_width(row), scan.formula_rows.get(number, 0))
        if width == 0:
            continue
        rows.append(list(row[:width]))
        scan.kept_rows.append(number)
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
