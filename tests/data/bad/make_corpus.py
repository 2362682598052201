"""Regenerates the small binary/text files of the bad-input corpus (run: python tests/data/bad/make_corpus.py)."""
import gzip, io, zipfile, random
import numpy as np, pandas as pd, openpyxl, datetime
from pathlib import Path
out = str(Path(__file__).resolve().parent) + "/"
def w(name, data):
    open(out + name, "wb").write(data if isinstance(data, bytes) else data.encode())
def xlsx(rows):
    wb = openpyxl.Workbook(); ws = wb.active
    for r in rows: ws.append(r)
    b = io.BytesIO(); wb.save(b); return b.getvalue()
def parquet(df):
    b = io.BytesIO(); df.to_parquet(b, index=False); return b.getvalue()
def main():
    """Write the files (only when run as a script: pytest's doctest collection imports this module)."""
    w("empty.csv", b"")
    w("blank_lines.csv", b"  \n\n \t\n\n")
    w("header_only.csv", "value,count\n")
    rng = random.Random(7); w("binary_garbage.csv", bytes(rng.randrange(256) for _ in range(2048)))
    w("png_renamed.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64)))
    w("pdf_renamed.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    b = io.BytesIO(); z = zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED); z.writestr("data.csv", "x\n1\n2\n"); z.close()
    w("zip_renamed.csv", b.getvalue())
    w("gzip_renamed.csv", gzip.compress(b"x\n1\n2\n3\n", mtime=0))
    w("old_excel_renamed.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    w("csv_named.xlsx", "teeth\n1\n2\n3\n")
    full = xlsx([["teeth"], *[[i % 7] for i in range(200)]]); w("truncated.xlsx", full[: len(full) // 2])
    w("empty_sheet.xlsx", xlsx([]))
    full = parquet(pd.DataFrame({"x": np.arange(100)})); w("truncated.parquet", full[: len(full) // 2])
    w("truncated_footer.parquet", full[:8] + full[-60:])
    w("nested_list.parquet", parquet(pd.DataFrame({"x": [[1, 2], [3], [4, 5]]})))
    w("dates.parquet", parquet(pd.DataFrame({"when": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01"])})))
    w("dates.xlsx", xlsx([["when"], [datetime.datetime(2024, 1, 1)], [datetime.datetime(2024, 1, 2)], [datetime.datetime(2024, 1, 2)]]))
    w("utf16le_no_bom.csv", "teeth\n1\n2\n2\n3\n".encode("utf-16-le"))
    w("utf16be_no_bom.csv", "teeth\n1\n2\n2\n3\n".encode("utf-16-be"))
    w("utf8_bom_then_invalid.csv", b"\xef\xbb\xbfx\n1\n\xff\xfe2\n")
    w("mixed_delimiters.csv", "a,b;c\n1,2;3\n4;5,6\n7,8,9\n")
    w("text_column.csv", "animal\ncat\ndog\ncat\nbird\n")
    w("mixed_text_numbers.csv", "teeth\n1\n2\nthree\n4\n")
    w("nan_inf_only.csv", "x\nnan\ninf\n-inf\n")
    w("missing_only.csv", "x,y\nNA,1\n,2\nNA,3\n")
    w("one_row.csv", "teeth\n5\n")
    w("one_distinct.csv", "teeth\n5\n5\n5\n5\n")
    w("all_zero.csv", "events\n0\n0\n0\n0\n")
    w("values_1e308.csv", "x\n1e308\n1.5e308\n1.7e308\n1.2e308\n")
    w("range_overflow.csv", "x\n1e308\n-1e308\n0\n")
    w("negative_values.csv", "change\n-2\n-1\n0\n1\n1\n3\n")
    w("non_integer_counts_table.csv", "value,count\n0.5,3\n1.5,4\n2,1\n")
    w("negative_counts.csv", "value,count\n0,3\n1,-2\n2,5\n")
    w("fractional_counts.csv", "value,count\n0,3.5\n1,2.25\n2,1\n")
    w("infinite_count.csv", "value,count\n0,inf\n1,3\n")
    w("missing_weight.csv", "value,count\n0,\n1,3\n2,4\n")
    w("probabilities_sum_zero.csv", "value,probability\n0,0\n1,0\n2,0\n")
    w("probabilities_sum_seven.csv", "value,probability\n0,1\n1,2\n2,4\n")
    w("duplicate_values_counts.csv", "value,count\n1,3\n1,4\n2,1\n3,2\n")
    w("three_columns_counts.csv", "value,count,other\n1,2,3\n2,3,4\n")
    w("json_scalar.json", '"hello"')
    w("json_nested_objects.json", '{"a": {"b": {"c": 1}}}')
    w("json_records_nested.json", '[{"x": {"y": 1}}, {"x": {"y": 2}}]')
    w("json_list_of_lists.json", "[[1, 2], [3, 4]]")
    w("json_invalid.json", '{"a": [1, 2')
    w("json_ragged_columns.json", '{"a": [1, 2, 3], "b": [1]}')
    w("json_too_deep.json", "[" * 5000 + "]" * 5000)
    w("json_infinity_nan.json", "[Infinity, NaN, 1, 2, 2]")
    w("jsonl_bad_line.jsonl", '{"a": 1}\n{"a": \n')
    w("quoted_newlines.csv", 'x,label\n1,"first\nline"\n2,"second, with comma"\n2,plain\n')
    w("unclosed_quote.csv", 'x,note\n1,"abc\n2,def\n3,ghi\n')
    w("ragged_rows.csv", "a,b\n1,2\n3\n4,5,6\n")
    w("bom_semicolon_decimal_comma.csv", "\ufeffweight;count\n1,5;2\n2,25;3\n3,75;1\n")
    w("latin1.csv", "city,visits\nK\xf6ln,1\nM\xfcnchen,2\nK\xf6ln,3\nZ\xfcrich,1\n".encode("latin-1"))
    w("script_column_name.csv", "<script>alert(1)</script>\n1\n2\n2\n")
    w("dates.csv", "when\n2024-01-01\n2024-01-02\n2024-01-02\n")
    w("timestamps.csv", "when\n2024-01-01 10:00:00\n2024-01-02 11:30:00\n2024-01-02 11:30:00\n")
    w("booleans.csv", "heads\ntrue\nfalse\ntrue\ntrue\n")
    w("huge_integers.csv", "id\n123456789012345678901234567890\n2\n3\n")
    w("huge_integers_equal.csv", "x\n99999999999999999999\n99999999999999999998\n")
    w("thousands_separators.csv", 'amount\n"1,000"\n"2,000"\n"1,000"\n')
    w("unicode_minus.csv", "x\n\u22121\n2\n")
    w("crlf_line_endings.csv", "teeth\r\n1\r\n2\r\n2\r\n3\r\n")
    w("whitespace_delimited.dat", "a b\n1  2\n3\t4\n")
    w("unknown_extension.weird", "teeth\n1\n2\n2\n")
    w("unknown_extension_binary.bin", bytes(range(256)))
    w("nul_in_text.csv", b"x\n1\x002\n3\n")


if __name__ == "__main__":
    main()


def _replace_part(workbook_bytes, part, content):
    """The workbook with one zip part replaced (the other parts copied as they are)."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes))
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == part else source.read(info.filename))
    return b.getvalue()


def issue13():
    """The inputs of issue 13 (written once; run: python -c "import make_corpus; make_corpus.issue13()")."""
    import pyarrow as pa, pyarrow.parquet as pq
    from openpyxl.styles import Font
    wb = openpyxl.Workbook(); ws = wb.active
    for r in (["x"], [1], [2], [3]): ws.append(r)
    ws.cell(1048576, 16384).font = Font(bold=True)
    b = io.BytesIO(); wb.save(b); w("xlsx_formatted_far_corner.xlsx", b.getvalue())
    numbers = xlsx([["x"], [1], [2], [3]])
    head = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD250000"/><sheetData>'
    cells = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row><row r="3"><c r="A3"><v>2</v></c></row><row r="4"><c r="A4"><v>3</v></c></row>'
    far = b"".join(b'<row r="%d"><c r="XFD%d" s="0"/></row>' % (r, r) for r in range(5, 250_001))
    w("xlsx_rows_bomb.xlsx", _replace_part(numbers, "xl/worksheets/sheet1.xml", head + cells + far + b"</sheetData></worksheet>"))
    strings = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">'
               b"<si><t>x</t></si><si><t>a</t></si><si><t>" + b"A" * (64 * 2**20) + b"</t></si></sst>")
    sheet = head.replace(b"XFD250000", b"A4") + b"".join(b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>' % (r, r, r - 1) for r in (1, 2, 3)) + b"</sheetData></worksheet>"
    types = b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    bomb = _replace_part(numbers, "xl/worksheets/sheet1.xml", sheet)
    bomb = _replace_part(bomb, "[Content_Types].xml", zipfile.ZipFile(io.BytesIO(bomb)).read("[Content_Types].xml").replace(b"</Types>", types))
    with zipfile.ZipFile(io.BytesIO(bomb)) as source, zipfile.ZipFile(b := io.BytesIO(), "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/sharedStrings.xml", strings)
    w("xlsx_shared_strings_bomb.xlsx", b.getvalue())
    spaces = cells[:-6] + b" " * (96 * 2**20) + cells[-6:]
    w("xlsx_whitespace_bomb.xlsx", _replace_part(numbers, "xl/worksheets/sheet1.xml", head + spaces + b"</sheetData></worksheet>"))
    wb = openpyxl.Workbook(); old = wb.active; old.title = "Old"
    for r in (["x"], [101], [102]): old.append(r)
    old.sheet_state = "hidden"
    data = wb.create_sheet("Data")
    for r in (["x"], [0], [1], [2]): data.append(r)
    wb.active = 1
    b = io.BytesIO(); wb.save(b); w("xlsx_hidden_first_sheet.xlsx", b.getvalue())
    w("xlsx_formula_without_value.xlsx", xlsx([["x"], [1], [2], ["=A2+A3"], [3]]))
    b = io.BytesIO()
    schema = pa.schema([("x", pa.int64())])
    with pq.ParquetWriter(b, schema) as writer:
        for _ in range(30):
            writer.write_table(pa.table({"x": pa.nulls(10_000_000, pa.int64())}), row_group_size=10_000_000)
    w("parquet_300m_null_rows.parquet", b.getvalue())


def issue13_text():
    """The text inputs of issue 13 (written once: python -c "import make_corpus; make_corpus.issue13_text()")."""
    import codecs
    w("classic_mac_line_ends.csv", b"x\r1\r2\r2\r")
    w("json_duplicate_key.json", '{"x":[1,2,3],"x":[7,8,9]}')
    w("space_grouped_numbers.csv", "x\n1 000\n2 500\n1 000\n")
    w("dot_grouped_decimal_comma.csv", "x\n1.000,5\n2.000,25\n1.000,5\n")
    w("blank_lines_before_header.csv", "\n" * 100_000 + "x\n1\n2\n2\n")
    w("empty_rows_before_header.csv", ",,,\n" * 20_000 + "a,b,c,d\n1,2,3,4\n5,6,7,8\n")
    w("json_lone_surrogate.json", '{"x": ["\\ud800", "a"]}')
    w("utf16_bom_then_utf8.csv", codecs.BOM_UTF16_LE + b"x\n1\n2\n2\n")
    w("tiny_counts.csv", "value,count\n0,1e-300\n1,3e-300\n")


def issue13_audit():
    """Inputs added by the issue 13 audit (written once: python -c "import make_corpus; make_corpus.issue13_audit()")."""
    import re
    w("dot_grouped_millions.csv", "x\n1.000.000\n2.500.000\n1.000.000\n")
    w("apostrophe_grouped_numbers.csv", "x\n1'000\n2'500\n1'000\n")
    numbers = xlsx([["x"], [1], [2], [3]])
    sheet = zipfile.ZipFile(io.BytesIO(numbers)).read("xl/worksheets/sheet1.xml")
    prefixed = re.sub(rb"<(/?)(?![?!])", rb"<\1x:", sheet.replace(b'xmlns="http://schemas', b'xmlns:x="http://schemas'))
    w("xlsx_prefixed_elements.xlsx", _replace_part(numbers, "xl/worksheets/sheet1.xml", prefixed))
    w("xlsx_cells_without_references.xlsx", _replace_part(numbers, "xl/worksheets/sheet1.xml", re.sub(rb' r="[A-Z]*\d+"', b"", sheet)))


def issue13_row16():
    """Issue 13 row 16: two uploads whose labels join to the same text around a unit separator
    (written once: python -c "import make_corpus; make_corpus.issue13_row16()")."""
    w("json_unit_separator_first.json", '{"x": ["a\\u001fb", "c"]}')
    w("json_unit_separator_second.json", '{"x": ["a", "b\\u001fc"]}')
