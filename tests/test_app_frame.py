"""The frame (app.py): navigation over the pages, and the sidebar on every page.

AppTest 1.67 with ``st.navigation`` reports the elements the main script draws (the
sidebar) only on a session's first run: on later runs its tree has an empty sidebar,
although the browser shows it on every page (see the screenshots). So the sidebar's
contents are asserted on first runs, seeded through session state; on later runs the
settings are set through the plain keys the sidebar's widgets are restored from (as
after a page switch in the browser).
"""

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kl_core.samples import SAMPLES

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["pages/home.py", "pages/data.py", "pages/models.py", "pages/compare.py"]
TITLES = {"pages/home.py": "KL Model Lab", "pages/data.py": "Data", "pages/models.py": "Models", "pages/compare.py": "Compare"}


def start(**seed) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in seed.items():
        at.session_state[key] = value
    return at.run()


def sidebar_text(at: AppTest) -> str:
    return " ".join(str(e.value) for e in (*at.sidebar.text, *at.sidebar.caption))


def test_home_is_the_default_page_with_the_sidebar():
    at = start()
    assert not at.exception
    assert at.title[0].value == TITLES["pages/home.py"]
    assert "No data yet" in sidebar_text(at)
    assert at.sidebar.radio(key="w_units").value == "bits"
    assert at.sidebar.radio(key="w_zero_policy").value == "strict"
    assert not [n for n in at.sidebar.number_input if n.key == "w_epsilon"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_registered_and_renders_without_data(page):
    at = start()
    at.switch_page(page).run()
    assert not at.exception
    assert at.title[0].value == TITLES[page]


def test_sidebar_shows_the_dataset_at_a_glance():
    at = start(emp=SAMPLES["worms"].empirical(), dataset_name="Worm teeth")
    text = sidebar_text(at)
    assert "Worm teeth" in text
    assert "N 100" in text and "Support 11" in text and "discrete" in text


def test_epsilon_input_only_for_the_epsilon_floor():
    at = start(zero_policy="epsilon", epsilon=1e-3)
    epsilon = at.sidebar.number_input(key="w_epsilon")
    assert epsilon.value == pytest.approx(1e-3)
    assert at.sidebar.radio(key="w_zero_policy").value == "epsilon"


def test_sidebar_choices_reach_the_comparison():
    at = start()
    at.button(key="sample_worms").click().run()
    bits = at.session_state["last_comparison"].table.set_index("model")["kl"]
    at.sidebar.radio(key="w_zero_policy").set_value("epsilon").run()
    at.sidebar.radio(key="w_units").set_value("nats").run()
    assert not at.exception
    comparison = at.session_state["last_comparison"]
    assert comparison.zero_policy == "epsilon" and comparison.base == pytest.approx(math.e)
    assert at.session_state["units"] == "nats"
    nats = comparison.table.set_index("model")["kl"]
    assert nats["uniform"] == pytest.approx(bits["uniform"] * math.log(2), rel=1e-3)


def test_settings_and_data_survive_page_switches():
    at = start()
    at.button(key="sample_worms").click().run()
    at.sidebar.radio(key="w_units").set_value("nats").run()
    for page in ["pages/data.py", "pages/models.py", "pages/home.py", "pages/compare.py"]:
        at.switch_page(page).run()
        assert not at.exception
        assert at.session_state["units"] == "nats"
        assert at.session_state["emp"] is not None
        assert at.session_state["dataset_name"] == "Worm teeth"
    assert at.session_state["last_comparison"].unit == "nats"
