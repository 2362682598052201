"""Tests for kl_core.io: reading uploaded files into DataFrames."""

from __future__ import annotations

import codecs
import doctest
import gzip
import io
import json
import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kl_core.io as kl_io
from kl_core.errors import DataError
from kl_core.io import numeric_column, read_table


def xlsx_bytes(*sheets: list[list[object]]) -> bytes:
    """An .xlsx workbook with one sheet per list of rows."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for number, rows in enumerate(sheets, start=1):
        sheet = workbook.create_sheet(f"Sheet{number}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Delimited text
# ---------------------------------------------------------------------------


def test_comma_csv_with_header_gives_numeric_columns() -> None:
    frame = read_table(b"teeth,weight\n12,3.5\n14,4.25\n", "dogs.csv")
    assert frame.columns.tolist() == ["teeth", "weight"]
    assert frame["teeth"].dtype == np.int64
    assert frame["weight"].dtype == np.float64
    assert frame["weight"].tolist() == [3.5, 4.25]
    assert isinstance(frame.index, pd.RangeIndex)


@pytest.mark.parametrize("delimiter", [";", "\t", "|", "   "])
def test_delimiter_is_sniffed(delimiter: str) -> None:
    text = delimiter.join(["a", "b", "c"]) + "\n" + delimiter.join(["1", "2", "3.5"]) + "\n"
    frame = read_table(text.encode(), "table.txt")
    assert frame.columns.tolist() == ["a", "b", "c"]
    assert frame.iloc[0].tolist() == [1, 2, 3.5]


def test_semicolon_file_with_decimal_commas_gives_floats() -> None:
    frame = read_table(b"x;y\n3,14;2\n1,5;7,25\n", "euro.csv")
    assert frame["x"].tolist() == [3.14, 1.5]
    assert frame["y"].tolist() == [2.0, 7.25]


def test_single_column_with_decimal_commas_gives_floats() -> None:
    frame = read_table(b"length\n3,14\n2,5\n10\n", "lengths.csv")
    assert frame["length"].tolist() == [3.14, 2.5, 10.0]


def test_single_column_without_header_is_named_value() -> None:
    frame = read_table(b"1\n2\n3\n", "counts.txt")
    assert frame.columns.tolist() == ["value"]
    assert frame["value"].tolist() == [1, 2, 3]


def test_numeric_columns_without_header_are_numbered() -> None:
    frame = read_table(b"1,2.5\n3,4\n", "pairs.csv")
    assert frame.columns.tolist() == ["column_1", "column_2"]
    assert frame["column_1"].tolist() == [1, 3]


def test_utf8_byte_order_mark_is_dropped() -> None:
    frame = read_table(codecs.BOM_UTF8 + b"teeth\n1\n2\n", "bom.csv")
    assert frame.columns.tolist() == ["teeth"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_byte_order_mark(encoding: str) -> None:
    data = "\ufeffteeth;name\n1;Zoë\n2;Bo\n".encode(encoding)
    if encoding == "utf-16":
        data = "teeth;name\n1;Zoë\n2;Bo\n".encode(encoding)
    frame = read_table(data, "wide.csv")
    assert frame.columns.tolist() == ["teeth", "name"]
    assert frame["teeth"].tolist() == [1, 2]
    assert frame["name"].tolist() == ["Zoë", "Bo"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_is_detected(encoding: str) -> None:
    frame = read_table("teeth,weight\n1,2.5\n3,4\n".encode(encoding), "nobom.csv")
    assert frame["weight"].tolist() == [2.5, 4.0]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"], ids=["pyarrow", "pandas"])
def test_both_csv_parsers_read_the_same_cells_as_missing(encoding) -> None:
    """pyarrow (UTF-8) and pandas (other encodings) take one list of null tokens: pandas' own also dropped "None"."""
    frame = read_table("colour,n\nCafé,1\nNA,2\nNone,3\n<NA>,4\nnull,5\n,6\n".encode(encoding), "tokens.csv")
    assert frame["colour"].isna().tolist() == [False, True, False, False, True, True]
    assert frame["colour"].tolist()[2:4] == ["None", "<NA>"]


def test_cp1252_text_is_read_when_not_utf8() -> None:
    frame = read_table("name,price\nJosé,1\nCafé €,2\n".encode("cp1252"), "old.csv")
    assert frame["name"].tolist() == ["José", "Café €"]


