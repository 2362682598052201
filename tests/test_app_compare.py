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


def notes_on_the_fits(at: AppTest) -> list[str]:
    """The lines of the notes under the ranking table, Markdown escapes undone."""
    caption = next(c.value for c in at.caption if c.value.startswith("Notes on the fits:"))
    return [line.replace("\\", "").replace("**", "") for line in caption.split("  \n")[1:]]


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
    failures = at.table[-1].value  # an HTML table: the whole reason wraps, where a grid cuts it at the column's edge
    assert failures["Model"].tolist() == ["binomial"]
    reason = at.session_state["last_comparison"].table.set_index("model").loc["binomial", "note"]
    assert len(reason) > 100 and failures["Why"].str.replace("\\", "").tolist() == [reason]  # shown as typed
    assert notes_on_the_fits(at) == ["uniform: range taken from the observed minimum and maximum",
                                     "binomial: not ranked; why is listed at the end of the page."]


def test_epsilon_floor_makes_it_finite_and_says_so():
    at = compare_page(None, emp=SAMPLES["worms"].empirical(), zero_policy="epsilon", epsilon=1e-4,
                      model_requests=[("uniform", {}), ("binomial", {"p": 0.0})])
    assert not at.exception
    shown = ranking(at).set_index("Model")
    assert shown.loc["binomial", "KL (bits/obs)"] != "∞"
    assert "ε-floor" in shown.loc["binomial", "Note"]
    note = at.session_state["last_comparison"].table.set_index("model").loc["binomial", "note"]
    assert f"binomial: {note}" in notes_on_the_fits(at)  # the whole note, as page text that wraps


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
    assert order.index("p-value") < order.index("Parameters")  # numbers first
    assert "Note" not in order  # a grid cuts it at the page's edge: the notes are listed under the table


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


# ------------------------------------------------------- issue 12 and 10 on Compare
def _seeded(emp, requests, name="seeded data", **seed) -> AppTest:
    return compare_page(None, emp=emp, dataset_name=name, model_requests=requests, **seed)


def _waiting() -> AppTest:
    return compare_page("waiting")


def test_rank_by_aic_reorders_the_table_and_the_verdict_and_goes_in_the_link():
    # 51 heads in 100 flips: Bernoulli fits best (KL 0) but uniform, with no parameter, has the smaller AIC
    # (ΔAIC = 2 − 2·N·ΔKL in nats = 1.96; the docstring of kl_core.ranking.verdict has the same example).
    from kl_core import Empirical

    coin = Empirical.from_counts([0, 1], [51, 49])
    at = _seeded(coin, [("uniform", {}), ("bernoulli", {})])
    assert not at.exception
    assert ranking(at)["Model"].tolist()[0] == "Bernoulli"
    assert any(c.value.startswith("Ordered by KL divergence") for c in at.caption)
    at.segmented_control(key="w_rank_by").set_value("aic").run()
    assert not at.exception
    assert ranking(at)["Model"].tolist() == ["uniform", "Bernoulli"]
    assert ranking(at)["Rank"].tolist() == ["1", "2"]
    assert at.markdown[0].value.startswith("### Uniform loses")
    assert any(c.value.startswith("Ordered by AIC") for c in at.caption)
    assert at.session_state["last_comparison"].table["model"].tolist() == ["uniform", "bernoulli"]
    assert "aic" in str(at.query_params.get("rank"))  # the share link keeps the order


def test_a_link_with_rank_bic_opens_compare_ranked_by_bic():
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["sample"] = "worms"
    at.query_params["rank"] = "bic"
    at.query_params["page"] = "compare"
    at.run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert at.session_state["rank_by"] == "bic"
    assert any(c.value.startswith("Ordered by BIC") for c in at.caption)
    order = list(next(frame for frame in at.dataframe if "Rank" in frame.value.columns).proto.column_order)
    assert "ΔBIC (nats)" in order and "ΔAIC (nats)" not in order  # the gap in the criterion that orders the table


def test_probabilities_have_no_rank_by_choice():
    at = compare_page("planets")
    assert not at.exception
    assert not [w for w in at.segmented_control if w.key == "w_rank_by"]


def test_continuous_data_gets_goodness_of_fit_columns_with_the_caveat():
    at = _waiting()
    assert not at.exception
    full = next(frame.value for frame in at.dataframe if "KS" in frame.value.columns)
    assert {"KS", "KS p (classical)", "CvM", "CvM p (classical)", "AD", "KL at these bins (bits/obs)"} <= set(full.columns)
    assert "AD p" not in " ".join(full.columns)  # no p-value where none is valid
    assert any("conservative" in c.value for c in at.caption)
    assert any("KL at these bins" in c.value for c in at.caption)
    worms = compare_page()
    assert not any("KS" in frame.value.columns for frame in worms.dataframe)  # counts: the G-test instead


def test_standard_errors_are_a_toggle_off_for_continuous_data_and_never_faked():
    at = _waiting()
    assert not at.exception
    assert at.toggle(key="w_stderr").value is False
    assert "±" not in " ".join(ranking(at)["Parameters"])
    at.toggle(key="w_stderr").set_value(True).run(timeout=180)  # numerical Hessians: seconds per family, once
    assert not at.exception
    params = ranking(at).set_index("Model")["Parameters"]
    assert "±" in params["normal"] and params["normal"].count("±") == 2  # loc and scale
    assert "±" not in params["uniform"]  # the support's ends have no Hessian: the estimate alone


