"""The bad-input corpus (tests/data/bad/manifest.json) through kl_core and through the app's Data page.

Every entry goes read_table -> to_empirical -> rank. It must end either in a DataError whose
message matches the entry's regex, or in a correct result (the entry's checks hold, and every
ranking row has a KL value or a note). Any other exception fails the test.

The same bytes are then uploaded to the Data page with streamlit's AppTest, through the
page's own uploader (which calls ui.loading.load_upload, as tests/test_app_data.py does):
the page must show the same message in st.error, or work, and never raise.

Small inputs are files in tests/data/bad/ (regenerate them with make_corpus.py there);
big ones (names starting with "@") are generated here from their manifest entry.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kl_core import DataError, rank, to_empirical
from kl_core.io import read_table

CORPUS = Path(__file__).resolve().parent / "data" / "bad"
MANIFEST: list[dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
APP = str(Path(__file__).resolve().parents[1] / "app.py")
MIB = 2**20


def _wide() -> bytes:
    header = ",".join(f"c{i}" for i in range(10_000))
    return f"{header}\n{','.join('1' for _ in range(10_000))}\n".encode()


GENERATORS = {
    "@wide_10000_columns": _wide,
    "@line_10mb": lambda: b"x\n" + b"1" * (10 * MIB) + b"\n",
    "@over_size_cap": lambda: b"x\n" + b"1\n" * (3 * MIB // 4),
    "@too_many_categories": lambda: ("id\n" + "\n".join(f"id{i}" for i in range(100_001)) + "\n").encode(),
    "@too_many_rows": lambda: b"x\n" + b"1\n" * 1_001,
}


def entry_id(entry: dict[str, Any]) -> str:
    extras = [f"{key}={entry[key]}" for key in ("kind",) if entry.get(key)]
    return "-".join([entry["name"].lstrip("@"), *extras])


def entry_bytes(entry: dict[str, Any]) -> bytes:
    name = entry["name"]
    return GENERATORS[name]() if name.startswith("@") else (CORPUS / name).read_bytes()


def run_pipeline(entry: dict[str, Any], data: bytes):
    """read_table -> to_empirical -> rank, as the manifest entry says."""
    frame = read_table(data, entry["filename"], **entry.get("limits", {}))
    column = entry["column"] or str(frame.columns[0])
    emp = to_empirical(frame, column, shape=entry["shape"], weight_column=entry["weight_column"], kind=entry["kind"])
    table = rank(emp, entry["models"])
    return frame, emp, table


def check_result(entry: dict[str, Any], frame, emp, table) -> None:
    expect = entry["expect"]
    if "kind" in expect:
        assert emp.kind == expect["kind"]
    if "k" in expect:
        assert emp.k == expect["k"]
    if "n" in expect:
        assert emp.n == pytest.approx(expect["n"])
    if "columns" in expect:
        assert [str(c) for c in frame.columns] == expect["columns"]
    if "support" in expect:
        assert emp.support.tolist() == expect["support"]
    if "counts" in expect:
        assert emp.counts.tolist() == pytest.approx(expect["counts"])
    if "probs" in expect:
        assert emp.probs.tolist() == pytest.approx(expect["probs"])
    for bound in ("low", "high"):
        if bound in expect:
            assert getattr(emp, bound) == pytest.approx(expect[bound])
    if "dropped" in expect:
        assert {key: dict(emp.dropped).get(key) for key in expect["dropped"]} == expect["dropped"]
    if "warning" in expect:
        assert any(re.search(expect["warning"], warning) for warning in emp.warnings), emp.warnings
    if "read_warning" in expect:
        assert any(re.search(expect["read_warning"], warning) for warning in frame.attrs["warnings"]), frame.attrs
    if "winner" in expect:
        assert table["model"].iloc[0] == expect["winner"], table[["model", "kl", "note"]]
    notes = dict(zip(table["model"], table["note"]))
    for model, pattern in expect.get("notes", {}).items():
        assert re.search(pattern, notes[model]), (model, notes[model])
    check_rows(table)


def check_rows(table) -> None:
    """Every row has a KL value (finite or +inf) or says in its note why not."""
    for row in table.itertuples():
        kl = float(row.kl)
        assert (not math.isnan(kl) and kl >= 0) or str(row.note).strip(), row
        if math.isnan(kl):
            assert str(row.note).strip(), row


def test_the_corpus_is_big_enough_and_covers_every_outcome() -> None:
    assert len(MANIFEST) >= 40
    assert sum("error" in entry["expect"] for entry in MANIFEST) >= 30
    assert sum(bool(entry["expect"].get("ok")) for entry in MANIFEST) >= 20
    for entry in MANIFEST:
        assert entry["name"].startswith("@") or (CORPUS / entry["name"]).is_file(), entry["name"]
        assert entry["name"] in GENERATORS or not entry["name"].startswith("@")
        assert ("error" in entry["expect"]) != bool(entry["expect"].get("ok")), entry["name"]
        assert entry["expect"].get("check", "") or "error" in entry["expect"]


@pytest.mark.parametrize("entry", MANIFEST, ids=entry_id)
def test_bad_input_through_kl_core(entry: dict[str, Any]) -> None:
    data = entry_bytes(entry)
    expect = entry["expect"]
    if "error" in expect:
        with pytest.raises(DataError, match=expect["error"]) as caught:
            run_pipeline(entry, data)
        assert str(caught.value).strip()
        assert "Traceback" not in str(caught.value)
    else:
        check_result(entry, *run_pipeline(entry, data))


# ------------------------------------------------------------------------ the app
APP_ENTRIES = [entry for entry in MANIFEST if entry.get("app", True)]


def shown(text: str) -> str:
    """An st.error/st.warning body as the person reads it (ui.text.escape_markdown undone)."""
    return re.sub(r"\\(.)", r"\1", text)


def upload(entry: dict[str, Any]):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60).run()
    at = at.switch_page("pages/data.py").run()
    at = at.radio(key="w_source").set_value("upload").run()
    return at.file_uploader(key="w_upload").upload(entry["filename"], entry_bytes(entry), "application/octet-stream").run()


def choose_reading(at, entry: dict[str, Any]):
    """Set the Data page's reading widgets to the manifest entry's column, shape, weight and kind."""
    if entry["column"] and at.selectbox(key="w_column").value != entry["column"]:
        at = at.selectbox(key="w_column").set_value(entry["column"]).run()
    if at.radio(key="w_shape").value != entry["shape"]:
        at = at.radio(key="w_shape").set_value(entry["shape"]).run()
    if entry["weight_column"] and at.selectbox(key="w_weight").value != entry["weight_column"]:
        at = at.selectbox(key="w_weight").set_value(entry["weight_column"]).run()
    kind = entry["kind"] or "auto"
    if at.selectbox(key="w_kind").value != kind:
        at = at.selectbox(key="w_kind").set_value(kind).run()
    return at


@pytest.mark.slow
@pytest.mark.parametrize("entry", APP_ENTRIES, ids=entry_id)
def test_bad_input_through_the_data_page(entry: dict[str, Any]) -> None:
    at = upload(entry)
    assert not at.exception, at.exception
    expect = entry["expect"]
    if at.session_state["source_frame"] is not None:  # the file was read: now read the column as the entry says
        at = choose_reading(at, entry)
        assert not at.exception, at.exception
    errors = [shown(element.value) for element in at.error]
    if "error" in expect:
        assert errors, f"no st.error for {entry['name']}"
        assert any(re.search(expect["error"], message) for message in errors), errors
        assert at.session_state["emp"] is None
        return
    assert not errors, errors
    emp = at.session_state["emp"]
    assert emp is not None
    if "kind" in expect:
        assert emp.kind == expect["kind"]
    if "k" in expect:
        assert emp.k == expect["k"]
    if "warning" in expect:
        assert any(re.search(expect["warning"], shown(element.value)) for element in at.warning)
    if "columns" in expect:
        assert at.dataframe[0].value.columns.tolist() == expect["columns"]


# ------------------------------------------------------------------ output safety
HOSTILE_LABEL = "<img src=x onerror=alert(1)>**bold**"


def _strings(value: Any):
    """Every string inside a (plotly JSON) structure, with where it was found."""
    if isinstance(value, str):
        yield "", value
    elif isinstance(value, dict):
        for key, item in value.items():
            for path, text in _strings(item):
                yield f"{key}.{path}", text
    elif isinstance(value, (list, tuple, np.ndarray)):
        for item in (value.tolist() if isinstance(value, np.ndarray) else value):
            yield from _strings(item)


def hostile_comparison(kind: str):
    from kl_core import compare

    if kind == "categorical":
        body = f'"{HOSTILE_LABEL}"\n"{HOSTILE_LABEL}"\nplain\n<b>x</b>\n'
        models = ["uniform", ("custom", {"values": [HOSTILE_LABEL, "plain", "<b>x</b>"], "weights": [2, 1, 1], "label": HOSTILE_LABEL})]
    else:
        body = "1\n2\n2\n3\n"
        models = ["uniform", "poisson", ("custom", {"values": [1, 2, 3], "weights": [1, 2, 1], "label": HOSTILE_LABEL})]
    models.append((models[-1][0], {**models[-1][1], "label": HOSTILE_LABEL + " again"}))  # a repeat shows its label
    frame = read_table(f'"{HOSTILE_LABEL}"\n{body}'.encode(), "hostile.csv")
    assert frame.columns.tolist() == [HOSTILE_LABEL]  # kept as typed: it is data, not markup
    emp = to_empirical(frame, HOSTILE_LABEL, name=HOSTILE_LABEL)
    assert emp.kind == kind
    return compare(emp, models)


@pytest.mark.parametrize("kind", ["categorical", "discrete"])
def test_html_in_names_and_labels_never_reaches_a_figure_unescaped(kind: str) -> None:
    from kl_core import plots

    comparison = hostile_comparison(kind)
    emp, fitted = comparison.emp, comparison.fitted
    figures = {
        "empirical": plots.empirical_figure(emp),
        "bars": plots.distribution_bars(emp, fitted),
        "small_multiples": plots.small_multiples(emp, fitted, kl=dict(zip(comparison.table["model"], comparison.table["kl"]))),
        "contributions": plots.contributions_figure(emp, fitted),
        "ranking": plots.ranking_figure(comparison.table),
    }
    if kind != "categorical":
        figures["cdf"] = plots.cdf_figure(emp, fitted)
    for name, figure in figures.items():
        for path, text in _strings(figure.to_plotly_json()):
            assert "<img" not in text and "<b>x" not in text, f"{name} figure, {path}: {text!r}"


@pytest.mark.parametrize("kind", ["categorical", "discrete"])
def test_html_in_labels_stays_plain_text_in_the_display_frame(kind: str) -> None:
    from kl_core.display import ranking_display

    comparison = hostile_comparison(kind)
    shown = ranking_display(comparison.table)
    cells = [str(cell) for cell in shown.to_numpy().ravel()]
    # The display frame is rendered by st.dataframe (a canvas grid: text, never HTML); the
    # label must arrive there exactly as typed, not pre-rendered or half-escaped.
    assert any(HOSTILE_LABEL in cell for cell in cells)
    assert all(isinstance(cell, str) for cell in cells)
    assert comparison.emp.name == HOSTILE_LABEL


def test_ranking_csv_neutralises_spreadsheet_formulas() -> None:
    from kl_core.export.csv import ranking_csv
    import csv
    import io

    emp = to_empirical(read_table(b"x\n1\n2\n2\n", "f.csv"), "x")
    table = rank(emp, ["uniform", ("custom", {"values": [1, 2], "weights": [1, 2], "label": "=HYPERLINK(\"http://x\",\"y\")"})])
    table.loc[0, "note"] = "@SUM(A1:A2)"
    text = ranking_csv(table)
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not (cell.startswith("-") and not _is_number(cell)), cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------- typed model options
HUGE_NUMBER = "1" + "0" * 5000  # issue 13 row 7: more digits than Python converts to int


@pytest.mark.slow
@pytest.mark.parametrize("widget, prefix", [("w_fixed_binomial", "p="), ("w_formula_start", "p=")])
def test_a_5000_digit_parameter_on_the_models_page_is_a_clear_message(widget: str, prefix: str) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60).run()
    at.button(key="sample_worms").click().run()
    at = at.switch_page("pages/models.py").run()
    if widget == "w_formula_start":
        at.checkbox(key="w_pick_expression").check().run()
        at.text_input(key="w_formula").set_value("p*(1-p)**x").run()
    at.text_input(key=widget).set_value(prefix + HUGE_NUMBER).run()
    assert not at.exception, at.exception
    assert any("p = 1000000000... is 5,001 characters long" in shown(element.value) for element in at.error), [e.value for e in at.error]


@pytest.mark.slow
def test_the_data_page_reads_the_active_sheet_names_it_and_lets_the_person_choose() -> None:
    """Issue 13 row 5 in the app: the active visible sheet, said in the source line, and a Sheet choice."""
    entry = next(entry for entry in MANIFEST if entry["name"] == "xlsx_hidden_first_sheet.xlsx")
    at = upload(entry)
    assert not at.exception and not at.error
    assert at.session_state["source_frame"]["x"].tolist() == [0, 1, 2]
    assert any("Read the sheet 'Data' (the active sheet)" in element.value for element in at.text)
    sheet = next(box for box in at.selectbox if box.key and box.key.startswith("w_sheet_"))
    assert sheet.options == ["Old", "Data"] and sheet.value == "Data"
    at = sheet.set_value("Old").run()
    assert not at.exception and not at.error
    assert at.session_state["source_frame"]["x"].tolist() == [101, 102]
    assert any("the sheet you chose" in element.value for element in at.text)


# ------------------------------------------------------------- the shared cache's key
def test_uploads_whose_labels_join_alike_have_distinct_fingerprints() -> None:
    """Issue 13 row 16: ['a\\x1fb', 'c'] and ['a', 'b\\x1fc'] joined with a separator are the same
    text; Empirical.fingerprint keys the shared cache, so it hashes each label's length and bytes."""
    first, second = (
        to_empirical(read_table((CORPUS / name).read_bytes(), name), "x")
        for name in ("json_unit_separator_first.json", "json_unit_separator_second.json")
    )
    assert "\x1f".join(first.support) == "\x1f".join(second.support)
    assert first.fingerprint() != second.fingerprint()
    again = to_empirical(read_table((CORPUS / "json_unit_separator_first.json").read_bytes(), "copy.json"), "x")
    assert again.fingerprint() == first.fingerprint()  # equal data, equal key