def test_quoted_fields_keep_delimiters_and_newlines() -> None:
    frame = read_table(b'name,note\n"Smith, J","line one\nline two"\nBo,ok\n', "quotes.csv")
    assert frame["name"].tolist() == ["Smith, J", "Bo"]
    assert frame["note"].tolist() == ["line one\nline two", "ok"]


def test_blank_lines_and_trailing_whitespace_are_ignored() -> None:
    frame = read_table(b"\n teeth , name \n\n1 , a \n\n2,b   \n\n\n", "messy.csv")
    assert frame.columns.tolist() == ["teeth", "name"]
    assert frame["teeth"].tolist() == [1, 2]
    assert frame["name"].tolist() == ["a", "b"]


def test_rows_with_missing_trailing_fields_get_empty_cells() -> None:
    frame = read_table(b"a,b\n1,2\n3\n", "short.csv")
    assert frame["a"].tolist() == [1, 3]
    assert np.isnan(frame["b"].iloc[1])


def test_mostly_numeric_column_with_bad_cell_stays_text() -> None:
    frame = read_table(b"teeth\n1\n2\nten\n4\n", "teeth.csv")
    assert not pd.api.types.is_numeric_dtype(frame["teeth"])
    assert frame["teeth"].tolist() == ["1", "2", "ten", "4"]


def test_column_names_are_stripped_unique_and_never_empty() -> None:
    frame = read_table(b" a ,a,,b,a\n1,2,3,4,5\n", "names.csv")
    assert frame.columns.tolist() == ["a", "a_2", "column_3", "b", "a_3"]


def test_extension_is_case_insensitive() -> None:
    assert read_table(b"x\n1\n", "UPPER.CSV")["x"].tolist() == [1]


def test_unknown_extension_that_is_text_is_read_as_delimited_text() -> None:
    assert read_table(b"x;y\n1;2\n", "export.data")["y"].tolist() == [2]


def test_unknown_extension_that_is_binary_names_supported_formats() -> None:
    with pytest.raises(DataError, match=r"Parquet \(\.parquet"):
        read_table(bytes(range(256)) * 4, "blob.bin")


def test_large_file_takes_fast_path_and_pandas_fallback_gives_same_result() -> None:
    rows = "\n".join(f"{i},{i / 4}" for i in range(3000))
    fast = read_table(f"a,b\n{rows}\n".encode(), "fast.csv")
    slow = read_table(f"a,b\n{rows}\n".encode("utf-16"), "slow.csv")
    pd.testing.assert_frame_equal(fast, slow)


# ---------------------------------------------------------------------------
# Delimited text: errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n", codecs.BOM_UTF8, "\n\n".encode("utf-16")])
def test_empty_file_is_rejected(data: bytes) -> None:
    with pytest.raises(DataError, match="The file is empty. Upload a file with a header row"):
        read_table(data, "empty.csv")


def test_header_only_file_is_rejected() -> None:
    with pytest.raises(DataError, match=r"header row \(teeth, weight\) but no rows of values"):
        read_table(b"teeth,weight\n\n", "header.csv")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG image"),
        (b"\xff\xd8\xff\xe0" + bytes(100), "JPEG image"),
        (b"%PDF-1.7\n%abc\n", "PDF document"),
        (gzip.compress(b"a,b\n1,2\n"), "gzip-compressed"),
    ],
)
def test_binary_file_renamed_to_csv_is_named(data: bytes, kind: str) -> None:
    with pytest.raises(DataError, match=kind):
        read_table(data, "data.csv")


def test_xlsx_renamed_to_csv_suggests_xlsx_extension() -> None:
    with pytest.raises(DataError, match=r"Excel workbook.*Rename it to end in \.xlsx"):
        read_table(xlsx_bytes([["a"], [1]]), "data.csv")


def test_other_zip_renamed_to_csv_suggests_unzipping() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", "a\n1\n")
    with pytest.raises(DataError, match="ZIP archive.*Unzip it"):
        read_table(buffer.getvalue(), "data.csv")


def test_nul_heavy_binary_is_rejected() -> None:
    data = bytes([0, 0, 0, 7, 1, 2, 0, 0, 0, 9, 200, 3]) * 50
    with pytest.raises(DataError, match="binary bytes"):
        read_table(data, "data.csv")


def test_too_many_bytes_names_size_cap_and_aggregation() -> None:
    with pytest.raises(DataError, match=r"1\.0 KB; the limit is 512 bytes.*\(value, count\)"):
        read_table(b"x\n" + b"1\n" * 511, "big.csv", max_bytes=512)


