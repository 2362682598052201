"""The continuous sketch: exact values while affordable, a mergeable fine sketch beyond, and its fitting error."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from kl_core.empirical import Empirical
from kl_core.models import fit
from kl_core.sketch import BODY_CELLS, FirstPass, Moments, ValueSketch, cell_index, first_pass, sketch_edges


def test_exact_sketch_keeps_every_distinct_value():
    x = np.random.default_rng(0).normal(size=5_000).round(2)
    sketch = ValueSketch.from_values(x)
    values, counts = np.unique(x, return_counts=True)
    assert sketch.exact and sketch.edges is None
    assert np.array_equal(sketch.values, values) and np.array_equal(sketch.counts, counts)
    assert (sketch.low, sketch.high, sketch.total) == (x.min(), x.max(), 5_000.0)


def test_fine_sketch_covers_the_tails_with_exact_min_and_max():
    x = np.r_[np.random.default_rng(1).lognormal(0, 1, 50_000), 1e9, -3.0]
    sketch = ValueSketch.from_values(x, max_exact=1_000)
    assert not sketch.exact and sketch.edges.size - 1 >= BODY_CELLS
    assert sketch.low == -3.0 and sketch.high == 1e9
    assert sketch.edges[0] == -3.0 and sketch.edges[-1] == 1e9
    assert sketch.total == x.size and sketch.counts.sum() == x.size
    # every value lies in its cell, and each representative point inside its cell
    lows, highs, counts = sketch.cells()
    assert np.all(sketch.values >= lows) and np.all(sketch.values <= highs)
    assert sketch.moments.mean == pytest.approx(x.mean(), rel=1e-12)
    assert sketch.moments.variance == pytest.approx(x.var(), rel=1e-10)


def test_merge_of_chunks_equals_one_pass():
    x = np.random.default_rng(2).gamma(2.0, 3.0, 30_000)
    edges = sketch_edges(float(x.min()), float(x.max()), *np.quantile(x, [0.001, 0.999]))
    whole = ValueSketch.binned_chunk(x, edges)
    merged = ValueSketch.binned_chunk(x[:10_000], edges).merge(ValueSketch.binned_chunk(x[10_000:], edges))
    assert np.array_equal(merged.cell_counts, whole.cell_counts)
    assert np.allclose(merged.values, whole.values, rtol=1e-12)
    for field in ("n", "mean", "m2", "log_mean", "log_m2", "low", "high"):
        assert getattr(merged.moments, field) == pytest.approx(getattr(whole.moments, field), rel=1e-10)
    other = sketch_edges(0.0, 1.0, 0.1, 0.9)
    with pytest.raises(ValueError, match="different edges"):
        whole.merge(ValueSketch.binned_chunk(np.array([0.5]), other))


def test_moments_of_logs_are_nan_for_non_positive_data():
    assert np.isnan(Moments.of(np.array([-1.0, 2.0])).log_mean)


def _exact_mean(x: np.ndarray) -> float:
    """The mean computed in rational arithmetic (no overflow, no rounding until the end)."""
    from fractions import Fraction

    return float(sum(map(Fraction, x.tolist())) / x.size)


def _exact_m2(x: np.ndarray) -> float:
    """The sum of squared deviations in rational arithmetic; inf where it exceeds the float range."""
    from fractions import Fraction

    values = list(map(Fraction, x.tolist()))
    mean = sum(values) / len(values)
    total = sum((v - mean) ** 2 for v in values)
    return float(total) if total < Fraction(np.finfo(float).max) else np.inf


SPREAD_WARNING = "The values spread too widely for floating point"


@pytest.mark.parametrize("x", [
    np.full(7, 1.5e308),  # every value finite, their sum is not
    1.7e308 * np.random.default_rng(3).uniform(0.9, 1.0, 1_000),
    np.r_[1.7e308 * np.random.default_rng(4).uniform(-1.0, 1.0, 1_000), 1.7976931348623157e308, -1.7976931348623157e308],
    np.array([-7.5e153, 7.5e153]),  # a deviation squared is finite, the plain sum of squares is not
    np.random.default_rng(5).normal(3e-300, 1e-300, 500).clip(1e-305),
], ids=["equal near 1.5e308", "near 1.7e308", "near +-1.8e308", "+-7.5e153", "near 3e-300"])
def test_moments_near_the_float_limits_are_finite_and_right_or_say_why_not(x):
    """Finite data give the exact mean (rational arithmetic as reference), and a sum of squares that is
    infinite only where the exact one exceeds the float range, with a warning; no RuntimeWarning on the way."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "overflow encountered in multiply" was the symptom
        moments = Moments.of(x)
        merged = Moments.of(x[: x.size // 2]).merge(Moments.of(x[x.size // 2:]))
    expected_m2 = _exact_m2(x)
    for result in (moments, merged):
        assert result.mean == pytest.approx(_exact_mean(x), rel=1e-13)
        assert np.isfinite(result.mean) and (result.low, result.high) == (x.min(), x.max())
        if np.isinf(expected_m2):
            assert np.isinf(result.m2) and result.warnings and result.warnings[0].startswith(SPREAD_WARNING)
        elif expected_m2 == 0:
            assert result.m2 == 0
        else:
            assert result.m2 == pytest.approx(expected_m2, rel=1e-10)
            assert result.variance == pytest.approx(expected_m2 / x.size, rel=1e-10) and not result.warnings
        if x.min() > 0:
            assert result.log_mean == pytest.approx(float(np.mean(np.log(x))), rel=1e-13)


def test_a_variance_that_rounds_to_zero_is_said():
    moments = Moments.of(np.array([1e-300, 2e-300]))  # the variance, 2.5e-601, is below the float range
    assert moments.m2 == 0 and "rounds to 0" in moments.warnings[0]
    assert not Moments.of(np.full(3, 1e-300)).warnings  # equal values: a variance of 0 is right


@pytest.mark.parametrize("max_exact", [2_000_000, 1_000])
def test_empirical_near_1e308_warns_instead_of_a_silent_inf(max_exact, monkeypatch):
    """Through Empirical.from_samples (exact and fine sketch): finite mean, the unrepresentable variance named."""
    import warnings

    from kl_core import sketch

    monkeypatch.setattr(sketch, "MAX_EXACT_VALUES", max_exact)
    x = 1e308 * (1 + np.random.default_rng(6).random(5_000) * 0.7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        emp = Empirical.from_samples(x)
    assert emp.sketch.exact == (max_exact > x.size)
    assert emp.sketch.moments.mean == pytest.approx(_exact_mean(x), rel=1e-13)
    assert any(w.startswith(SPREAD_WARNING) for w in emp.warnings)
    assert not any(w.startswith(SPREAD_WARNING) for w in Empirical.from_samples(x / 1e300).warnings)


@pytest.mark.parametrize(("name", "draw"), [
    ("gamma", lambda rng, n: rng.gamma(2.5, 1.5, n)),
    ("weibull_min", lambda rng, n: rng.weibull(1.7, n) * 3.0),
    ("weibull_min", lambda rng, n: rng.weibull(0.7, n) * 4.0),  # shape < 1: most values in the body's first cells
    ("lognorm", lambda rng, n: rng.lognormal(1.0, 0.5, n)),
    ("logistic", lambda rng, n: rng.logistic(2.0, 0.5, n)),
    ("laplace", lambda rng, n: rng.laplace(2.0, 0.5, n)),
    ("t", lambda rng, n: rng.standard_t(5.0, n)),
])
def test_fits_through_the_fine_sketch_match_the_raw_mle(name, draw):
    """The published error of the fine sketch: parameters within 1e-4 relative of the raw-data MLE."""
    x = draw(np.random.default_rng(3), 300_000)
    raw = fit(Empirical.from_samples(x), name)
    sketched = Empirical.from_samples(x)
    sketched = type(sketched)(**{**sketched.__dict__, "sketch": ValueSketch.from_values(x, max_exact=1_000)})
    assert not sketched.sketch.exact
    via_sketch = fit(sketched, name)
    for key, value in raw.params.items():
        assert via_sketch.params[key] == pytest.approx(value, rel=1e-4, abs=1e-4 * raw.params["scale"]), (key, raw.params, via_sketch.params)


@pytest.mark.parametrize("seed", range(5))
def test_the_laplace_median_through_the_fine_sketch_is_placed_within_its_cell(seed):
    """A long right tail makes the body's cells wide at the median: their mean alone missed it by up to 3.5e-4."""
    x = np.random.default_rng(seed).lognormal(1.0, 1.5, 300_000)
    raw = fit(Empirical.from_samples(x), "laplace").params
    sketched = Empirical.from_samples(x)
    sketched = type(sketched)(**{**sketched.__dict__, "sketch": ValueSketch.from_values(x, max_exact=1_000)})
    via_sketch = fit(sketched, "laplace").params
    assert via_sketch["loc"] == pytest.approx(raw["loc"], rel=1e-4) and via_sketch["scale"] == pytest.approx(raw["scale"], rel=1e-6)


def test_display_bins_follow_numpys_auto_rule():
    x = stats.norm.rvs(size=272, random_state=4)
    emp = Empirical.from_samples(x)
    assert emp.k == np.histogram_bin_edges(x, bins="auto").size - 1
    assert emp.k >= 10  # never 5 bins for 272 values


def test_continuous_value_count_table():
    values = np.round(np.random.default_rng(5).normal(size=3_000), 4)
    uniq, counts = np.unique(values, return_counts=True)
    emp = Empirical.from_counts(uniq, counts)
    assert emp.kind == "binned" and emp.sketch.exact and emp.n == 3_000
    assert fit(emp, "norm").params["loc"] == pytest.approx(values.mean(), rel=1e-12)
    forced = Empirical.from_counts([0.5, 1.5, 2.5], [1, 2, 1], kind="binned")
    assert forced.kind == "binned" and forced.sketch.total == 4


def test_first_pass_does_not_depend_on_order_or_partitioning():
    from kl_core.sketch import FirstPass, first_pass

    rng = np.random.default_rng(6)
    x = np.r_[rng.standard_t(3.0, 300_000), np.zeros(50_000)]  # a heavy tail and one value repeated 50,000 times
    whole = first_pass(x)
    shuffled = rng.permutation(x)
    pieces = [FirstPass.of(part) for part in np.array_split(shuffled, 7)]
    while len(pieces) > 1:  # a tree of merges, as Dask does
        pieces = [pieces[i].merge(pieces[i + 1]) if i + 1 < len(pieces) else pieces[i] for i in range(0, len(pieces), 2)]
    merged = pieces[0]
    assert (merged.n, merged.low, merged.high, merged.level) == (whole.n, whole.low, whole.high, whole.level)
    assert np.array_equal(merged.values, whole.values) and np.array_equal(merged.counts, whole.counts)
    assert np.array_equal(merged.edges(), whole.edges())
    assert 0 < merged.values.size <= 2**16 and not merged.complete
    assert merged.distinct_estimate == pytest.approx(np.unique(x).size, rel=0.05)
    low, high = merged.body()
    assert np.quantile(x, 0.0005) < low < np.quantile(x, 0.002) and np.quantile(x, 0.998) < high < np.quantile(x, 0.9995)


def test_cell_index_equals_searchsorted_in_body_tails_and_edges():
    from kl_core.sketch import cell_index

    x = np.r_[np.random.default_rng(7).lognormal(0.0, 2.0, 200_000), 1e-300, 5e6]
    edges = sketch_edges(float(x.min()), float(x.max()), *np.quantile(x, [0.001, 0.999]))
    probes = np.r_[x, edges, np.nextafter(edges, np.inf)[:-1], np.nextafter(edges, -np.inf)[1:]]
    expected = np.clip(np.searchsorted(edges, probes, side="right") - 1, 0, edges.size - 2)
    assert np.array_equal(cell_index(probes, edges), expected)


def _binary_search_cells(numbers: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(edges, numbers, side="right") - 1, 0, edges.size - 2)


@pytest.mark.parametrize("draw", [
    lambda rng: rng.normal(size=50_000),
    lambda rng: rng.pareto(1.1, 50_000) * 1e6,  # a long heavy tail
    lambda rng: rng.uniform(1e15, 1e15 + 3.0, 50_000),  # few float steps per cell
    lambda rng: np.concatenate([rng.normal(size=50_000), [-1e300, 1e300]]),
])
def test_cell_index_is_the_binary_search(draw):
    """The arithmetic cell lookup gives exactly searchsorted's cells, edges and extremes included."""
    x = draw(np.random.default_rng(11))
    edges = sketch_edges(float(x.min()), float(x.max()), *np.quantile(x, [0.001, 0.999]))
    probes = np.concatenate([x, edges, np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf)])
    probes = probes[(probes >= edges[0]) & (probes <= edges[-1])]
    assert np.array_equal(cell_index(probes, edges), _binary_search_cells(probes, edges))


def test_cell_index_on_any_increasing_edges():
    rng = np.random.default_rng(12)
    edges = np.cumsum(rng.exponential(size=1_000))
    x = rng.uniform(edges[0] - 5, edges[-1] + 5, 20_000)  # values outside the edges are clipped, as searchsorted's are
    assert np.array_equal(cell_index(x, edges), _binary_search_cells(x, edges))
    assert np.array_equal(cell_index(x, np.array([0.0, 1.0])), np.zeros(x.size, dtype=int))


def test_cell_index_is_the_binary_search_at_every_scale():
    """Edges from 1e-300 to 1e300 wide, bodies near and far from zero: the fraction test (fine rounding)
    and the two-edge check (coarse rounding) both give searchsorted's cells, probes on and beside every edge."""
    from kl_core.sketch import _Grid

    rng = np.random.default_rng(13)
    paths = set()
    for _ in range(80):
        scale = 10.0 ** rng.uniform(-290, 290)
        width = scale * 10.0 ** rng.uniform(-8, 2)
        centre = rng.choice([0.0, 1.0, -7.3, 1e6, 1e15]) * scale
        body_low, body_high = centre - width * rng.uniform(0, 1), centre + width * rng.uniform(0.01, 1)
        low, high = body_low - width * 10.0 ** rng.uniform(-3, 6), body_high + width * 10.0 ** rng.uniform(-3, 6)
        edges = sketch_edges(low, high, body_low, body_high)
        grid = _Grid.of(edges)
        paths.add("binary search" if grid is None else "fraction" if grid.slack < 0.25 else "two edges")
        probes = np.r_[edges, np.nextafter(edges, np.inf), np.nextafter(edges, -np.inf),
                       rng.uniform(low, high, 5_000), rng.uniform(body_low, body_high, 5_000)]
        assert np.array_equal(cell_index(probes, edges), _binary_search_cells(probes, edges)), (low, high, body_low, body_high)
    assert {"fraction", "two edges"} <= paths


@pytest.mark.parametrize("draw", [
    lambda rng: rng.normal(size=50_000),
    lambda rng: rng.integers(0, 9, 50_000) / 4.0,  # few distinct values: the trial level keeps too few
    lambda rng: np.repeat(rng.gamma(2.0, size=3_000), 17),
    lambda rng: np.r_[rng.random(40_000), -0.0, 0.0, -0.0],
], ids=["normal", "few distinct", "ties", "signed zeros"])
def test_first_pass_in_threads_equals_the_chunks_first_passes_merged(draw, monkeypatch):
    """first_pass samples every chunk at one trial level in two threads: the same FirstPass as each
    chunk's FirstPass.of merged in order (the construction it replaced), bit for bit."""
    from kl_core import sketch

    monkeypatch.setattr(sketch, "_CHUNK", 7_000)
    monkeypatch.setattr(sketch, "SAMPLE_VALUES", 512)
    x = draw(np.random.default_rng(11))
    threaded, merged = sketch.first_pass(x), sketch._merged_first_passes(x)
    for field in ("n", "low", "high", "whole", "level"):
        assert repr(getattr(threaded, field)) == repr(getattr(merged, field))
    assert threaded.values.tobytes() == merged.values.tobytes() and threaded.counts.tobytes() == merged.counts.tobytes()


def test_first_pass_quantiles_are_the_weighted_quantiles_of_its_sample():
    x = np.random.default_rng(3).gamma(2.0, size=400_000)
    first = first_pass(x)
    expected = np.quantile(np.repeat(first.values, first.counts.astype(int)), [0.25, 0.75], method="inverted_cdf")
    assert np.array_equal(first.quantiles([0.25, 0.75]), expected)
    assert first.body() == tuple(float(q) for q in first.quantiles([0.001, 0.999]))
    empty = FirstPass.of(np.empty(0))
    assert empty.quantiles([0.5]) is None and empty.body() == (empty.low, empty.high)


def test_sketch_edges_are_the_sorted_distinct_parts():
    """The body and both tails joined in order are already increasing (np.unique only where a tail's first
    step rounds onto the body's end); written plainly here, with np.unique always."""
    from kl_core.sketch import _log_steps

    def plainly(low, high, body_low, body_high):
        body_low, body_high = max(body_low, low), min(body_high, high)
        if not body_high > body_low:
            body_low, body_high = low, high
        width = (body_high - body_low) / BODY_CELLS
        parts = [np.linspace(body_low, body_high, BODY_CELLS + 1)]
        if high > body_high:
            parts.append(body_high + _log_steps(high - body_high, width))
        if low < body_low:
            parts.insert(0, (body_low - _log_steps(body_low - low, width))[::-1])
        edges = np.unique(np.concatenate(parts))
        edges[0], edges[-1] = low, high
        return edges[np.concatenate([[True], np.diff(edges) > 0])]

    rng = np.random.default_rng(8)
    cases = [(-100.0, 1e6, -3.0, 3.0), (1e-300, 1e300, 1.0, 2.0), (-1e308, 1e308, -1.0, 1.0), (5.0, 5.0000001, 5.00000001, 5.00000009),
             (1e10, 1e10 + 10, 1e10 + 1, 1e10 + 1.001)]  # a body narrower than its rounding: repeated edges
    for _ in range(300):
        low, high = np.sort(rng.standard_cauchy(2) * 10.0 ** rng.integers(-5, 5))
        cases.append((float(low), float(high), *map(float, np.sort(rng.uniform(low, high, 2)))))
    for case in cases:
        assert sketch_edges(*case).tobytes() == plainly(*case).tobytes(), case
