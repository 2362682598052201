"""Data page: samples, uploads (good and bad), pasted values, a typed table, reading options."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from kl_core.display import format_number
from kl_core.plots import empirical_figure
from kl_core.samples import SAMPLES
from ui.text import escape_markdown

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    return at.switch_page("pages/data.py").run()


def choose_source(at: AppTest, source: str) -> AppTest:
    return at.radio(key="w_source").set_value(source).run()


def poisson_csv(n: int = 5000, seed: int = 3) -> bytes:
    draws = np.random.default_rng(seed).poisson(3.0, n)
    return ("events\n" + "\n".join(map(str, draws)) + "\n").encode()


def summary_table(at: AppTest) -> dict[str, str]:
    """The Summary table (an HTML table whose cells wrap), as shown: Markdown escapes undone."""
    frame = at.table[-1].value
    return {label.replace("\\", ""): value.replace("\\", "") for label, value in frame.to_numpy().tolist()}


def test_renders_without_data():
    at = data_page()
    assert not at.exception
    assert at.title[0].value == "Data"
    assert "No data yet" in at.info[0].value


def test_the_figure_title_and_summary_are_page_text_not_plotly_text():
    """A plotly title is one line, cut at a phone's edge: the page shows it as text that wraps (as Compare does)."""
    at = data_page()
    at.button(key="load_sample").click().run()
    assert not at.exception
    original = empirical_figure(SAMPLES["worms"].empirical(), 2).layout.title
    assert original.text and original.subtitle.text  # what the page must show instead
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert not layout.get("title", {}).get("text") and not layout.get("title", {}).get("subtitle", {}).get("text")
    assert f"**{escape_markdown(original.text)}**" in [block.value for block in at.markdown]
    assert escape_markdown(original.subtitle.text) in [caption.value for caption in at.caption]


def test_sample_loads_with_preview_summary_and_figure():
    at = data_page()
    at.button(key="load_sample").click().run()
    assert not at.exception
    assert at.session_state["emp"].n == 100
    assert at.selectbox(key="w_column").value == "teeth"
    assert at.radio(key="w_shape").value == "counts"
    assert at.dataframe[0].value.columns.tolist() == ["teeth", "worms"]
    summary = summary_table(at)
    assert summary["Observations (N)"] == "100" and summary["Support size"] == "11"
    assert summary["Entropy (bits)"] == "3.262"
    table = SAMPLES["worms"].frame()  # (the preview shows its first rows only)
    teeth = np.repeat(table["teeth"].to_numpy(dtype=float), table["worms"].to_numpy(dtype=int))  # one value per worm
    assert summary["Variance (sample, ÷ N − 1)"] == format_number(np.var(teeth, ddof=1))  # which variance, said
    assert summary["Variance (population, ÷ N)"] == format_number(np.var(teeth)) and "Variance" not in summary
    assert at.get("plotly_chart")


def test_uploaded_csv_reaches_the_ranking_with_the_right_winner():
    at = choose_source(data_page(), "upload")
    at.file_uploader(key="w_upload").upload("draws.csv", poisson_csv(), "text/csv").run()
    assert not at.exception and not at.error
    emp = at.session_state["emp"]
    assert emp.n == 5000 and emp.kind == "discrete"
    assert at.radio(key="w_shape").value == "observations"
    at.session_state["model_requests"] = [("uniform", {}), ("binomial", {}), ("poisson", {})]
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    table = at.session_state["last_comparison"].table
    assert table["model"].iloc[0] == "poisson"
    assert "Poisson loses" in at.markdown[0].value


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [("data.csv", PNG_BYTES, "PNG"), ("empty.csv", b"", "empty")],
)
def test_bad_upload_shows_an_error_and_no_exception(name, content, says):
    at = choose_source(data_page(), "upload")
    at.file_uploader(key="w_upload").upload(name, content, "text/csv").run()
    assert not at.exception
    assert at.error and says in at.error[0].value
    assert at.session_state["emp"] is None


def test_bad_upload_keeps_the_data_already_loaded():
    at = data_page()
    at.button(key="load_sample").click().run()
    at = choose_source(at, "upload")
    at.file_uploader(key="w_upload").upload("data.csv", PNG_BYTES, "text/csv").run()
    assert at.error and at.session_state["emp"].n == 100


def test_pasted_values():
    at = choose_source(data_page(), "paste")
    at.text_area(key="w_paste").set_value("H T T H, H\nH").run()
    at.button(key="use_pasted").click().run()
    assert not at.exception and not at.error
    emp = at.session_state["emp"]
    assert emp.kind == "categorical" and emp.support.tolist() == ["H", "T"] and emp.counts.tolist() == [4.0, 2.0]


def test_pasting_nothing_says_what_to_do():
    at = choose_source(data_page(), "paste")
    at.button(key="use_pasted").click().run()
    assert not at.exception
    assert "paste numbers or labels" in at.error[0].value


def test_typed_frequency_table_and_a_reading_that_fails():
    at = choose_source(data_page(), "table")
    at.button(key="use_table").click().run()
    assert not at.exception and not at.error
    assert at.session_state["emp"].n == 20 and at.radio(key="w_shape").value == "counts"
    at.selectbox(key="w_kind").set_value("binned").run()  # a (value, count) table read as continuous
    assert not at.exception and not at.error
    assert at.session_state["emp"].kind == "binned" and at.session_state["emp"].sketch.exact
    assert at.session_state["emp"].sketch.total == 20
    at.selectbox(key="w_kind").set_value("auto").run()
    assert not at.error and at.session_state["emp"].n == 20