def test_density_tab_draws_for_continuous_and_count_data():
    for sample in ("waiting", "worms"):
        at = open_tab(compare_page(sample), "Density")
        assert not at.exception
        assert charts(at) == ["fig_density"], sample


def test_the_binned_kl_at_three_bin_counts_is_shown_for_continuous_data():
    at = _waiting()
    assert not any("KL (D̂, bits/obs)" in frame.value.columns for frame in at.dataframe)  # drawn when opened
    at.session_state["x_binned"] = True  # open the expander, as a click does
    at.run()
    emp = at.session_state["emp"]
    frame = next(frame.value for frame in at.dataframe if "KL (D̂, bits/obs)" in frame.value.columns)
    bins = [c for c in frame.columns if c.endswith("bins") or "(these bins)" in c]
    assert bins == [f"{emp.k // 2} bins", f"{emp.k} bins (these bins)", f"{2 * emp.k} bins"]
    from kl_core.continuous_kl import kl_binned_at
    from kl_core.display import format_number

    result = at.session_state["last_comparison"]
    best = result.best
    expected = kl_binned_at(emp, result.fitted[best], base=2)
    row = frame.iloc[0]
    assert [row[c] for c in bins] == [format_number(expected[k]) for k in (emp.k // 2, emp.k, 2 * emp.k)]


def test_draws_download_refuses_too_many_with_a_clear_message():
    at = compare_page()
    assert not at.get("download_button")  # the inputs come with the opened expander
    at.session_state["x_draws"] = True
    at.run()
    button = at.get("download_button")
    assert button and not button[0].proto.disabled
    at.number_input(key="w_draws_n").set_value(2_000_000).run()
    assert not at.exception
    assert any("at most 1,000,000 draws" in e.value for e in at.error)
    assert at.get("download_button")[0].proto.disabled


def test_bootstrap_gives_parameter_intervals_in_the_ranking_tab():
    at = compare_page()
    at = open_tab(at, "Ranking")
    at.number_input(key="w_bootstrap").set_value(50).run()
    at.selectbox(key="w_interval_model").set_value("binomial").run()
    assert not at.exception
    table = next(frame.value for frame in at.dataframe if "95% bootstrap interval" in frame.value.columns)
    row = table.set_index("Parameter").loc["p"]
    low, high = (float(x) for x in row["95% bootstrap interval"].strip("[]").split(", "))
    assert low < 0.544 < high and high - low < 0.1  # ± about 2 × 0.016


def test_a_binned_winner_that_moves_with_the_bins_is_a_warning_and_the_ranking_stays_bin_free():
    # fitdistrplus's groundbeef serving sizes (254 values): Weibull wins at half the display bins, gamma at the others.
    import pandas as pd

    from kl_core import Empirical

    serving = pd.read_csv(Path(__file__).parent / "data" / "real" / "groundbeef.csv")["serving"].to_numpy(float)
    at = _seeded(Empirical.from_samples(serving, name="serving"), [("weibull_min", {}), ("gamma", {})], name="groundbeef")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "different winner at different bin counts" in warning and "Weibull" in warning and "gamma" in warning
    table = at.session_state["last_comparison"].table
    assert table["kl"].tolist() == sorted(table["kl"].tolist())  # the order is D̂'s, whatever the bins say


def test_a_binned_winner_that_is_not_the_bin_free_winner_at_every_bin_count_is_a_warning_too():
    # R's precip (70 cities): the normal has the larger log-likelihood, the Weibull the smaller binned KL at all three
    # bin counts, so the binned winners agree with each other, not with D̂.
    import pandas as pd

    from kl_core import Empirical

    precip = pd.read_csv(Path(__file__).parent / "data" / "real" / "precip.csv")["precip"].to_numpy(float)
    at = _seeded(Empirical.from_samples(precip, name="precip"), [("norm", {}), ("weibull_min", {})], name="precip")
    assert not at.exception
    assert ranking(at)["Model"].tolist()[0] == "normal"
    warning = " ".join(w.value for w in at.warning)
    assert "the binned KL ranks Weibull first" in warning and "ranks normal first" in warning


def test_an_edge_fit_gets_no_plus_minus_and_the_caption_says_why():
    # Old Faithful eruptions: Student's t runs to df → ∞ (its fitter's note says so); its Hessian would give
    # df = 7e10 ± 2e13, a number that means nothing. The normal's ± are analytic: s/√N and s/√(2N).
    import pandas as pd

    from kl_core import Empirical

    eruptions = pd.read_csv(Path(__file__).parent / "data" / "real" / "faithful.csv")["eruptions"].to_numpy(float)
    at = _seeded(Empirical.from_samples(eruptions, name="eruptions"), [("norm", {}), ("t", {}), ("gamma", {})],
                 name="faithful", show_stderr=True)
    at.run(timeout=120)
    assert not at.exception
    shown = ranking(at).set_index("Model")
    params = shown["Parameters"]
    for model, text in params.items():  # never a ± on a parameter the fit held (gamma's default loc = 0)
        assert text.count("±") <= int(shown.loc[model, "Free parameters"]), (model, text)
    assert "loc=0 ±" not in params["gamma"] and "loc=0.0" not in params["gamma"]
    assert params["normal"] == "loc=3.488 ± 0.069, scale=1.139 ± 0.049"  # 1.1393/√272 = 0.0691, 1.1393/√544 = 0.0488
    t_row = next(model for model in params.index if model.startswith("Student's t"))  # however the edge fit is named
    assert "±" not in params[t_row]
    why = next(c for c in at.caption if c.value.startswith("No ± for Student's t"))
    assert "the fit ran to the edge of its family" in why.proto.help