def test_too_many_rows_is_rejected() -> None:
    with pytest.raises(DataError, match=r"has 6 rows; the limit is 5.*\(value, count\)"):
        read_table(b"x\n1\n2\n3\n4\n5\n6\n", "rows.csv", max_rows=5)


def test_too_many_columns_is_rejected() -> None:
    header = ",".join(f"c{i}" for i in range(10_000))
    data = f"{header}\n{','.join(['1'] * 10_000)}\n".encode()
    with pytest.raises(DataError, match="The file has 10000 columns; the limit is 1000"):
        read_table(data, "wide.csv")


def test_too_long_cell_is_rejected() -> None:
    with pytest.raises(DataError, match="cell with 50 characters; the limit is 20"):
        read_table(b"name\n" + b"x" * 50 + b"\n", "long.csv", max_cell_chars=20)


def test_too_long_cell_beyond_the_sample_is_rejected() -> None:
    data = b"name\n" + b"short\n" * 20_000 + b"y" * 50 + b"\n"
    with pytest.raises(DataError, match="cell with 50 characters; the limit is 20"):
        read_table(data, "long.csv", max_cell_chars=20)


def test_row_with_extra_fields_names_its_line() -> None:
    with pytest.raises(DataError, match="Line 4 has 3 fields but the header row has 2"):
        read_table(b"a,b\n1,2\n3,4\n5,6,7\n8,9\n", "ragged.csv")


def test_row_with_extra_fields_beyond_the_sample_names_its_line() -> None:
    rows = "".join(f"{i},{i}\n" for i in range(500))
    data = f"a,b\n{rows}1,2,3\n".encode()
    with pytest.raises(DataError, match="Line 502 has 3 fields but the header row has 2"):
        read_table(data, "ragged.csv")


# ---------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------


def test_xlsx_is_read_with_header_and_types() -> None:
    frame = read_table(xlsx_bytes([["teeth", " name "], [1, "a"], [2.5, None]]), "book.XLSX")
    assert frame.columns.tolist() == ["teeth", "name"]
    assert frame["teeth"].tolist() == [1.0, 2.5]
    assert frame["name"].iloc[0] == "a"


def test_xlsx_without_header_gets_default_names() -> None:
    frame = read_table(xlsx_bytes([[1], [2], [3]]), "book.xlsx")
    assert frame["value"].tolist() == [1, 2, 3]


def test_xlsx_uses_first_non_empty_sheet() -> None:
    frame = read_table(xlsx_bytes([], [["x"], [7]]), "book.xlsx")
    assert frame["x"].tolist() == [7]


def test_xlsx_with_only_empty_sheets_is_rejected() -> None:
    with pytest.raises(DataError, match="Every sheet of the Excel workbook is empty"):
        read_table(xlsx_bytes([], []), "book.xlsx")


def test_xlsx_with_no_worksheets_is_rejected() -> None:
    # openpyxl cannot save a workbook without sheets, so delete them from workbook.xml.
    original = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["a"], [1]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as edited:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "xl/workbook.xml":
                content = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", content)
            edited.writestr(item, content)
    with pytest.raises(DataError, match="has no sheets"):
        read_table(buffer.getvalue(), "book.xlsx")


def test_xlsx_header_only_is_rejected() -> None:
    with pytest.raises(DataError, match="no rows of values"):
        read_table(xlsx_bytes([["teeth"]]), "book.xlsx")


