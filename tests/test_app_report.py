"""The Report page (AppTest): four downloads of the same comparison the Compare page shows.

The page is run inside the app's ``st.navigation`` (its links point at other pages).
"""

import csv
import io
import json
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from kl_core import compare
from kl_core.export.json_io import rerun_from_json
from kl_core.samples import SAMPLES

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120



def app_entrypoint(tmp_path: Path) -> Path:
    """The app's entrypoint (``tmp_path`` is kept so callers need not change)."""
    return ROOT / "app.py"


@pytest.fixture
def downloads(monkeypatch):
    """Every file a run hands to Streamlit's media storage, by file id."""
    stored: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        stored[file_id] = path_or_data if isinstance(path_or_data, bytes) else Path(path_or_data).read_bytes()
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return stored


def _content(button, stored: dict[str, bytes]) -> bytes:
    file_id = Path(button.proto.url).stem
    return stored[file_id]


def _with_worms(tmp_path: Path) -> AppTest:
    """Load the worm sample the way a user does: the Home page's sample button (ui.loading.load_sample)."""
    at = AppTest.from_file(str(app_entrypoint(tmp_path)), default_timeout=TIMEOUT)
    at.run()
    at.button(key="sample_worms").click().run()
    assert not at.exception
    return at


def test_report_without_data_points_to_the_data_page(tmp_path):
    at = AppTest.from_file(str(app_entrypoint(tmp_path)), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/report.py").run()
    assert not at.exception
    assert "nothing to report yet" in at.info[0].value
    assert len(at.get("download_button")) == 0
    links = [link.proto.page for link in at.get("page_link")]
    assert any("data" in link for link in links)


def test_report_offers_four_downloads_of_the_current_comparison(tmp_path, downloads):
    at = _with_worms(tmp_path)
    assert at.title[0].value == "Compare"
    at.switch_page("pages/report.py").run()
    assert not at.exception
    buttons = at.get("download_button")
    assert [b.label for b in buttons] == [
        "Download ranking.csv", "Download comparison.json", "Download report.html", "Download rerun.py"]

    csv_text = _content(buttons[0], downloads).decode("utf-8")
    assert "uniform" in csv_text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    expected = compare(SAMPLES["worms"].empirical(), SAMPLES["worms"].models)
    assert [r["model"] for r in rows] == expected.table["model"].tolist()
    assert [float(r["kl"]) for r in rows] == pytest.approx(expected.table["kl"].tolist(), rel=1e-12)

    document = json.loads(_content(buttons[1], downloads))
    assert document["data"]["fingerprint"] == SAMPLES["worms"].empirical().fingerprint()
    assert document["source"].startswith("Sample:")
    assert rerun_from_json(json.dumps(document)).table["model"].tolist() == expected.table["model"].tolist()

    assert buttons[2].proto.deferred_file_id  # the HTML is built only when clicked
    snippet = _content(buttons[3], downloads).decode("utf-8")
    assert "Empirical.from_counts" in snippet and "compare(emp, models" in snippet


def test_report_follows_the_units_and_models_chosen(tmp_path, downloads):
    at = _with_worms(tmp_path)
    at.sidebar.radio(key="w_units").set_value("nats").run()
    at.session_state["model_requests"] = [("uniform", {}), ("binomial", {"n": 10})]
    at.switch_page("pages/report.py").run()
    assert not at.exception
    document = json.loads(_content(at.get("download_button")[1], downloads))
    assert document["settings"]["unit"] == "nats"
    assert [m["key"] for m in document["models"]] == ["uniform", "binomial"]
    assert document["requests"][1]["options"] == {"n": 10}
    assert "nats" in at.markdown[0].value


def test_report_follows_the_sessions_rank_by(tmp_path, downloads):
    at = _with_worms(tmp_path)
    at.session_state["model_requests"] = [("betabinom", {}), ("nbinom", {}), ("poisson", {})]
    at.session_state["rank_by"] = "aic"  # what the Compare page's "Rank by" control sets
    at.switch_page("pages/report.py").run()
    assert not at.exception
    buttons = at.get("download_button")
    document = json.loads(_content(buttons[1], downloads))
    assert document["settings"]["rank_by"] == "aic"
    assert [m["key"] for m in document["models"]] == ["betabinom", "poisson", "nbinom"]  # nbinom is 2nd by KL
    csv_rows = list(csv.DictReader(io.StringIO(_content(buttons[0], downloads).decode("utf-8"))))
    assert [r["model"] for r in csv_rows] == ["betabinom", "poisson", "nbinom"]
    assert "rank_by='aic'" in _content(buttons[3], downloads).decode("utf-8")
    assert "ranked by AIC" in at.caption[0].value
