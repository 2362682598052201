"""Tests for kl_core.io.excel: which sheet is read, and only within its real extent."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kl_core.errors import DataError
from kl_core.io import read_table
from kl_core.io.excel import scan_sheet

BAD = Path(__file__).resolve().parent / "data" / "bad"
HIDDEN_FIRST = (BAD / "xlsx_hidden_first_sheet.xlsx").read_bytes()


def test_the_active_visible_sheet_is_read_and_named() -> None:
    frame = read_table(HIDDEN_FIRST, "book.xlsx")
    assert frame["x"].tolist() == [0, 1, 2]
    assert frame.attrs["sheet"] == "Data"
    assert frame.attrs["sheets"] == ["Old", "Data"]


def test_a_chosen_sheet_is_read_even_when_hidden() -> None:
    frame = read_table(HIDDEN_FIRST, "book.xlsx", sheet="Old")
    assert frame["x"].tolist() == [101, 102]
    assert "the sheet you chose" in frame.attrs["warnings"][0]


def test_an_unknown_sheet_names_the_sheets_there_are() -> None:
    with pytest.raises(DataError, match=r"no sheet named 'Nope'\. Its sheets are: 'Old', 'Data'"):
        read_table(HIDDEN_FIRST, "book.xlsx", sheet="Nope")


def test_only_workbooks_have_sheets() -> None:
    with pytest.raises(DataError, match=r"Only Excel workbooks have sheets"):
        read_table(b"x\n1\n", "x.csv", sheet="Data")


def test_a_cell_beyond_excel_limits_means_a_damaged_file() -> None:
    with pytest.raises(DataError, match=r"cell at XFE1, beyond Excel's limits"):
        scan_sheet(b'<row r="1"><c r="XFE1"><v>1</v></c></row>')


def test_the_scan_ignores_formatted_empty_cells_and_empty_values() -> None:
    scan = scan_sheet(b'<row r="1"><c r="A1"><v>1</v></c><c r="C1" s="2"/><c r="D1"><v/></c><c r="E1" t="inlineStr"><is><t>a</t></is></c></row>'
                      b'<row r="9"><c r="B9" s="1"></c></row>')
    assert (scan.rows, scan.columns, scan.formulas_without_values) == (1, 5, [])


# ------------------------------------------------------------- issue 13 rows 1 and 3: work bounded by the real extent
CELL_BUDGET = 100  # cells handed to the reader for a four-row, one-column table (and its header)


@pytest.mark.parametrize("name", ["xlsx_formatted_far_corner.xlsx", "xlsx_rows_bomb.xlsx"])
def test_a_padded_sheet_is_read_within_its_real_extent(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Row 1 (one formatted cell at XFD1048576) and row 3 (250,000 rows padded to XFD): the
    reader is handed the cells of the four rows that hold values, not 2**34 (half an hour)."""
    import kl_core.io.excel as excel

    seen = []
    counted = excel._used_width

    def counting(row: tuple) -> int:
        seen.append(len(row))
        assert sum(seen) <= CELL_BUDGET, f"the reader walked more than {CELL_BUDGET} cells"
        return counted(row)

    monkeypatch.setattr(excel, "_used_width", counting)
    frame = read_table((BAD / name).read_bytes(), name)
    assert frame["x"].tolist() == [1, 2, 3]
    assert seen == [1, 1, 1, 1]


# ------------------------------------------------------------- valid workbooks other writers produce
def _workbook_with_sheet_xml(edit) -> bytes:
    """A one-sheet workbook (x; 1, 2, 3 in column A) whose sheet XML is passed through ``edit``."""
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    for row in (["x"], [1], [2], [3]):
        book.active.append(row)
    saved = io.BytesIO()
    book.save(saved)
    source, packed = zipfile.ZipFile(io.BytesIO(saved.getvalue())), io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            target.writestr(info.filename, edit(part) if info.filename == "xl/worksheets/sheet1.xml" else part)
    return packed.getvalue()


def _prefixed(xml: bytes) -> bytes:
    """Every element written with an x: prefix, as the Open XML SDK writes sheets."""
    import re

    text = xml.replace(b'xmlns="http://schemas', b'xmlns:x="http://schemas')
    return re.sub(rb"<(/?)(?![?!])", rb"<\1x:", text)


@pytest.mark.parametrize("edit", [
    pytest.param(_prefixed, id="namespace-prefixed-elements"),
    pytest.param(lambda xml: __import__("re").sub(rb' r="[A-Z]+\d+"', b"", xml), id="cells-without-references"),
    pytest.param(lambda xml: __import__("re").sub(rb' r="[A-Z]*\d+"', b"", xml), id="rows-and-cells-without-references"),
    pytest.param(lambda xml: xml.replace(b'r="A', b"r='A").replace(b'" t="n">', b"' t=\"n\">").replace(b'" t="inlineStr">', b"' t=\"inlineStr\">"),
                 id="single-quoted-references"),
])
def test_valid_sheet_xml_from_other_writers_is_read(edit) -> None:
    data = _workbook_with_sheet_xml(edit)
    assert read_table(data, "other.xlsx")["x"].tolist() == [1, 2, 3]


