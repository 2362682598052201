"""ui.mixture_choices on the Models page: groups mixed and extra zeros, chosen in plain words."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def models_page(sample: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.button(key=f"sample_{sample}").click().run()
    return at.switch_page("pages/models.py").run()


def test_mixture_choices_become_requests_and_rank():
    at = models_page("overdispersed")
    at.checkbox(key="w_pick_mixture").check().run()
    family = at.selectbox(key="w_mixture_family")
    assert family.value == "poisson" and family.format_func("poisson") == "Poisson"
    at.selectbox(key="w_mixture_k").set_value(3).run()
    at.checkbox(key="w_pick_zero_inflated").check().run()
    at.selectbox(key="w_zero_family").set_value("nbinom").run()
    assert not at.exception and not at.error
    requests = dict(at.session_state["model_requests"])
    assert requests["mixture"] == {"family": "poisson", "k": 3}
    assert requests["zero_inflated"] == {"family": "nbinom"}
    assert not [c for c in at.caption if "keeps its options" in c.value]
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    labels = set(at.session_state["last_comparison"].table["label"])
    assert {"three Poisson groups mixed", "negative binomial with extra zeros"} <= labels


def test_continuous_data_offers_continuous_groups():
    at = models_page("waiting")
    at.checkbox(key="w_pick_mixture").check().run()
    assert set(at.selectbox(key="w_mixture_family").options) == {"normal", "log-normal", "gamma"}
    assert at.checkbox(key="w_pick_zero_inflated").disabled