def test_continuous_sample_offers_bins():
    at = data_page()
    at.selectbox(key="w_sample").set_value("waiting").run()
    at.button(key="load_sample").click().run()
    assert at.session_state["emp"].kind == "binned"
    at.radio(key="w_bins_mode").set_value("number").run()
    at.number_input(key="w_bins").set_value(12).run()
    assert not at.exception
    assert at.session_state["emp"].k == 12


def test_data_survives_a_trip_to_compare_and_back():
    at = choose_source(data_page(), "upload")
    at.file_uploader(key="w_upload").upload("draws.csv", poisson_csv(500), "text/csv").run()
    fingerprint = at.session_state["emp"].fingerprint()
    at.switch_page("pages/compare.py").run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert at.session_state["emp"].fingerprint() == fingerprint
    assert at.radio(key="w_source").value == "upload"
    assert at.selectbox(key="w_column").value == "events"
    assert at.dataframe[0].value.columns.tolist() == ["events"]


# ------------------------------------------------------------ the guarded reading step (issue 11)
def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at = choose_source(at, "upload")
    return at.file_uploader(key="w_upload").upload(name, content, "text/csv").run()


def test_discoveries_read_per_year_with_the_reason_shown():
    from tests.datafiles import discoveries_csv

    at = upload(data_page(), "discoveries.csv", discoveries_csv())
    assert not at.exception and not at.error
    emp = at.session_state["emp"]
    assert emp.n == 100 and emp.mean() == pytest.approx(3.1)
    assert at.selectbox(key="w_column").value == "discoveries"
    assert any("`year` looks like an index: 1860–1959, one row each" in info.value.replace("\\", "") for info in at.info)


def test_one_click_switches_to_the_other_reading_and_back():
    from tests.datafiles import discoveries_csv

    at = upload(data_page(), "discoveries.csv", discoveries_csv())
    at.button(key="switch_reading").click().run()
    assert not at.exception
    emp = at.session_state["emp"]
    assert at.radio(key="w_shape").value == "counts" and at.selectbox(key="w_column").value == "year"
    assert emp.n == 310 and emp.support.min() == 1860  # 310 discoveries, weighted by year
    at.button(key="switch_reading").click().run()  # now "Back to the automatic guess"
    assert at.session_state["emp"].n == 100 and at.selectbox(key="w_column").value == "discoveries"


def test_id_weight_file_reads_the_weights():
    from tests.datafiles import WOMEN_WEIGHTS, id_weight_csv

    at = upload(data_page(), "women.csv", id_weight_csv())
    assert not at.exception and not at.error
    assert at.selectbox(key="w_column").value == "weight"
    assert at.session_state["emp"].n == len(WOMEN_WEIGHTS)


def test_a_table_with_a_negative_count_is_not_read_as_a_frequency_table():
    content = b"change,days\n" + b"".join(f"{v},{c}\n".encode() for v, c in [(0, 4), (1, 7), (3, -2), (5, 9), (8, 1)])
    at = upload(data_page(), "changes.csv", content)
    assert not at.exception and not at.error
    assert at.radio(key="w_shape").value == "observations"  # a count cannot be negative: one observation per row
    assert at.selectbox(key="w_column").value == "change" and at.session_state["emp"].n == 5


def test_text_in_a_number_column_can_be_dropped():
    content = b"height\n" + b"".join(f"{h}\n".encode() for h in range(150, 190)) + b"n/a?\n172\nunknown\n"
    at = upload(data_page(), "heights.csv", content)
    assert not at.exception
    assert at.error and "not numbers" in at.error[0].value and at.session_state["emp"] is None
    drop = at.button(key="drop_text_rows")
    assert "Drop these 2 rows" in drop.label and "unknown" in drop.label
    drop.click().run()
    assert not at.exception and not at.error
    emp = at.session_state["emp"]
    assert emp.n == 41 and sum(emp.dropped.values()) == 2
    assert any("unknown" in key for key in emp.dropped)


def test_large_frequency_table_is_binned_and_can_be_forced_discrete(tmp_path):
    from tests.datafiles import frequency_table

    table = frequency_table(20_000)
    at = upload(data_page(), "table.csv", table.to_csv(index=False).encode())
    assert not at.exception and not at.error
    emp = at.session_state["emp"]
    assert at.radio(key="w_shape").value == "counts"
    assert emp.kind == "binned" and emp.k <= 500 and emp.n == table["count"].sum()
    at.selectbox(key="w_kind").set_value("discrete").run()
    assert not at.exception
    assert at.session_state["emp"].kind == "discrete" and at.session_state["emp"].k == (table["count"] > 0).sum()


def test_an_excel_formula_without_a_saved_value_is_named_in_dropped_rows():
    """Issue 13 row 8: the summary says why the row was left out (the cell A4), not just "missing"."""
    at = choose_source(data_page(), "upload")
    content = (Path(__file__).resolve().parent / "data" / "bad" / "xlsx_formula_without_value.xlsx").read_bytes()
    at.file_uploader(key="w_upload").upload("formula.xlsx", content,
                                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").run()
    assert not at.exception and not at.error
    summary = summary_table(at)
    assert summary["Observations (N)"] == "3"
    assert "formula without a saved value (A4)" in summary["Dropped rows"] and "missing" not in summary["Dropped rows"]
