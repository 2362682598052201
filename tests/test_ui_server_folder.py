"""The Data page's "Server folder" source (ui.server_folder): off by default; with KL_DATA_DIR set, a Parquet or
CSV file of the folder is read whole through kl_core.stream and flows to Compare like an upload."""

import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kl_core.io.folder import DATA_DIR_ENV
from kl_core.stream import count_values

APP = str(Path(__file__).resolve().parents[1] / "app.py")
ROWS = 3_000  # more than the preview's 1,000 rows: the whole file must be read, not the preview


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A data folder with a Parquet file (continuous, discrete and text columns) and a CSV file, set as KL_DATA_DIR."""
    rng = np.random.default_rng(7)
    pd.DataFrame({"minutes": rng.gamma(3.0, 2.0, ROWS), "calls": rng.poisson(4.0, ROWS),
                  "region": rng.choice(["north", "south"], ROWS)}).to_parquet(tmp_path / "calls.parquet", index=False)
    (tmp_path / "teeth.csv").write_text("teeth\n" + "\n".join(map(str, rng.binomial(10, 0.4, ROWS))) + "\n")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    return tmp_path


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    return at.switch_page("pages/data.py").run()


def open_in_app(at: AppTest, name: str) -> AppTest:
    at.radio(key="w_source").set_value("folder").run()
    at.selectbox(key="w_folder_file").set_value(name).run()
    return at.button(key="open_folder_file").click().run()


def source_labels(at: AppTest) -> list[str]:
    return list(at.radio(key="w_source").options)


def test_off_by_default(monkeypatch):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    at = data_page()
    assert not at.exception
    assert "Server folder" not in source_labels(at)


def test_set_but_missing_stays_off_and_tells_the_operator(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "missing"))
    with caplog.at_level(logging.WARNING, logger="ui.server_folder"):
        at = data_page()
    assert not at.exception
    assert "Server folder" not in source_labels(at)
    assert any("does not exist; the server folder is off" in record.getMessage() for record in caplog.records)


def test_lists_the_files_with_their_sizes(root):
    at = data_page()
    assert "Server folder" in source_labels(at)
    at.radio(key="w_source").set_value("folder").run()
    picker = at.selectbox(key="w_folder_file")
    assert picker.options == [f"calls.parquet ({os.path.getsize(root / 'calls.parquet') / 1024:.1f} KB)",
                              f"teeth.csv ({os.path.getsize(root / 'teeth.csv') / 1024:.1f} KB)"]


def test_an_empty_folder_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    at = data_page().radio(key="w_source").set_value("folder").run()
    assert not at.exception
    assert any("no Parquet or CSV files" in info.value for info in at.info)


def test_a_parquet_file_is_read_whole_by_the_stream(root):
    at = open_in_app(data_page(), "calls.parquet")
    assert not at.exception and not at.error
    emp = at.session_state["emp"]
    streamed = count_values(root / "calls.parquet", "minutes")
    assert emp.n == ROWS and emp.kind == "binned"
    assert emp.fingerprint() == streamed.fingerprint()
    assert at.session_state["source_id"].startswith(f"folder:calls.parquet:{os.path.getsize(root / 'calls.parquet')}:")
    assert "The first 10 of 3,000 rows." in [caption.value for caption in at.caption]

    at.selectbox(key="w_column").set_value("calls").run()  # another column: the whole file again, discrete
    emp = at.session_state["emp"]
    calls = pd.read_parquet(root / "calls.parquet")["calls"].to_numpy()
    assert emp.kind == "discrete" and emp.n == ROWS
    assert emp.counts.tolist() == np.bincount(calls)[np.unique(calls)].tolist()

    at.selectbox(key="w_kind").set_value("binned").run()  # the reading choices work as for an upload
    assert at.session_state["emp"].kind == "binned" and at.session_state["emp"].n == ROWS


def test_a_csv_file_flows_to_compare_like_an_upload(root):
    at = open_in_app(data_page(), "teeth.csv")
    assert not at.exception and not at.error
    emp = at.session_state["emp"]
    teeth = pd.read_csv(root / "teeth.csv")["teeth"]
    assert emp.kind == "discrete" and emp.n == ROWS
    assert emp.counts.tolist() == teeth.value_counts().sort_index().tolist()
    assert "The first 10 rows." in [caption.value for caption in at.caption]
    at.session_state["model_requests"] = [("uniform", {}), ("binomial", {"n": 10}), ("poisson", {})]
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert at.session_state["last_comparison"].table["model"].iloc[0] == "binomial"


def test_a_file_deleted_after_opening_gives_an_error_not_stale_numbers(root):
    at = open_in_app(data_page(), "calls.parquet")
    (root / "calls.parquet").unlink()
    at.selectbox(key="w_column").set_value("calls").run()
    assert not at.exception
    assert at.error and "no longer in the server folder" in at.error[0].value
    assert at.session_state["emp"] is None


def test_a_changed_file_is_read_again_not_taken_from_the_cache(root):
    at = open_in_app(data_page(), "teeth.csv")
    assert at.session_state["emp"].n == ROWS
    before = os.stat(root / "teeth.csv").st_mtime_ns
    (root / "teeth.csv").write_text("teeth\n1\n2\n2\n")
    os.utime(root / "teeth.csv", ns=(before + 10**9, before + 10**9))
    at.selectbox(key="w_kind").set_value("discrete").run()  # the old identity no longer holds
    assert at.error and "changed on the server since it was opened" in at.error[0].value
    at.button(key="open_folder_file").click().run()  # opening it again reads the new file
    assert not at.error
    assert at.session_state["emp"].n == 3 and at.session_state["emp"].counts.tolist() == [1.0, 2.0]


def test_a_file_gone_before_opening_is_an_error(root):
    at = data_page().radio(key="w_source").set_value("folder").run()
    at.selectbox(key="w_folder_file").set_value("teeth.csv").run()
    (root / "teeth.csv").unlink()
    at.button(key="open_folder_file").click().run()
    assert not at.exception
    assert at.error and "no longer in the server folder" in at.error[0].value and "teeth" in at.error[0].value
    assert at.session_state["emp"] is None  # not the file the picker falls back to


def test_the_one_click_switch_reads_the_whole_file_too(root):
    at = open_in_app(data_page(), "calls.parquet")
    assert at.selectbox(key="w_column").value == "minutes"
    at.button(key="switch_reading").click().run()  # a callback: ui.loading.use_reading rebuilds the dataset
    assert not at.exception and not at.error
    emp = at.session_state["emp"]
    assert at.session_state["read_options"]["column"] != "minutes"
    assert emp.n == ROWS and emp.name == at.session_state["read_options"]["column"]


def test_distinct_first_rows_of_a_big_file_open_as_observations_with_the_table_one_click_away(root):
    rng = np.random.default_rng(11)
    pd.DataFrame({"seconds": rng.exponential(30.0, ROWS), "dice": rng.integers(1, 7, ROWS)}).to_parquet(
        root / "pairs.parquet", index=False)
    at = open_in_app(data_page(), "pairs.parquet")
    assert not at.exception and not at.error
    assert at.radio(key="w_shape").value == "observations"
    emp = at.session_state["emp"]
    assert emp.kind == "binned" and emp.n == ROWS
    assert "could also be a value \\+ count table" in at.info[0].value
    at.button(key="switch_reading").click().run()
    assert at.radio(key="w_shape").value == "counts"
    emp = at.session_state["emp"]
    dice = pd.read_parquet(root / "pairs.parquet")["dice"]
    assert emp.kind == "discrete" and emp.n == dice.sum() and emp.support.size == ROWS


def test_a_small_two_column_file_keeps_the_table_guess(root):
    (root / "table.csv").write_text("teeth,worms\n0,2\n1,3\n2,5\n3,14\n")
    at = open_in_app(data_page(), "table.csv")
    assert at.radio(key="w_shape").value == "counts"
    assert at.session_state["emp"].n == 24


def test_a_rerun_during_a_reading_lets_it_finish_and_the_next_run_uses_it(root, monkeypatch):
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

    import ui.server_folder as server_folder

    at = open_in_app(data_page(), "calls.parquet")
    assert at.session_state["emp"].name == "minutes"
    real_read, real_update = server_folder.count_values, server_folder._ProgressBar.update
    reads, updates = [], []

    def counted(*args, **kwargs):
        reads.append(kwargs["name"])
        return real_read(*args, **kwargs)

    def click_during_reading(self, fraction):  # what a click during a long reading does: the bar's update raises
        updates.append(fraction)
        if len(updates) == 1:
            raise RerunException(None)
        real_update(self, fraction)

    monkeypatch.setattr(server_folder, "count_values", counted)
    monkeypatch.setattr(server_folder._ProgressBar, "update", click_during_reading)
    at.selectbox(key="w_column").set_value("calls").run()
    at.run()
    assert not at.exception
    assert reads == ["calls"]  # the reading went on in its worker and was used, not started twice
    assert len(updates) >= 2  # the next run waited for it with a bar of its own
    assert at.session_state["emp"].name == "calls" and at.session_state["emp"].kind == "discrete"


def test_a_reading_the_stream_refuses_is_an_error_without_a_drop_rows_offer(root):
    values = [str(v) for v in np.arange(ROWS) % 9]
    values[3] = values[2_500] = "ten"  # one text cell in the preview's rows, one past them
    (root / "mixed.csv").write_text("teeth\n" + "\n".join(values) + "\n")
    at = open_in_app(data_page(), "mixed.csv")
    assert not at.exception
    assert at.error and "has 2 values that are not numbers" in at.error[0].value
    assert at.session_state["emp"] is None
    # Dropping the text rows the preview shows would leave the other one in the file: not offered.
    assert not [button for button in at.button if button.key == "drop_text_rows"]
