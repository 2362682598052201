"""Compare page: ranking, verdict, the maths, the plots, units, bootstrap and the parameter sweep."""

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kl_core.samples import SAMPLES

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def compare_page(sample: str | None = "worms", **seed) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in seed.items():
        at.session_state[key] = value
    at.run()
    if sample:
        at.button(key=f"sample_{sample}").click().run()  # opens Compare
    else:
        at.switch_page("pages/compare.py").run()
    return at


def open_tab(at: AppTest, name: str) -> AppTest:
    """Open a tab of the Compare page as a click does (the tabs keep their state under a key)."""
    at.session_state["w_compare_tab"] = name
    return at.run()


def charts(at: AppTest) -> list[str]:
    return [chart.key for chart in at.get("plotly_chart")]


def ranking(at: AppTest):
    return next(frame.value for frame in at.dataframe if "Rank" in frame.value.columns)


def test_no_data_gives_a_friendly_message_and_a_link():
    at = compare_page(None)
    assert not at.exception
    assert "nothing to compare yet" in at.info[0].value
    assert [link for link in at.get("page_link") if link.proto.page == "data"]


def test_data_without_models_uses_the_defaults_and_says_so():
    at = compare_page(None, emp=SAMPLES["worms"].empirical(), dataset_name="Worm teeth")
    assert not at.exception
    assert "defaults for this data" in at.info[0].value
    assert set(ranking(at)["Model"]) == {"uniform", "binomial", "Poisson"}


def test_worm_teeth_ranks_uniform_above_binomial():
    at = compare_page()
    assert not at.exception
    models = ranking(at)["Model"].tolist()
    assert models.index("uniform") < models.index("binomial")
    shown = ranking(at).set_index("Model")
    assert shown.loc["uniform", "KL (bits/obs)"] == "0.1972"
    assert shown.loc["binomial", "KL (bits/obs)"] == "0.6165"
    # ± one standard error: sqrt(p(1 − p)/(N·n)) = sqrt(0.544·0.456/1000) = 0.01575 (issue 12); n is declared, so none
    assert shown.loc["binomial", "Parameters"] == "n=10, p=0.544 ± 0.016"
    assert shown.loc["uniform", "Parameters"] == "low=0, high=10"  # no Hessian at the support's ends: no fake ±
    assert "Uniform loses 0\\.197" in at.markdown[0].value  # the verdict, in large type
    assert len(at.latex) == 2 and "D_{\\mathrm{KL}}" in at.latex[0].value and "AIC" in at.latex[1].value
    assert charts(at) == ["fig_bars"]  # only the open tab is computed
    for tab, chart in (("Density", "fig_density"), ("Small multiples", "fig_multiples"), ("Where bits are lost", "fig_contributions"),
                       ("CDFs", "fig_cdf"), ("Ranking", "fig_ranking")):
        assert charts(open_tab(at, tab)) == [chart] and not at.exception


def test_units_switch_scales_every_kl_by_ln2():
    at = compare_page()
    bits = at.session_state["last_comparison"].table.set_index("model")["kl"]
    at.sidebar.radio(key="w_units").set_value("nats").run()  # the real sidebar control
    assert not at.exception
    comparison = at.session_state["last_comparison"]
    assert comparison.unit == "nats"
    nats = comparison.table.set_index("model")["kl"]
    for model in bits.index:
        assert nats[model] == pytest.approx(bits[model] * math.log(2), rel=1e-9)
    assert "KL (nats/obs)" in ranking(at).columns


def test_infinite_kl_is_shown_with_its_reason():
    at = compare_page(None, emp=SAMPLES["worms"].empirical(),
                      model_requests=[("uniform", {}), ("binomial", {"p": 0.0})])
    assert not at.exception
    shown = ranking(at).set_index("Model")
    assert shown.loc["binomial", "KL (bits/obs)"] == "∞"
    assert "0 probability" in shown.loc["binomial", "Note"]
    failures = at.dataframe[-1].value
    assert failures["Model"].tolist() == ["binomial"]


def test_epsilon_floor_makes_it_finite_and_says_so():
    at = compare_page(None, emp=SAMPLES["worms"].empirical(), zero_policy="epsilon", epsilon=1e-4,
                      model_requests=[("uniform", {}), ("binomial", {"p": 0.0})])
    assert not at.exception
    shown = ranking(at).set_index("Model")
    assert shown.loc["binomial", "KL (bits/obs)"] != "∞"
    assert "ε-floor" in shown.loc["binomial", "Note"]


