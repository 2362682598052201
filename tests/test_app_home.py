"""Home page: the story, one-click samples that open Compare, and the three steps."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from kl_core.samples import SAMPLES

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def start() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30).run()


def test_home_renders_without_data():
    at = start()
    assert not at.exception
    assert at.title[0].value == "KL Model Lab"
    assert "fewest bits" in at.markdown[0].value
    assert {b.key for b in at.button} >= {f"sample_{key}" for key in SAMPLES}
    links = {link.proto.page for link in at.get("page_link")}
    assert {"data", "models", "compare"} <= links


def test_worm_button_loads_the_sample_and_opens_compare():
    at = start()
    at.button(key="sample_worms").click().run()
    assert not at.exception
    assert at.title[0].value == "Compare"
    assert at.session_state["dataset_name"] == "Worm teeth"
    assert at.session_state["emp"].n == 100
    order = at.session_state["last_comparison"].table["model"].tolist()
    assert order.index("uniform") < order.index("binomial")


def test_home_renders_with_data():
    at = start()
    at.button(key="sample_coin").click().run()
    at.switch_page("pages/home.py").run()
    assert not at.exception
    assert at.title[0].value == "KL Model Lab"
    assert at.session_state["dataset_name"] == "Coin flips"
