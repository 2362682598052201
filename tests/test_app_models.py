"""Models page: families by group, defaults, disabled ones with reasons, options, your own models."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from kl_core.models import REGISTRY, default_models
from kl_core.samples import SAMPLES

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def models_page(sample: str | None = "worms") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    if sample:
        at.button(key=f"sample_{sample}").click().run()
    return at.switch_page("pages/models.py").run()


def ticked(at: AppTest) -> set[str]:
    return {c.key.removeprefix("w_pick_") for c in at.checkbox if c.key.startswith("w_pick_") and c.value}


def test_renders_without_data():
    at = models_page(None)
    assert not at.exception
    assert "Load some data first" in at.info[0].value
    assert [link for link in at.get("page_link") if link.proto.page == "data"]


def test_families_grouped_with_the_sample_models_ticked():
    at = models_page()
    assert not at.exception
    headers = [h.value for h in at.subheader]
    assert headers[:4] == ["Simple models", "Discrete families", "Continuous families", "Your own models"]
    assert {c.key.removeprefix("w_pick_") for c in at.checkbox} == set(REGISTRY)  # read live from the registry
    assert ticked(at) == set(SAMPLES["worms"].models)


def test_inapplicable_families_are_disabled_with_their_reason():
    at = models_page()
    norm = at.checkbox(key="w_pick_norm")
    assert norm.disabled and "not applicable" in norm.help and "binned" in norm.help
    assert not at.checkbox(key="w_pick_poisson").disabled


def test_defaults_for_data_loaded_without_models():
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["emp"] = SAMPLES["overdispersed"].empirical()
    at.run().switch_page("pages/models.py").run()
    assert not at.exception
    assert ticked(at) == set(default_models(at.session_state["emp"]))


def test_choosing_the_simple_models_gives_the_worm_verdict():
    at = models_page()  # the worm sample ticks the story's two models: uniform and binomial
    assert at.session_state["model_requests"] == [("uniform", {}), ("binomial", {})]
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    verdict = at.markdown[0].value.replace("\\", "")
    assert verdict == ("### Uniform loses 0.197 bits per observation, binomial 0.617: "
                       "the uniform model keeps the most information, with fewer parameters. "
                       "But even uniform is rejected by the G-test at 5 % (p = 0.0023): no model here describes the data well.")


def test_declared_n_and_fixed_parameters():
    at = models_page()
    at.checkbox(key="w_pick_poisson").check().run()
    at.number_input(key="w_binomial_n").set_value(12).run()
    at.text_input(key="w_fixed_poisson").set_value("mu=5").run()
    assert not at.exception and not at.error
    requests = dict(at.session_state["model_requests"])
    assert requests["binomial"] == {"n": 12}
    assert requests["poisson"] == {"mu": 5}
    at.text_input(key="w_fixed_poisson").set_value("mu=five").run()
    assert not at.exception
    assert "Could not read" in at.error[0].value
    assert dict(at.session_state["model_requests"])["poisson"] == {}


def test_fit_button_shows_results_and_failures():
    at = models_page()
    assert at.checkbox(key="w_pick_bernoulli").disabled  # 0..10 is not 0/1: never requested
    at.checkbox(key="w_pick_geom").check().run()
    assert "geometric" in [c.label.lower().split(" (")[0] for c in at.checkbox]
    at.number_input(key="w_binomial_n").set_value(5).run()  # below the largest value, 10: KL = ∞ (issue 10)
    at.button(key="fit_models").click().run()
    assert not at.exception
    assert at.success and "Fitted 3 of 3" in at.success[0].value
    assert at.success[0].value.endswith("Best: uniform.")  # the display label, as on Compare
    failures = at.table[-1].value  # the whole reason, in a table whose cells wrap
    assert failures["Model"].tolist() == ["binomial"] and "declare n ≥ 10" in failures["Why"].iloc[0].replace("\\", "")
    assert "bernoulli" not in dict(at.session_state["model_requests"])


def test_your_formula_and_table():
    at = models_page()
    at.checkbox(key="w_pick_expression").check().run()
    assert at.code and "unnormalised probability mass" in at.code[0].value
    at.text_input(key="w_formula").set_value("p*(1-p)**x").run()
    at.text_input(key="w_formula_start").set_value("p=0.3").run()
    at.checkbox(key="w_pick_custom").check().run()
    assert not at.exception and not at.error
    requests = dict(at.session_state["model_requests"])
    assert requests["expression"] == {"formula": "p*(1-p)**x", "start": {"p": 0.3}}
    assert requests["custom"]["values"] == [float(v) for v in range(11)]
    at.text_input(key="w_formula").set_value("open('x')").run()
    assert not at.exception
    assert "not an allowed function" in at.error[0].value


def test_second_dataset_as_the_model():
    at = models_page()
    at.checkbox(key="w_pick_empirical").check().run()
    csv = ("teeth\n" + "\n".join(str(v % 11) for v in range(300)) + "\n").encode()
    at.file_uploader(key="w_reference_upload").upload("other.csv", csv, "text/csv").run()
    assert not at.exception and not at.error
    reference = dict(at.session_state["model_requests"])["empirical"]["reference"]
    assert reference.n == 300 and reference.k == 11
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert "empirical" in at.session_state["last_comparison"].table["model"].tolist()


def test_a_samples_own_model_options_survive_the_models_page():
    at = models_page("planets")
    assert not at.exception
    sample_requests = [(m, {}) if isinstance(m, str) else (m[0], dict(m[1])) for m in SAMPLES["planets"].models]
    assert sorted(map(repr, at.session_state["model_requests"])) == sorted(map(repr, sample_requests))
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert len(at.session_state["last_comparison"].table) == len(sample_requests)


def test_ticking_your_own_models_shows_no_error_until_something_is_typed():
    at = models_page()
    at.checkbox(key="w_pick_expression").check().run()
    at.checkbox(key="w_pick_empirical").check().run()
    assert not at.exception and not at.error  # nothing typed yet: hints, not red
    hints = " ".join(caption.value for caption in at.caption)
    assert "Type a formula in x first" in hints and "Upload a second dataset first" in hints
    at.text_input(key="w_formula").set_value("p*(1-p)**x").run()
    at.text_input(key="w_formula_start").set_value("q=2").run()  # typed, and wrong: now it is an error
    assert "'q' is not a parameter here" in at.error[0].value


def test_the_second_dataset_is_named_by_its_file_on_compare():
    at = models_page()
    at.checkbox(key="w_pick_empirical").check().run()
    csv = ("teeth\n" + "\n".join(str(v % 9) for v in range(250)) + "\n").encode()  # not other.csv's data (cached by content)
    at.file_uploader(key="w_reference_upload").upload("teeth_2025.csv", csv, "text/csv").run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    models = next(frame.value for frame in at.dataframe if "Rank" in frame.value.columns)["Model"].tolist()
    assert "second dataset: teeth_2025.csv" in models and "empirical" not in models
