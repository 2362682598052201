"""kl_core.plots: traces carry the data exactly, colours are consistent, ∞ is marked, text is escaped, figures are fast."""

import json
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from scipy import stats

from kl_core import DataError, Empirical, FittedModel, compare, fit
from kl_core.display import fitted_label
from kl_core.plots import (
    EMPIRICAL_COLOR, MAX_CURVE_POINTS, PALETTE, cdf_figure, contributions_figure, cullen_frey_figure, density_figure,
    distribution_bars, empirical_figure, model_colors, plain_text, pp_figure, qq_figure, ranking_figure, small_multiples,
    sweep_figure,
)
from kl_core.measures import kl_contributions
from kl_core.ranking import kl_sweep
from kl_core.samples import SAMPLES

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


# ----------------------------------------------------------------------- fixtures
def _ordered(comparison):
    """The fitted models in ranking (table) order, as the app passes them."""
    return {key: comparison.fitted[key] for key in comparison.table["model"] if key in comparison.fitted}


@pytest.fixture(scope="module")
def runs():
    out = {}
    extra = {"worms": ["poisson"]}  # three models on the worms, so colours are tested across 3
    for key in ("worms", "coin", "waiting"):
        sample = SAMPLES[key]
        emp = sample.empirical()
        comparison = compare(emp, list(sample.models) + extra.get(key, []))
        out[key] = (emp, comparison, _ordered(comparison))
    return out


@pytest.fixture(scope="module")
def worms():
    return SAMPLES["worms"].empirical()


def _role(fig, role):
    return [trace for trace in fig.data if isinstance(trace.meta, dict) and trace.meta.get("role") == role]


def _by_key(fig, role="model"):
    return {trace.meta["key"]: trace for trace in _role(fig, role)}


def _color(trace):
    if isinstance(trace, go.Bar):
        return trace.marker.color
    return trace.line.color


