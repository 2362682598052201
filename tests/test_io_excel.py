"""Tests for kl_core.io.excel: which sheet is read, and only within its real extent."""

from __future__ import annotations

from pathlib import Path

import pytest

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