def test_truncated_xlsx_is_rejected() -> None:
    data = xlsx_bytes([["a"], [1]])
    with pytest.raises(DataError, match="damaged or incomplete"):
        read_table(data[: len(data) // 2], "book.xlsx")


def test_corrupt_xlsx_is_rejected() -> None:
    with pytest.raises(DataError, match="damaged or incomplete"):
        read_table(b"PK\x03\x04" + bytes(range(256)) * 8, "book.xlsx")


def test_csv_renamed_to_xlsx_suggests_csv_extension() -> None:
    with pytest.raises(DataError, match=r"text file.*rename it to end in \.csv"):
        read_table(b"a,b\n1,2\n", "book.xlsx")


# ---------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------


def test_parquet_round_trip() -> None:
    original = pd.DataFrame({"teeth": [1, 2, 3], "name": ["a", "b", None]})
    frame = read_table(parquet_bytes(original), "data.pq")
    assert frame["teeth"].tolist() == [1, 2, 3]
    assert frame["name"].tolist()[:2] == ["a", "b"]


def test_parquet_named_index_becomes_a_column() -> None:
    original = pd.DataFrame({"v": [1.5, 2.5]}, index=pd.Index(["x", "y"], name="key"))
    frame = read_table(parquet_bytes(original), "data.parquet")
    assert frame.columns.tolist() == ["key", "v"]


def test_truncated_parquet_is_rejected() -> None:
    data = parquet_bytes(pd.DataFrame({"v": range(100)}))
    with pytest.raises(DataError, match="not a complete Parquet file"):
        read_table(data[: len(data) - 10], "data.parquet")


def test_corrupt_parquet_is_rejected() -> None:
    data = bytearray(parquet_bytes(pd.DataFrame({"v": range(100)})))
    data[len(data) // 2 : len(data) - 8] = bytes(len(data) // 2 - 8)
    with pytest.raises(DataError, match="damaged or incomplete"):
        read_table(bytes(data), "data.parquet")


def test_parquet_with_too_many_columns_is_rejected() -> None:
    data = parquet_bytes(pd.DataFrame({f"c{i}": [i] for i in range(12)}))
    with pytest.raises(DataError, match="The file has 12 columns; the limit is 10"):
        read_table(data, "data.parquet", max_columns=10)


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def test_json_records() -> None:
    data = json.dumps([{"a": 1, "b": "x"}, {"a": 2.5}]).encode()
    frame = read_table(data, "rows.json")
    assert frame["a"].tolist() == [1.0, 2.5]
    assert frame["b"].iloc[0] == "x"


def test_json_columns() -> None:
    frame = read_table(json.dumps({"a": [1, 2], "b": [3, None]}).encode(), "cols.json")
    assert frame["a"].tolist() == [1, 2]
    assert np.isnan(frame["b"].iloc[1])


def test_json_list_of_numbers_is_one_value_column() -> None:
    frame = read_table(b"[1, 2, 3]", "values.json")
    assert frame.columns.tolist() == ["value"]
    assert frame["value"].tolist() == [1, 2, 3]


def test_json_lines() -> None:
    frame = read_table(b'{"a": 1}\n\n{"a": 2, "b": "x"}\n', "rows.jsonl")
    assert frame["a"].tolist() == [1, 2]


def test_json_lines_saved_as_json_is_read() -> None:
    assert read_table(b'{"a": 1}\n{"a": 2}\n', "rows.json")["a"].tolist() == [1, 2]


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(DataError, match="not valid: Expecting .* at line 2, column 8"):
        read_table(b'[{"a": 1},\n {"a": }]', "bad.json")


def test_invalid_json_lines_names_line() -> None:
    with pytest.raises(DataError, match="Line 2 is not valid JSON"):
        read_table(b'{"a": 1}\n{"a": \n', "bad.jsonl")


@pytest.mark.parametrize("document", ["3", '"text"', "[[1, 2], [3, 4]]", '{"a": 1}', "[1, {}]"])
def test_json_of_unsupported_shape_is_rejected(document: str) -> None:
    with pytest.raises(DataError, match="The JSON is not a table.*Use records"):
        read_table(document.encode(), "shape.json")


def test_json_columns_of_different_lengths_are_rejected() -> None:
    with pytest.raises(DataError, match="different numbers of values.*'a' has 2, 'b' has 1"):
        read_table(b'{"a": [1, 2], "b": [3]}', "cols.json")


def test_json_booleans_stay_booleans() -> None:
    assert read_table(b"[true, null, false]", "flags.json")["value"].tolist()[0] is True


def test_json_empty_list_is_rejected() -> None:
    with pytest.raises(DataError, match="no columns"):
        read_table(b"[]", "empty.json")


def test_deeply_nested_json_is_rejected() -> None:
    with pytest.raises(DataError, match="nested too deeply"):
        read_table(b"[" * 100_000 + b"]" * 100_000, "deep.json")


# ---------------------------------------------------------------------------
# numeric_column
# ---------------------------------------------------------------------------


def test_numeric_column_of_numbers_keeps_nan() -> None:
    frame = pd.DataFrame({"v": [1, 2, None]})
    values = numeric_column(frame, "v")
    assert values.dtype == np.float64
    np.testing.assert_array_equal(values, [1.0, 2.0, np.nan])


def test_numeric_column_reads_text_numbers_and_empty_cells() -> None:
    frame = pd.DataFrame({"v": [" 1 ", "2.5", "", None, "NA", 3]}, dtype=object)
    expected = [1.0, 2.5, np.nan, np.nan, np.nan, 3.0]
    np.testing.assert_array_equal(numeric_column(frame, "v"), expected)


def test_numeric_column_reads_decimal_commas_when_whole_column_uses_them() -> None:
    frame = pd.DataFrame({"v": ["3,5", "4", "-0,25"]})
    np.testing.assert_array_equal(numeric_column(frame, "v"), [3.5, 4.0, -0.25])


def test_numeric_column_names_count_and_first_bad_row() -> None:
    cells = [str(i) for i in range(16)] + ["ten", "7", "x", "y"]
    frame = read_table(("teeth\n" + "\n".join(cells) + "\n").encode(), "teeth.csv")
    message = (
        "column 'teeth' has 3 values that are not numbers, first at row 17: 'ten'. "
        "Fix or remove those cells, or treat the column as categories."
    )
    with pytest.raises(DataError, match=message):
        numeric_column(frame, "teeth")


def test_numeric_column_rejects_unknown_column() -> None:
    with pytest.raises(DataError, match="no column named 'x'. The columns are: 'v'"):
        numeric_column(pd.DataFrame({"v": [1]}), "x")


# ---------------------------------------------------------------------------
# Robustness and documentation
# ---------------------------------------------------------------------------

TABLE_ISH_CHARACTERS = list('0123456789,.;\t |"\n\r -abcé{}[]:')
EXTENSIONS = [".csv", ".tsv", ".txt", ".dat", ".xlsx", ".parquet", ".pq", ".json", ".jsonl", ".bin"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.text(alphabet=st.sampled_from(TABLE_ISH_CHARACTERS), max_size=200).map(str.encode),
    ),
    extension=st.sampled_from(EXTENSIONS),
)
def test_any_bytes_give_a_frame_or_data_error(data: bytes, extension: str) -> None:
    try:
        frame = read_table(data, "upload" + extension)
    except DataError:
        return
    assert isinstance(frame, pd.DataFrame)
    assert all(isinstance(name, str) for name in frame.columns)


@settings(max_examples=50, deadline=None)
@given(cut=st.floats(min_value=0.05, max_value=0.99), extension=st.sampled_from([".xlsx", ".pq"]))
def test_truncated_binary_formats_give_data_error(cut: float, extension: str) -> None:
    if extension == ".xlsx":
        data = xlsx_bytes([["a"], [1]])
    else:
        data = parquet_bytes(pd.DataFrame({"a": [1]}))
    with pytest.raises(DataError):
        read_table(data[: int(len(data) * cut)], "upload" + extension)


def test_docstring_examples_hold() -> None:
    results = doctest.testmod(kl_io, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert results.failed == 0


def _spy_on_pyarrow(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """The column types of each ``pyarrow.csv.read_csv`` call the reader makes."""
    import pyarrow.csv as pa_csv

    calls: list[dict[str, object]] = []
    real = pa_csv.read_csv

    def read_csv(source, *, convert_options=None, **options):  # type: ignore[no-untyped-def]
        calls.append(dict(convert_options.column_types) if convert_options is not None else {})
        return real(source, convert_options=convert_options, **options)

    monkeypatch.setattr(pa_csv, "read_csv", read_csv)
    return calls


def test_sampled_float_columns_are_read_as_floats_without_guessing(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy_on_pyarrow(monkeypatch)
    frame = read_table(b"x,n,label\n1.5,3,a\n,4,b\n2e3,5,c\n", "floats.csv")
    assert [list(types) for types in calls] == [["x"]]  # one parse, x typed; n and label guessed
    assert frame["x"].tolist()[::2] == [1.5, 2000.0] and np.isnan(frame["x"].iloc[1])
    assert frame["n"].tolist() == [3, 4, 5] and frame["label"].tolist() == ["a", "b", "c"]


def test_a_float_column_with_text_beyond_the_sample_reads_as_if_guessed(monkeypatch: pytest.MonkeyPatch) -> None:
    from kl_core.io.sniffing import SNIFF_BYTES

    rows = b"1.5,a\n" * (2 * SNIFF_BYTES // 6)
    data = b"x,label\n" + rows + b"abc,b\n" + rows
    calls = _spy_on_pyarrow(monkeypatch)
    frame = read_table(data, "late_text.csv")
    assert [list(types) for types in calls] == [["x"], []]  # typed, failed at 'abc', read again guessing
    guessed = pd.read_csv(io.BytesIO(data), dtype=str)
    assert frame["x"].astype(str).tolist() == guessed["x"].tolist()
    assert frame["label"].tolist() == guessed["label"].tolist()
