"""Tests for kl_core.io.parquet: the footer's row count and column types are checked before any page is decoded."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pa_parquet
import pytest

from kl_core.errors import DataError
from kl_core.io import parquet, read_table

BAD = Path(__file__).resolve().parent / "data" / "bad"


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoding a page fails the test: a refusal must come from the footer alone."""

    def decode(*args, **kwargs):
        raise AssertionError("the file's pages were decoded")

    monkeypatch.setattr(pa_parquet.ParquetFile, "read", decode)
    monkeypatch.setattr(pa_parquet.ParquetFile, "read_row_group", decode)
    monkeypatch.setattr(pa_parquet, "read_table", decode)


def test_300_million_rows_are_refused_from_the_footer_at_once(no_decoding: None) -> None:
    """Issue 13 row 4: 541 KB of Parquet declaring 300,000,000 null int64 (2.4 GB once read)."""
    data = (BAD / "parquet_300m_null_rows.parquet").read_bytes()
    with pytest.raises(DataError, match=r"The file has 300,000,000 rows; the limit is 20,000,000"):
        read_table(data, "nulls.parquet")


def test_the_memory_the_column_types_need_is_refused_from_the_footer(no_decoding: None, monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    pa_parquet.write_table(pa.table({"x": pa.array(range(1_000), pa.int64()), "y": pa.array(range(1_000), pa.int32())}), buffer)
    monkeypatch.setattr(parquet, "MAX_TABLE_BYTES", 10_000)  # the table needs 8,000 + 4,000 bytes
    with pytest.raises(DataError, match=r"The file's 1,000 rows would take about 11\.7 KB of memory once read; the limit is 9\.8 KB"):
        read_table(buffer.getvalue(), "wide.parquet")


def test_text_columns_are_estimated_from_their_uncompressed_size() -> None:
    buffer = io.BytesIO()
    pd.DataFrame({"label": ["a" * 100] * 1_000}).to_parquet(buffer, index=False)
    needed = parquet.estimated_table_bytes(pa_parquet.ParquetFile(pa.BufferReader(buffer.getvalue())))
    assert needed >= 1_000 * parquet._OBJECT_CELL_BYTES  # one pointer per cell, plus the (dictionary-coded) text


def test_a_file_within_the_limits_is_read() -> None:
    buffer = io.BytesIO()
    pd.DataFrame({"x": [1, 2, 2, 3]}).to_parquet(buffer, index=False)
    assert read_table(buffer.getvalue(), "ok.parquet")["x"].tolist() == [1, 2, 2, 3]