def test_a_formula_without_value_is_found_in_a_sheet_without_references() -> None:
    from kl_core.io.excel import _scan_by_position

    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row><c><v>1</v></c></row><row><c><v>2</v></c><c><f>A2*2</f></c></row><row><c s="3"/></row>'
           b"</sheetData></worksheet>")
    scan = _scan_by_position(xml)
    assert (scan.rows, scan.columns, scan.formulas_without_values, scan.formula_rows) == (2, 2, ["B2"], {2: 2})


def test_a_run_of_unclosed_cell_tags_is_scanned_in_one_pass() -> None:
    """80 KB of '<c r="A1" ' never closed: the first grammar (lazy scans nested inside one tag)
    backtracked O(n^3) on it, hours for a sheet that packs into a few hundred bytes. The scan
    finds no cell; a hang would be caught by pytest-timeout."""
    scan = scan_sheet(b"<sheetData>" + b'<c s="1" r="A1" ' * 20_000)
    assert (scan.rows, scan.columns) == (0, 0)


@pytest.mark.parametrize("edit", [
    pytest.param(lambda xml: xml.replace(b'r="A3"', b'r="1A"'), id="a-reference-that-is-not-one"),
    pytest.param(lambda xml: xml.replace(b' r="A2"', b"").replace(b'r="A3"', b'r="1A"'), id="the-same-in-a-sheet-read-by-position"),
    pytest.param(lambda xml: __import__("re").sub(rb' r="A\d+"', b"", xml).replace(b'<row r="3"', b'<row r="1e400"'), id="row-number-infinite"),
    pytest.param(lambda xml: xml.replace(b'<row r="3"', b'<row r="nan"'), id="row-number-nan"),
])
def test_a_damaged_cell_or_row_reference_is_a_damaged_file(edit) -> None:
    with pytest.raises(DataError, match=r"The Excel file 'bad\.xlsx' is damaged or incomplete"):
        read_table(_workbook_with_sheet_xml(edit), "bad.xlsx")



@settings(max_examples=150)
@given(edits=st.lists(st.tuples(st.sampled_from([b'r="A2"', b'r="A3"', b'<row r="2"', b"<v>", b"</v>", b"<c ", b' t="n"', b"/>"]),
                                st.binary(max_size=8) | st.sampled_from([b"", b'r="XFD1"', b'r="A0"', b"<f>1</f>", b"<c>", b'r="9999999"'])),
                      max_size=4))
def test_edited_sheet_xml_gives_a_table_or_a_data_error(edits) -> None:
    """Whatever is put where a reference, a value or a tag was: a table or a DataError, never another exception."""

    def edit(xml: bytes) -> bytes:
        for old, new in edits:
            xml = xml.replace(old, new, 1)
        return xml

    try:
        read_table(_workbook_with_sheet_xml(edit), "edited.xlsx")
    except DataError:
        pass


def test_a_formula_without_a_saved_value_is_dropped_under_its_own_reason_naming_the_cell() -> None:
    """Issue 13 row 8: the cell reads as empty, but "missing" would not say why; the reason names A4."""
    from kl_core import to_empirical
    from kl_core.display import format_dropped

    frame = read_table((BAD / "xlsx_formula_without_value.xlsx").read_bytes(), "formula.xlsx")
    emp = to_empirical(frame, "x")
    assert (emp.n, emp.dropped) == (3, {"formula without a saved value (A4)": 1})
    assert "formula without a saved value (A4)" in format_dropped(emp.dropped)  # the Data page's "Dropped rows"


def test_formula_cells_are_found_in_a_counts_table_and_a_truly_empty_cell_stays_missing(tmp_path) -> None:
    """A formula in the count column is named by its cell (B3, after an empty row 2 that is skipped); an empty value
    cell elsewhere is still "missing"."""
    from openpyxl import Workbook

    from kl_core import to_empirical

    book = Workbook()
    sheet = book.active
    sheet.append(["v", "n"])
    sheet.append([None, None])
    sheet.append([1, "=1+1"])  # openpyxl saves the formula without a value, as a program that does not calculate
    sheet.append([2, 5])
    sheet.append([None, 4])
    sheet.append([3, 7])
    path = tmp_path / "counts.xlsx"
    book.save(path)
    frame = read_table(path.read_bytes(), "counts.xlsx")
    emp = to_empirical(frame, "v", shape="counts", weight_column="n")
    assert emp.n == 12 and emp.dropped["formula without a saved value (B3)"] == 1
    assert sum(emp.dropped.values()) == 2  # and the row with no value, under its own reason
