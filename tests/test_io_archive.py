"""Tests for kl_core.io.archive: a workbook's zip directory is checked before any part is inflated."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from kl_core.errors import DataError
from kl_core.io import read_table
from kl_core.io.archive import MAX_UNPACKED_BYTES, check_archive

BAD = Path(__file__).resolve().parent / "data" / "bad"


@pytest.mark.parametrize("name, part", [
    ("xlsx_shared_strings_bomb.xlsx", "xl/sharedStrings.xml"),  # issue 13 row 2
    ("xlsx_whitespace_bomb.xlsx", "xl/worksheets/sheet1.xml"),  # issue 13 row 3
])
def test_a_zip_bomb_is_refused_before_a_byte_is_inflated(name: str, part: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def inflate(*args, **kwargs):
        raise AssertionError("a part of the archive was inflated")

    monkeypatch.setattr(zipfile.ZipFile, "open", inflate)  # ZipFile.read goes through open too
    with pytest.raises(DataError, match=rf"part '{part}' expands 1,0\d\d-fold.*zip bomb"):
        read_table((BAD / name).read_bytes(), name)


def test_the_declared_total_is_checked_too() -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/a.xml", b"x")
    data = bytearray(packed.getvalue())
    # Declare the member 2 GiB unpacked in the central directory (a lie a bomb may tell).
    directory = data.rindex(b"PK\x01\x02")
    data[directory + 24:directory + 28] = (MAX_UNPACKED_BYTES * 2 - 1).to_bytes(4, "little")
    with pytest.raises(DataError, match=r"This workbook expands to 2\.0 GB when unpacked .* the limit is 1\.0 GB"):
        check_archive(bytes(data), "big.xlsx")


def test_a_real_workbook_passes() -> None:
    check_archive((BAD / "xlsx_hidden_first_sheet.xlsx").read_bytes(), "book.xlsx")