def _strings(node):
    """Every string in a figure's JSON-able form (titles, names, hover, annotations, labels)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, (list, tuple, np.ndarray)):
        for value in node:
            yield from _strings(value)


def _check_common(fig):
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text
    assert fig.layout.template.layout.plot_bgcolor == "white"  # plotly_white
    json.loads(fig.to_json())  # serialises
    legend = fig.layout.legend
    # below the plot, anchored to the figure's bottom edge: wrapping on a phone cannot cover the title
    assert legend.orientation == "h" and legend.yref == "container" and legend.y == 0 and legend.yanchor == "bottom"


KINDS = ["worms", "coin", "waiting"]


# --------------------------------------------------------------------------- basics
def test_palette_is_okabe_ito_and_colours_follow_position():
    assert set(PALETTE) <= OKABE_ITO and len(set(PALETTE)) == len(PALETTE)
    assert EMPIRICAL_COLOR not in PALETTE
    colours = model_colors(["b", "a", "c"])
    assert list(colours) == ["b", "a", "c"]
    assert colours == {"b": PALETTE[0], "a": PALETTE[1], "c": PALETTE[2]}
    assert model_colors([str(i) for i in range(len(PALETTE) + 1)])[str(len(PALETTE))] == PALETTE[0]


def test_plain_text_escapes_html():
    assert plain_text("<b>x</b> & <script>") == "&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;"
    assert plain_text(3) == "3"


# ------------------------------------------------------------------------ per figure
@pytest.mark.parametrize("key", KINDS)
def test_empirical_figure(runs, key):
    emp, _, _ = runs[key]
    fig = empirical_figure(emp)
    _check_common(fig)
    assert len(fig.data) == 1
    bar = fig.data[0]
    assert isinstance(bar, go.Bar) and bar.marker.color == EMPIRICAL_COLOR
    np.testing.assert_allclose(bar.y, emp.probs)
    assert "probability" in fig.layout.yaxis.title.text
    if emp.kind == "binned":
        np.testing.assert_allclose(bar.width, np.diff(emp.edges))
        np.testing.assert_allclose(bar.x, emp.support)
        assert "per bin" in fig.layout.yaxis.title.text and "per bin" in fig.layout.title.text
    elif emp.kind == "categorical":
        assert list(bar.x) == list(emp.support) and fig.layout.xaxis.type == "category"
    else:
        np.testing.assert_allclose(bar.x, emp.support)
        assert fig.layout.xaxis.dtick == 1  # 0..10 teeth: every whole number
    assert "count" in bar.hovertemplate and "probability" in bar.hovertemplate


def test_empirical_figure_without_n_has_no_counts():
    emp = SAMPLES["planets"].empirical()
    fig = empirical_figure(emp)
    assert "count" not in fig.data[0].hovertemplate
    assert "N unknown" in fig.layout.title.subtitle.text


@pytest.mark.parametrize("key", KINDS)
def test_distribution_bars(runs, key):
    emp, _, models = runs[key]
    fig = distribution_bars(emp, models)
    _check_common(fig)
    assert len(fig.data) == 1 + len(models)
    (empirical,) = _role(fig, "empirical")
    np.testing.assert_allclose(empirical.y, emp.probs)
    assert empirical.marker.color == EMPIRICAL_COLOR
    traces = _role(fig, "model")
    assert [trace.meta["key"] for trace in traces] == list(models)  # ranking order
    for trace in traces:
        np.testing.assert_allclose(trace.y, models[trace.meta["key"]].mass(emp))
    if emp.kind == "binned":
        assert all(isinstance(trace, go.Scatter) and "lines" in trace.mode for trace in traces)
        assert "per bin" in fig.layout.yaxis.title.text
    else:
        assert all(isinstance(trace, go.Bar) for trace in traces) and fig.layout.barmode == "group"


@pytest.mark.parametrize("key", KINDS)
def test_small_multiples(runs, key):
    emp, comparison, models = runs[key]
    kl = dict(zip(comparison.table["model"], comparison.table["kl"]))
    fig = small_multiples(emp, models, kl=kl, base=2)
    _check_common(fig)
    assert len(fig.data) == 2 * len(models)
    empirical = _role(fig, "empirical")
    assert len(empirical) == len(models)
    for trace in empirical:
        assert trace.marker.color == EMPIRICAL_COLOR
        np.testing.assert_allclose(trace.y, emp.probs)
    for key_, trace in _by_key(fig).items():
        np.testing.assert_allclose(trace.y, models[key_].mass(emp))
    titles = [annotation.text for annotation in fig.layout.annotations]
    for key_, model in models.items():
        assert any(fitted_label(key_, model) in title and f"{kl[key_]:#.3g} bits" in title for title in titles)
    assert len({trace.xaxis for trace in _role(fig, "model")}) == len(models)  # one panel each


def test_small_multiples_without_kl_and_in_nats(runs):
    emp, comparison, models = runs["worms"]
    titles = [a.text for a in small_multiples(emp, models).layout.annotations]
    assert not any("bits" in title for title in titles)
    nats = dict(zip(comparison.table["model"], comparison.table["kl"] * math.log(2)))
    titles = [a.text for a in small_multiples(emp, models, kl=nats, base=math.e).layout.annotations]
    assert all("nats" in title for title in titles[: len(models)])


@pytest.mark.parametrize("key", KINDS)
def test_contributions_figure(runs, key):
    emp, comparison, models = runs[key]
    fig = contributions_figure(emp, models, base=2)
    _check_common(fig)
    assert len(fig.data) == len(models)  # no ∞ here
    for key_, trace in _by_key(fig).items():
        expected = kl_contributions(emp.probs, models[key_].mass(emp), 2)
        np.testing.assert_allclose(trace.y, expected)
        # the bars are the binned KL's terms: for continuous data that is kl_binned (kl is the bin-free D̂)
        kl = comparison.table.set_index("model").loc[key_, "kl_binned" if emp.kind == "binned" else "kl"]
        assert np.nansum(trace.y) == pytest.approx(kl, rel=1e-6, abs=1e-9)
    assert "KL contribution (bits)" in fig.layout.yaxis.title.text


def test_infinite_contributions_are_marked_not_plotted(worms):
    models = {"uniform": fit(worms, "uniform", low=3, high=10), "poisson": fit(worms, "poisson")}
    fig = contributions_figure(worms, models)
    _check_common(fig)
    trace = _by_key(fig)["uniform"]
    y = np.asarray(trace.y, dtype=float)
    assert not np.isinf(y).any()
    assert np.isnan(y[:3]).all() and np.isfinite(y[3:]).all()  # teeth 0, 1, 2 get q = 0
    (marks,) = _role(fig, "infinite")
    np.testing.assert_allclose(marks.x, [0, 1, 2])
    assert list(marks.text) == ["∞"] * 3
    assert np.isfinite(marks.y).all() and min(marks.y) > np.nanmax(y)  # at the top, finite
    assert "∞" in marks.hovertemplate
    assert marks.marker.color == _color(trace)
    assert any("∞" in annotation.text and "uniform" in annotation.text for annotation in fig.layout.annotations)
    assert fig.layout.yaxis.range[1] > max(marks.y)


def test_infinite_contributions_binned():
    emp = SAMPLES["waiting"].empirical()
    narrow = FittedModel("narrow", {}, 0, cdf_function=stats.uniform(loc=5, scale=30).cdf, continuous=True)
    fig = contributions_figure(emp, {"gamma": fit(emp, "gamma"), "narrow": narrow})
    (marks,) = _role(fig, "infinite")
    infinite = (emp.edges[1:] <= 5) & (emp.probs > 0)
    np.testing.assert_allclose(marks.x, emp.support[infinite])
    assert not np.isinf(np.asarray(_by_key(fig)["narrow"].y, dtype=float)).any()
    json.loads(fig.to_json())


@pytest.mark.parametrize("key", KINDS)
def test_cdf_figure(runs, key):
    emp, _, models = runs[key]
    fig = cdf_figure(emp, models)
    _check_common(fig)
    (empirical,) = _role(fig, "empirical")
    cumulative = np.cumsum(emp.probs)
    if emp.kind == "categorical":
        assert isinstance(empirical, go.Bar) and empirical.marker.color == EMPIRICAL_COLOR
        np.testing.assert_allclose(empirical.y, cumulative)
        assert "alphabetical" in fig.layout.title.subtitle.text
        for key_, trace in _by_key(fig).items():
            np.testing.assert_allclose(trace.y, np.cumsum(models[key_].mass(emp)))
        return
    assert empirical.line.color == EMPIRICAL_COLOR and empirical.line.shape == "hv"
    if emp.kind == "binned":
        np.testing.assert_allclose(empirical.x, emp.edges)
        np.testing.assert_allclose(empirical.y, np.concatenate([[0], cumulative]))
    else:
        np.testing.assert_allclose(empirical.x[1:-1], emp.support)
        np.testing.assert_allclose(empirical.y[1:-1], cumulative)
        assert empirical.y[0] == 0 and empirical.y[-1] == 1
    traces = _by_key(fig)
    assert list(traces) == list(models)
    for key_, trace in traces.items():
        np.testing.assert_allclose(trace.y, np.clip(models[key_].cdf(np.asarray(trace.x)), 0, 1))
        assert trace.line.shape == ("linear" if models[key_].continuous else "hv")
    if emp.kind == "binned":
        assert all(len(trace.x) >= 200 for trace in traces.values())  # a fine grid


def test_cdf_figure_skips_models_without_a_cdf(worms):
    table_model = fit(worms, "custom", values=[3, 4, 5], weights=[1, 1, 1], label="my table")
    fig = cdf_figure(worms, {"poisson": fit(worms, "poisson"), "custom": table_model})
    assert list(_by_key(fig)) == ["poisson"]
    assert any("my table" in annotation.text for annotation in fig.layout.annotations)


@pytest.mark.parametrize("key", KINDS)
def test_ranking_figure(runs, key):
    emp, comparison, models = runs[key]
    fig = ranking_figure(comparison.table, base=2)
    _check_common(fig)
    (bars,) = _role(fig, "ranking")
    np.testing.assert_allclose(bars.x, comparison.table["kl"])
    assert bars.meta["keys"] == list(comparison.table["model"])
    assert fig.layout.yaxis.autorange == "reversed"  # best (first) on top
    assert fig.layout.xaxis.title.text == "KL divergence (bits)"
    assert ranking_figure(comparison.table, base=math.e).layout.xaxis.title.text == "KL divergence (nats)"


def test_ranking_with_infinite_failed_and_bootstrap(worms):
    comparison = compare(worms, [("uniform", {"low": 3, "high": 10}), ("binomial", {"p": 2.0}), "poisson", "binomial"],
                         bootstrap=20)
    table = comparison.table
    assert table["kl"].isna().any() and np.isinf(table["kl"]).any()
    fig = ranking_figure(table)
    _check_common(fig)
    (bars,) = _role(fig, "ranking")
    fitted_keys = [key for key in table["model"] if key in comparison.fitted]
    assert bars.meta["keys"] == fitted_keys  # failed fit left out; ∞ last
    x = np.asarray(bars.x, dtype=float)
    assert np.isnan(x[-1]) and np.isfinite(x[:-1]).all()  # no bar for ∞
    (marks,) = _role(fig, "infinite")
    assert list(marks.text)[0].startswith("∞")
    assert list(marks.y) == [list(bars.y)[-1]]
    error = bars.error_x
    assert error.array is not None and np.all(np.asarray(error.array)[:-1] >= 0)
    finite = table[np.isfinite(table["kl"])]
    np.testing.assert_allclose(np.asarray(error.arrayminus)[:-1], np.clip(finite["kl"] - finite["kl_low"], 0, None))
    # colours follow position among the fitted models, as in the other figures
    assert list(bars.marker.color) == [model_colors(fitted_keys)[key] for key in fitted_keys]


def test_sweep_figure(worms):
    binomial = fit(worms, "binomial")
    values = np.linspace(0.3, 0.8, 26)
    sweep = kl_sweep(worms, "binomial", "p", values)
    fig = sweep_figure(sweep, "p", base=2, fitted_value=binomial.params["p"], chosen_value=0.6)
    _check_common(fig)
    (curve,) = _role(fig, "sweep")
    np.testing.assert_allclose(curve.x, sweep["value"])
    np.testing.assert_allclose(curve.y, sweep["kl"])
    (mle,) = _role(fig, "mle")
    assert mle.name == "maximum likelihood" and mle.x[0] == pytest.approx(binomial.params["p"])
    assert mle.y[0] == pytest.approx(np.interp(binomial.params["p"], values, sweep["kl"]))
    (chosen,) = _role(fig, "chosen")
    assert chosen.x[0] == 0.6
    assert any(shape.x0 == 0.6 and shape.x1 == 0.6 for shape in fig.layout.shapes)
    assert fig.layout.yaxis.title.text == "KL divergence (bits)"
    plain = sweep_figure(sweep, "p", base=math.e)
    assert len(plain.data) == 1 and not plain.layout.shapes and "nats" in plain.layout.yaxis.title.text


def test_sweep_marks_infinite_values(worms):
    sweep = pd.DataFrame({"value": [1.0, 2.0, 3.0, 4.0], "kl": [math.inf, 0.5, 0.2, math.nan]})
    fig = sweep_figure(sweep, "mu", fitted_value=3.0, fitted_kl=0.2)
    (curve,) = _role(fig, "sweep")
    assert not np.isinf(np.asarray(curve.y, dtype=float)).any()
    (marks,) = _role(fig, "infinite")
    assert list(marks.x) == [1.0] and list(marks.text) == ["∞"]
    assert _role(fig, "mle")[0].y[0] == 0.2
    json.loads(fig.to_json())


# ----------------------------------------------------------------- across figures
def test_model_colours_are_the_same_in_every_figure(runs):
    emp, comparison, models = runs["worms"]
    expected = model_colors(models)
    figures = [distribution_bars(emp, models), small_multiples(emp, models), contributions_figure(emp, models),
               cdf_figure(emp, models)]
    for fig in figures:
        for trace in _role(fig, "model"):
            assert _color(trace) == expected[trace.meta["key"]]
        for trace in _role(fig, "empirical"):
            assert _color(trace) == EMPIRICAL_COLOR
    (bars,) = _role(ranking_figure(comparison.table), "ranking")
    assert dict(zip(bars.meta["keys"], bars.marker.color)) == expected
    pinned = {"poisson": "#123456"}
    assert _by_key(distribution_bars(emp, models, colors=pinned))["poisson"].marker.color == "#123456"


def test_html_in_user_text_is_escaped():
    emp = Empirical.from_samples(["<script>", "a&b", "<b>x</b>", "a&b"], name="<b>x</b> column")
    model = fit(emp, "custom", values=["<script>", "a&b", "<b>x</b>"], weights=[1, 1, 1], label="<b>m</b><script>")
    models = {"custom": model, "uniform": fit(emp, "uniform")}
    comparison = compare(emp, [model, "uniform"])
    figures = [
        empirical_figure(emp), distribution_bars(emp, models), small_multiples(emp, models, kl={"custom": 0.1}),
        contributions_figure(emp, models), cdf_figure(emp, models), ranking_figure(comparison.table),
        sweep_figure(pd.DataFrame({"value": [1.0, 2.0], "kl": [0.1, 0.2]}), "<i>θ</i>", model_label="<b>m</b>"),
    ]
    for fig in figures:
        texts = list(_strings(fig.to_plotly_json()))
        assert not any("<script" in text or "<b>x</b>" in text or "<b>m</b>" in text or "<i>" in text for text in texts)
        json.loads(fig.to_json())
    assert "&lt;b&gt;x&lt;/b&gt; column" in figures[0].layout.title.text
    assert "&lt;script&gt;" in list(figures[0].data[0].x)
    assert _by_key(figures[1])["custom"].name == "your table: &lt;b&gt;m&lt;/b&gt;&lt;script&gt;"
    assert any("&lt;b&gt;m&lt;/b&gt;" in a.text for a in figures[2].layout.annotations)
    assert "&lt;i&gt;θ&lt;/i&gt;" in figures[6].layout.xaxis.title.text
    # user text reaches hover through customdata or the trace name, never the template itself
    for fig in figures:
        for trace in fig.data:
            assert "&lt;" not in (trace.hovertemplate or "")


def test_models_that_cannot_give_mass_are_noted_not_raised(worms):
    continuous = FittedModel("norm", {}, 2, cdf_function=stats.norm(5, 2).cdf, continuous=True, label="norm(5, 2)")
    fig = distribution_bars(worms, {"poisson": fit(worms, "poisson"), "norm": continuous})
    assert list(_by_key(fig)) == ["poisson"]
    notes = [annotation.text for annotation in fig.layout.annotations if annotation.name == "skipped"]
    assert notes == ["Not shown (no mass on these cells): normal"]  # its display label, not "norm(5, 2)"
    assert len(small_multiples(worms, {}).data) == 1  # no models: just the data


# ------------------------------------------------------------------------ speed
def _models_for(emp: Empirical, count: int) -> dict[str, FittedModel]:
    models = {}
    for i in range(count):
        if emp.kind == "binned":
            dist = stats.norm(loc=emp.mean() + i * 0.05, scale=math.sqrt(emp.var()) * (1 + 0.05 * i))
            models[f"m{i}"] = FittedModel(f"m{i}", {"i": i}, 2, cdf_function=dist.cdf, continuous=True)
        else:
            dist = stats.poisson(emp.mean() * (1 + 0.01 * i))
            models[f"m{i}"] = FittedModel(f"m{i}", {"i": i}, 1, pmf_function=dist.pmf, cdf_function=dist.cdf)
    return models


@pytest.mark.parametrize("which", ["500 bins", "10,000 values"])
def test_figures_stay_within_a_point_budget(which):
    """The work of drawing is bounded by what is drawn: at most two points per cell per trace.

    (The speed target, 0.3 s a figure, lives in benchmarks/; a wall clock is no test oracle.)
    """
    rng = np.random.default_rng(0)
    if which == "500 bins":
        emp = Empirical.from_samples(rng.normal(size=20_000), bins=500)
        assert emp.k == 500
    else:
        emp = Empirical.from_counts(np.arange(10_000), rng.integers(1, 50, size=10_000), kind="discrete")
    models = _models_for(emp, 8)
    table = compare(emp, list(models.values())).table
    kl = dict(zip(table["model"], table["kl"]))
    builders = {
        "empirical": lambda: empirical_figure(emp),
        "bars": lambda: distribution_bars(emp, models),
        "multiples": lambda: small_multiples(emp, models, kl=kl),
        "contributions": lambda: contributions_figure(emp, models),
        "cdf": lambda: cdf_figure(emp, models),
        "ranking": lambda: ranking_figure(table),
    }
    budget = 2 * (len(models) + 1) * emp.k
    for name, build in builders.items():
        fig = build()
        assert isinstance(fig, go.Figure)
        points = sum(len(trace.x) for trace in fig.data if getattr(trace, "x", None) is not None)
        assert points <= budget, f"{name} draws {points:,} points; the budget is {budget:,}"


# ------------------------------------------------------------ what a browser can draw (issue 11)
from kl_core import plots  # noqa: E402
from tests.datafiles import frequency_table  # noqa: E402

BUILDERS = {"empirical_figure", "distribution_bars", "small_multiples", "contributions_figure", "cdf_figure",
            "ranking_figure", "sweep_figure", "density_figure", "qq_figure", "pp_figure", "cullen_frey_figure"}


def _points(trace) -> int:
    return max((len(values) for values in (trace.x, trace.y) if values is not None), default=0)


@pytest.fixture(scope="module")
def many_values():
    """The 200,000-row frequency table, forced discrete: about 83,000 values, and three fitted models."""
    table = frequency_table()
    emp = Empirical.from_counts(table["value"], table["count"], kind="discrete", name="value")
    models = {name: fit(emp, name) for name in ("poisson", "geom", "nbinom")}
    return emp, models


@pytest.fixture(scope="module")
def many_categories():
    labels = [f"c{i:05d}" for i in range(6_000)]
    emp = Empirical.from_counts(labels, np.arange(1, 6_001), name="label")
    return emp, {"uniform": fit(emp, "uniform")}


def _figures(emp, models):
    comparison = compare(emp, list(models.values()))
    sweep = pd.DataFrame({"value": np.linspace(0, 1, 5_000), "kl": np.linspace(1, 2, 5_000)})
    return {
        "empirical_figure": empirical_figure(emp),
        "distribution_bars": distribution_bars(emp, models),
        "small_multiples": small_multiples(emp, models),
        "contributions_figure": contributions_figure(emp, models),
        "cdf_figure": cdf_figure(emp, models),
        "ranking_figure": ranking_figure(comparison.table),
        "sweep_figure": sweep_figure(sweep, "p", fitted_value=0.5, chosen_value=0.25),
        **({} if emp.kind == "categorical" else {
            "density_figure": plots.density_figure(emp, models),
            "qq_figure": plots.qq_figure(emp, models),
            "pp_figure": plots.pp_figure(emp, models),
            "cullen_frey_figure": plots.cullen_frey_figure(emp, bootstrap=20),
        }),
    }


def test_every_public_builder_is_checked():
    public = {name for name in plots.__all__ if getattr(getattr(plots, name), "__annotations__", {}).get("return") in ("go.Figure", go.Figure)}
    assert public == BUILDERS


@pytest.mark.parametrize("data", ["many_values", "many_categories"])
def test_no_trace_carries_more_than_the_limit(request, data):
    emp, models = request.getfixturevalue(data)
    for name, figure in _figures(emp, models).items():
        longest = max(_points(trace) for trace in figure.data)
        assert longest <= plots.MAX_POINTS, f"{name}: a trace of {longest:,} points"


def test_a_reduced_figure_says_so_and_keeps_the_totals(many_values):
    emp, models = many_values
    figure = distribution_bars(emp, models)
    notes = [a.text for a in figure.layout.annotations if a.name == "display reduced"]
    assert notes and f"{emp.k:,} points" in notes[0] and "fits and KL use every one" in notes[0]
    assert figure.layout.meta["display_reduced"]["points"] == emp.k
    data = _role(figure, "empirical")[0]
    assert float(np.nansum(data.y)) == pytest.approx(1.0)
    model = _role(figure, "model")[0]
    assert float(np.nansum(model.y)) == pytest.approx(float(models[model.meta["key"]].mass(emp).sum()))
    assert data.x[0] == pytest.approx((emp.support[0] + emp.support[figure.layout.meta["display_reduced"]["group"] - 1]) / 2)


def test_reduced_contributions_still_add_up_to_the_kl(many_values):
    emp, models = many_values
    figure = contributions_figure(emp, {"poisson": models["poisson"]})
    terms = kl_contributions(emp.probs, models["poisson"].mass(emp))
    total = float(np.nansum(np.where(np.isfinite(terms), terms, np.nan)))
    assert float(np.nansum(_role(figure, "model")[0].y)) == pytest.approx(total)


def test_a_reduced_cdf_keeps_its_last_point(many_values):
    emp, models = many_values
    figure = cdf_figure(emp, models)
    data = _role(figure, "empirical")[0]
    assert data.y[-1] == 1.0 and data.y[0] == 0.0 and np.all(np.diff(np.asarray(data.y, dtype=float)) >= 0)


def test_merged_categories_are_named_and_on_the_axis(many_categories):
    emp, models = many_categories
    figure = distribution_bars(emp, models)
    data = _role(figure, "empirical")[0]
    assert data.x[0] == "c00000 … c00003"  # 6,000 categories in groups of 4
    assert list(figure.layout.xaxis.categoryarray) == list(data.x)


def test_small_figures_are_untouched(worms):
    figure = empirical_figure(worms)
    assert figure.layout.meta is None and not [a for a in figure.layout.annotations if a.name == "display reduced"]
    assert list(figure.data[0].y) == pytest.approx(worms.probs.tolist())


# ------------------------------------------------- diagnostics: density, Q-Q, P-P, Cullen–Frey

@pytest.fixture(scope="module")
def two_peaks():
    rng = np.random.default_rng(12)
    emp = Empirical.from_samples(np.r_[rng.normal(2, 0.3, 400), rng.normal(4.3, 0.4, 600)], bins=40, name="eruptions")
    return emp, {"mixture": fit(emp, "mixture", family="norm", k=2), "norm": fit(emp, "norm")}


def _roles(figure, role):
    return [trace for trace in figure.data if (trace.meta or {}).get("role") == role]


def test_density_figure_draws_the_density_histogram_curves_and_groups(two_peaks):
    emp, models = two_peaks
    figure = density_figure(emp, models)
    bars = _roles(figure, "empirical")[0]
    assert np.asarray(bars.y) == pytest.approx(emp.probs / np.diff(emp.edges))
    curves = _roles(figure, "model")
    assert [trace.name for trace in curves] == [models["mixture"].label, fitted_label("norm", models["norm"])]
    grid = np.asarray(curves[0].x)
    assert np.asarray(curves[0].y) == pytest.approx(models["mixture"].pdf(grid), rel=1e-10)
    groups = _roles(figure, "component")
    assert len(groups) == 2 and np.sum([g.y for g in groups], axis=0) == pytest.approx(curves[0].y, rel=1e-10)
    assert all(len(trace.x) <= MAX_CURVE_POINTS for trace in figure.data)


def test_density_figure_for_counts_shows_pmf_points(teeth):
    models = {"binomial": fit(teeth, "binomial"), "mix": fit(teeth, "mixture", family="binomial", k=2, n=10)}
    figure = density_figure(teeth, models)
    curve = _roles(figure, "model")[0]
    assert np.asarray(curve.x).tolist() == list(range(11)) and "markers" in curve.mode
    assert np.asarray(curve.y) == pytest.approx(models["binomial"].pmf(np.arange(11)))
    assert len(_roles(figure, "component")) == 2


def test_qq_and_pp_figures_have_one_trace_per_model_and_a_diagonal(two_peaks):
    emp, models = two_peaks
    for build in (qq_figure, pp_figure):
        figure = build(emp, models)
        assert len(_roles(figure, "diagonal")) == 1 and len(_roles(figure, "model")) == 2
        assert all(len(trace.x) <= MAX_CURVE_POINTS for trace in figure.data)
    pp = pp_figure(emp, models)
    assert all(0 <= float(np.min(t.x)) and float(np.max(t.x)) <= 1 for t in _roles(pp, "model"))


def test_discrete_qq_and_pp_say_they_use_the_mid_distribution(teeth):
    models = {"binomial": fit(teeth, "binomial")}
    for build in (qq_figure, pp_figure):
        assert "mid-distribution" in build(teeth, models).layout.title.subtitle.text


def test_diagnostic_figures_refuse_categories():
    coin = Empirical.from_samples(list("HHTHT"))
    for build in (density_figure, qq_figure, pp_figure):
        with pytest.raises(DataError, match="needs numbers"):
            build(coin, {"uniform": fit(coin, "uniform")})


def test_cullen_frey_figure_places_the_data_among_the_families(teeth):
    figure = cullen_frey_figure(teeth, bootstrap=200, seed=3)
    observation = _roles(figure, "observation")[0]
    x = np.repeat(teeth.support, teeth.counts.astype(int))
    assert observation.x[0] == pytest.approx(stats.skew(x, bias=False) ** 2)
    assert observation.y[0] == pytest.approx(stats.kurtosis(x, fisher=False, bias=False))
    assert len(_roles(figure, "bootstrap")[0].x) == 200
    assert {t.name for t in figure.data} >= {"normal", "Poisson (line)", "negative binomial"}
    assert figure.layout.yaxis.range[0] > figure.layout.yaxis.range[1]  # kurtosis grows downwards, as in descdist
    continuous = cullen_frey_figure(Empirical.from_samples(np.random.default_rng(1).gamma(2, 1, 500)), bootstrap=5_000)
    assert {"gamma (line)", "log-normal (line)", "beta", "exponential"} <= {t.name for t in continuous.data}
    assert all(len(trace.x) <= MAX_CURVE_POINTS for trace in continuous.data)