def test_bootstrap_adds_intervals_and_keeps_the_tab_and_the_p_value_in_view():
    at = open_tab(compare_page(), "Ranking")
    at.number_input(key="w_bootstrap").set_value(50).run()
    assert not at.exception
    assert at.session_state["w_compare_tab"] == "Ranking"  # typing B keeps the tab
    assert at.session_state["bootstrap"] == 50
    assert at.session_state["w_compare_tab"] == "Ranking" and charts(at) == ["fig_ranking"]
    assert ranking(at)["KL 95% interval (bits)"].str.startswith("[").all()
    table = next(frame for frame in at.dataframe if "Rank" in frame.value.columns)
    order = list(table.proto.column_order)
    assert order.index("p-value") < order.index("Parameters") < order.index("Note")  # numbers first


def test_figures_draw_the_best_five_and_say_how_many_more_in_one_line():
    from kl_core.models import REGISTRY

    discrete = [name for name, spec in REGISTRY.items() if spec.group in ("simple", "discrete")]
    at = compare_page(None, emp=SAMPLES["worms"].empirical(), model_requests=[(name, {}) for name in discrete])
    assert not at.exception
    figure = at.get("plotly_chart")[0].proto.spec
    import json
    traces = json.loads(figure)["data"]
    drawn = [trace for trace in traces if trace.get("meta", {}).get("role") == "model"]
    assert len(drawn) == 5
    assert len({trace["marker"]["color"] for trace in drawn}) == 5  # five different colours
    fitted = len(at.session_state["last_comparison"].fitted)
    lines = [caption.value for caption in at.caption if "more in the table" in caption.value]
    assert len(lines) == 1 and lines[0].startswith(f"The best 5 drawn, and {fitted - 5} more in the table")
    assert "Not plotted" not in " ".join(caption.value for caption in at.caption)
    at.number_input(key="w_plotted").set_value(9).run()
    traces = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert len([trace for trace in traces if trace.get("meta", {}).get("role") == "model"]) == 9


def test_table_marks_each_drawn_model_with_its_figure_colour():
    from kl_core.plots import model_colors

    at = compare_page()
    comparison = at.session_state["last_comparison"]
    colors = model_colors([str(key) for key in comparison.table["model"] if key in comparison.fitted])
    import json
    traces = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    for trace in traces:
        if trace.get("meta", {}).get("role") == "model":
            assert trace["marker"]["color"] == colors[trace["meta"]["key"]]
    table = next(frame for frame in at.dataframe if "Rank" in frame.value.columns)
    styles = table.proto.arrow_data.styler.styles
    for key in colors:
        assert f"color: {colors[key]}" in styles
    assert list(table.proto.column_order)[0] == "Colour"


def test_labels_are_words_and_aic_is_a_difference_in_nats():
    at = compare_page(None, emp=SAMPLES["worms"].empirical(),
                      model_requests=[("nbinom", {}), ("geom", {}), ("poisson", {})])
    assert not at.exception
    shown = ranking(at)
    assert set(shown["Model"]) == {"negative binomial", "geometric", "Poisson"}
    assert "ΔAIC (nats)" in shown.columns and "Free parameters" in shown.columns
    assert "0" in shown["ΔAIC (nats)"].tolist()
    verdict = at.markdown[0].value
    assert "Nbinom" not in verdict and "geom " not in verdict
    assert any("nats on the −2 log L scale" in caption.value for caption in at.caption)


def test_sweep_slider_moves_the_kl():
    at = open_tab(compare_page(), "Try a parameter")
    assert at.selectbox(key="w_sweep_model").value == "binomial"  # uniform has no parameter to vary
    assert at.selectbox(key="w_sweep_model").options == ["binomial"]  # the display label, not binomial(n=10, p=…)
    assert not at.slider  # nothing refitted until asked
    at.button(key="w_sweep_draw").click().run()
    slider = at.slider(key="w_sweep_value_binomial_p")
    assert slider.value == pytest.approx(0.544)
    assert at.metric[0].value.startswith("0.6165")
    slider.set_value(0.45).run()
    assert not at.exception
    assert at.metric[0].label == "KL at p = 0.45"
    assert float(at.metric[0].value.split()[0]) > 0.6165


@pytest.mark.parametrize("sample", ["planets", "coin", "waiting", "overdispersed"])
def test_every_sample_renders(sample):
    at = compare_page(sample)
    assert not at.exception
    assert not at.error
    assert len(ranking(at)) >= 1
