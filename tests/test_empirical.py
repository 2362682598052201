"""kl_core.empirical: constructors, kind guessing, dropping, warnings and errors."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kl_core import DataError, Empirical, to_empirical
from kl_core.empirical import MAX_BINS


def test_samples_and_counts_give_the_same_distribution():
    values = np.repeat(np.arange(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    from_rows = Empirical.from_samples(values)
    from_table = Empirical.from_counts(np.arange(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    assert from_rows.kind == from_table.kind == "discrete"
    assert from_rows.support.tolist() == from_table.support.tolist()
    assert from_rows.counts.tolist() == from_table.counts.tolist()
    assert from_rows.n == from_table.n == 100
    assert from_rows.fingerprint() == from_table.fingerprint()


def test_worm_summary(teeth):
    # Mean 5.44 teeth: sum(k * count) / 100 by hand from the seeds' counts.
    summary = teeth.summary()
    assert summary["mean"] == pytest.approx(5.44)
    assert summary["min"] == 0 and summary["max"] == 10 and summary["support_size"] == 11


def test_kind_guessing():
    rng = np.random.default_rng(0)
    assert Empirical.from_samples(rng.poisson(3, 1000)).kind == "discrete"
    assert Empirical.from_samples(rng.normal(size=1000)).kind == "binned"
    assert Empirical.from_samples(rng.integers(0, 10**9, 5000)).kind == "binned"
    assert Empirical.from_samples(["a", "b", "a"]).kind == "categorical"
    assert Empirical.from_samples(["1", "2", " 3 "]).kind == "discrete"  # numbers written as text


def test_kind_can_be_forced():
    emp = Empirical.from_samples([1, 2, 2, 3], kind="categorical")
    assert emp.kind == "categorical" and emp.support.tolist() == ["1", "2", "3"]
    assert Empirical.from_samples([1, 2, 2, 3], kind="binned", bins=3).kind == "binned"


def test_missing_and_infinite_values_are_dropped_and_counted():
    emp = Empirical.from_samples([1.0, np.nan, 2.0, np.inf, -np.inf, 2.0])
    assert emp.n == 3 and dict(emp.dropped) == {"missing": 1, "infinite": 2}
    labels = Empirical.from_samples(["H", "", None, "T", "  "])
    assert labels.n == 2 and dict(labels.dropped) == {"missing": 3}


def test_values_whose_sum_overflows_are_all_kept():
    """The float fast path takes a finite sum as proof of no NaN or ±inf; a sum that overflows is checked value by value."""
    huge = np.full(4, 1e308)
    assert Empirical.from_samples(np.r_[huge, 5e307], kind="binned", bins=2).n == 5
    emp = Empirical.from_samples(np.r_[huge, np.nan, 5e307, -np.inf], kind="binned", bins=2)
    assert emp.n == 5 and dict(emp.dropped) == {"missing": 1, "infinite": 1}


def test_binned_uses_freedman_diaconis_and_caps_bins():
    rng = np.random.default_rng(1)
    values = rng.normal(size=10_000)
    emp = Empirical.from_samples(values)
    expected = np.histogram_bin_edges(values, bins="fd")
    assert np.allclose(emp.edges, expected)
    assert emp.counts.sum() == 10_000 and emp.edges.size == emp.k + 1
    wide = Empirical.from_samples(np.concatenate([values, [1e6]]))
    assert wide.k <= MAX_BINS


def test_display_bins_of_over_four_million_values_follow_numpys_rule_from_the_sketch_sample():
    # Beyond 2**22 values the quartiles come from the first pass's hash sample, not from every value.
    values = np.random.default_rng(5).uniform(size=(1 << 22) + 1)
    emp = Empirical.from_samples(values)
    numpy_bins = np.histogram_bin_edges(values, bins="auto").size - 1  # Freedman–Diaconis here: about 161
    assert abs(emp.k - numpy_bins) <= 0.01 * numpy_bins + 1
    assert emp.counts.sum() == values.size and emp.edges[0] == values.min() and emp.edges[-1] == values.max()


def test_binned_rejects_a_single_value():
    with pytest.raises(DataError, match="All 3 values equal 2"):
        Empirical.from_samples([2.0, 2.0, 2.0], kind="binned")


def test_duplicate_values_in_a_table_are_added_with_a_warning():
    emp = Empirical.from_counts([1, 0, 1], [2, 3, 4])
    assert emp.counts.tolist() == [3.0, 6.0]
    assert any("more than once" in w for w in emp.warnings)


def test_non_whole_counts_are_weights_with_a_warning():
    emp = Empirical.from_counts([0, 1], [1.5, 2.5])
    assert emp.n == 4.0 and any("not whole numbers" in w for w in emp.warnings)


def test_probabilities_are_normalised_with_a_warning():
    emp = Empirical.from_probabilities(["a", "b"], [3.5, 3.5])
    assert emp.n is None and emp.probs.tolist() == [0.5, 0.5]
    assert any("summed to 7" in w for w in emp.warnings)


@pytest.mark.parametrize(
    "maker, message",
    [
        (lambda: Empirical.from_counts([0, 1], [3, -1]), "negative"),
        (lambda: Empirical.from_counts([0, 1], [0, 0]), "Every count is zero"),
        (lambda: Empirical.from_probabilities([0, 1], [-0.2, 1.2]), "probability value\\(s\\) are negative"),
        (lambda: Empirical.from_probabilities([0, 1], [0, 0]), "Every probability is zero"),
        (lambda: Empirical.from_counts([0, 1], [1, np.inf]), "infinite"),
        (lambda: Empirical.from_counts([0, 1], [1]), "same length"),
        (lambda: Empirical.from_samples([np.nan, np.nan]), "no usable values \\(2 missing\\)"),
        (lambda: Empirical.from_samples([]), "no values"),
        (lambda: Empirical.from_samples([1, 2], kind="gaussian"), "kind must be one of"),
        (lambda: Empirical.from_samples([1.0, 2.0], kind="binned", bins=[0, 1.5]), "outside the bin edges"),
        (lambda: Empirical.from_samples([1.0, 2.0], kind="binned", bins=[2, 1]), "increasing order"),
        (lambda: Empirical.from_samples([1.0, 2.0], bins="nonsense", kind="binned"), "not a binning rule"),
    ],
)
def test_bad_inputs_say_what_is_wrong(maker, message):
    with pytest.raises(DataError, match=message):
        maker()


def test_to_empirical_reads_columns_by_shape():
    frame = pd.DataFrame({"teeth": range(11), "worms": [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7]})
    assert to_empirical(frame, "teeth", shape="counts").n == 100
    assert to_empirical(frame, "teeth", shape="counts", weight_column="worms").k == 11
    assert to_empirical(frame, "teeth").n == 11  # observations: each row one worm... of a different count


def test_to_empirical_errors_name_the_problem():
    frame = pd.DataFrame({"a": [1, 2], "b": [1, 1], "c": [0, 1]})
    with pytest.raises(DataError, match="There is no column 'z'. The columns are: 'a', 'b', 'c'"):
        to_empirical(frame, "z")
    with pytest.raises(DataError, match="choose which of the 2 other columns"):
        to_empirical(frame, "a", shape="counts")
    with pytest.raises(DataError, match="shape must be one of"):
        to_empirical(frame, "a", shape="histogram")


def test_to_empirical_mostly_text_column_is_categorical():
    frame = pd.DataFrame({"flip": ["H", "T", "H", "7"]})
    assert to_empirical(frame, "flip").kind == "categorical"


def test_with_counts_keeps_support():
    emp = Empirical.from_counts([0, 1, 2], [1, 1, 1])
    resampled = emp.with_counts(np.array([3.0, 0.0, 0.0]))
    assert resampled.n == 3 and resampled.support.tolist() == [0, 1, 2]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.integers(-50, 50), st.floats(allow_nan=True, allow_infinity=True, width=32)), max_size=60))
def test_from_samples_either_works_or_says_why(values):
    try:
        emp = Empirical.from_samples(values)
    except DataError as error:
        assert str(error)
        return
    assert emp.counts.sum() == pytest.approx(emp.n)
    assert np.all(emp.counts >= 0) and math.isclose(emp.probs.sum(), 1.0)
    assert emp.n + sum(emp.dropped.values()) == len(values)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.floats(0, 1e6)), min_size=1, max_size=30))
def test_from_counts_total_is_the_sum_of_counts(rows):
    values, counts = zip(*rows)
    try:
        emp = Empirical.from_counts(values, counts)
    except DataError as error:
        assert "zero" in str(error)
        return
    assert emp.n == pytest.approx(sum(counts))
    assert np.all(np.diff(emp.support) > 0)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint8, np.uint64])
def test_small_integer_types_count_over_their_whole_range(dtype):
    """int8 shifted by its minimum once overflowed (-128 .. 127 became a negative count index)."""
    info = np.iinfo(dtype)
    values = np.array([info.min, info.max if info.max < 2**20 else 1000, 5, 5], dtype=dtype)
    emp = Empirical.from_samples(values)
    expected, counts = np.unique(values.astype(float), return_counts=True)
    assert emp.kind == "discrete" and emp.support.tolist() == expected.tolist() and emp.counts.tolist() == counts.tolist()


def test_counting_a_read_only_integer_column_does_not_copy_it():
    """A column pandas shares with Arrow is read-only; np.bincount would copy it whole (8M ints: 64 MB)."""
    import tracemalloc

    values = np.random.default_rng(0).poisson(4.0, 8_000_000)
    values.flags.writeable = False
    tracemalloc.start()
    try:
        emp = Empirical.from_samples(values)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert emp.n == 8_000_000 and emp.counts.sum() == 8_000_000
    assert peak < values.nbytes / 3, f"peak {peak / 2**20:.1f} MB while counting a {values.nbytes / 2**20:.0f} MB column"


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16])
def test_integer_counts_in_threads_equal_np_unique(dtype, monkeypatch):
    """The chunks are counted in two threads; a negative value in a late chunk shifts the count by the minimum."""
    from kl_core import sketch

    monkeypatch.setattr(sketch, "_CHUNK", 1_000)
    rng = np.random.default_rng(4)
    values = rng.integers(0, 100, 9_500).astype(dtype)
    if np.issubdtype(dtype, np.signedinteger):
        values[-3] = -7  # found by the last chunk only
    values.flags.writeable = False
    emp = Empirical.from_samples(values)
    support, counts = np.unique(values.astype(float), return_counts=True)
    assert emp.kind == "discrete" and emp.support.tolist() == support.tolist() and emp.counts.tolist() == counts.tolist()


# ------------------------------------------- the fast continuous path against a straightforward construction
def _splitmix64(values: np.ndarray) -> np.ndarray:
    """kl_core.sketch.value_hashes written out plainly (whole-array temporaries, no blocks)."""
    z = (values + 0.0).view(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _reference_binned(x: np.ndarray, limit: int, sample: int, chunk: int) -> dict:
    """What Empirical.from_samples(x) must hold for continuous x, computed the obvious way: np.histogram over
    every value, np.unique over every value, np.searchsorted for every fine cell, each cell's mean from math.fsum,
    chunk moments merged in order."""
    from kl_core.sketch import Moments, sketch_edges

    finite = x[np.isfinite(x)]
    distinct, counts = np.unique(finite, return_counts=True)
    with np.errstate(over="ignore", divide="ignore"):  # the display rule: numpy's "auto" (FD or Sturges), capped
        width = 2 * np.subtract(*np.percentile(finite, [75, 25])) * finite.size ** (-1 / 3)
        fd = (finite.max() - finite.min()) / width if width > 0 else math.inf
    bins = min(max(math.ceil(fd) if math.isfinite(fd) else 0, math.ceil(math.log2(finite.size) + 1)), MAX_BINS)
    shown, edges = np.histogram(finite, bins=bins)
    reference = {"edges": edges, "counts": shown.astype(float), "n": float(finite.size)}
    hashes = _splitmix64(distinct)
    level = 64 if distinct.size <= sample else int(np.sort(hashes)[sample]).bit_length() - 1
    in_sample = hashes < np.uint64(2**level) if level < 64 else np.ones(distinct.size, dtype=bool)
    estimate = in_sample.sum() * 2.0 ** (64 - level)
    if distinct.size <= limit and (finite.size <= limit or level == 64 or estimate <= limit / 2):
        return {**reference, "exact": True, "values": distinct, "weights": counts.astype(float)}
    body = np.quantile(distinct[in_sample], [0.001, 0.999], weights=counts[in_sample], method="inverted_cdf")
    fine = sketch_edges(float(finite.min()), float(finite.max()), *map(float, body))
    cells = np.clip(np.searchsorted(fine, finite, side="right") - 1, 0, fine.size - 2)
    cell_counts = np.bincount(cells, minlength=fine.size - 1).astype(float)
    order = np.argsort(cells, kind="stable")
    groups = np.split(finite[order], np.cumsum(cell_counts)[:-1].astype(int))
    used = cell_counts > 0  # each cell's mean from its exactly rounded sum (math.fsum)
    means = np.array([math.fsum(group) for group, occupied in zip(groups, used) if occupied]) / cell_counts[used]
    means = np.clip(means, fine[:-1][used], fine[1:][used])
    moments = None
    for start in range(0, finite.size, chunk):
        part = finite[start:start + chunk]
        moments = Moments.of(part) if moments is None else moments.merge(Moments.of(part))
    return {**reference, "exact": False, "fine": fine, "cell_counts": cell_counts, "means": means, "moments": moments}


def _awkward_samples() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(21)
    return {
        "gamma with NaN and ±inf": np.r_[rng.gamma(2.0, 3.0, 30_000), np.nan, np.inf, -np.inf, np.nan],
        "ties": np.repeat(rng.normal(size=4_000).round(3), 9),
        "heavy tails": np.r_[rng.standard_cauchy(30_000), 1e300, -1e300],
        "a few distinct floats": rng.integers(0, 7, 30_000) / 4.0,
        "many rows, fewer distinct than the limit": rng.integers(0, 3_000, 40_000) / 8.0,
        "1,500 prices": rng.integers(0, 1_500, 30_000) / 3.0,
        "signed zeros at the minimum": np.r_[rng.random(30_000), -0.0, 0.0],
        "equal widths (a lattice)": np.arange(30_000) * 0.5,
        "lognormal": rng.lognormal(0.0, 3.0, 30_000),
    }


@pytest.mark.parametrize("limit", [2_000_000, 10_000])
@pytest.mark.parametrize("name", list(_awkward_samples()))
def test_continuous_empirical_equals_the_straightforward_construction(name, limit, monkeypatch):
    """Counts, bins, sketch cells and their means bit for bit, moments to rounding; small limits and chunks take
    every path."""
    from kl_core import sketch

    sample, chunk = 512, 7_000
    monkeypatch.setattr(sketch, "MAX_EXACT_VALUES", limit)
    monkeypatch.setattr(sketch, "SAMPLE_VALUES", sample)
    monkeypatch.setattr(sketch, "_CHUNK", chunk)
    x = _awkward_samples()[name]
    emp = Empirical.from_samples(x)
    expected = _reference_binned(x, limit, sample, chunk)
    assert emp.kind == "binned" and emp.n == expected["n"]
    assert dict(emp.dropped) == {reason: int(count) for reason, count in
                                 (("missing", np.isnan(x).sum()), ("infinite", np.isinf(x).sum())) if count}
    assert emp.edges.tobytes() == expected["edges"].tobytes()
    assert emp.counts.tobytes() == expected["counts"].tobytes()
    assert emp.sketch.exact == expected["exact"]
    if expected["exact"]:
        assert emp.sketch.values.tobytes() == expected["values"].tobytes()
        assert emp.sketch.counts.tobytes() == expected["weights"].tobytes()
    else:
        assert emp.sketch.edges.tobytes() == expected["fine"].tobytes()
        assert emp.sketch.cell_counts.tobytes() == expected["cell_counts"].tobytes()
        assert emp.sketch.values.tobytes() == expected["means"].tobytes()
        _assert_moments_close(emp.sketch.moments, expected["moments"])


def _assert_moments_close(ours, reference) -> None:
    """The compiled loops sum in blocks and shift log x by log(mean) (kl_core.sketch_kernels): the same
    statistics as numpy's pairwise two-pass ones to rounding, the count and extremes exactly."""
    assert (ours.n, ours.low, ours.high) == (reference.n, reference.low, reference.high)
    for field in ("mean", "m2", "log_mean", "log_m2"):
        a, b = getattr(ours, field), getattr(reference, field)
        assert (np.isnan(a) and np.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300), (field, a, b)


def test_constant_column_is_refused_on_both_paths(monkeypatch):
    from kl_core import sketch

    monkeypatch.setattr(sketch, "MAX_EXACT_VALUES", 1_000)
    for x in (np.full(500, 2.5), np.full(5_000, 2.5)):
        with pytest.raises(DataError, match=f"All {x.size:,} values equal 2.5"):
            Empirical.from_samples(x, kind="binned")


@pytest.mark.parametrize("level", [64, 61])
@pytest.mark.parametrize("name", list(_awkward_samples()))
def test_first_pass_sample_is_its_definition(name, level, monkeypatch):
    """FirstPass.of samples at a trial level first: the same values as the distinct values hashing below the level."""
    from kl_core import sketch

    monkeypatch.setattr(sketch, "SAMPLE_VALUES", 512)
    x = _awkward_samples()[name]
    x = x[np.isfinite(x)]
    first = sketch.FirstPass.of(x, level)
    distinct, counts = np.unique(x, return_counts=True)
    hashes = _splitmix64(distinct)
    below = hashes < np.uint64(2**level) if level < 64 else np.ones(distinct.size, dtype=bool)
    if below.sum() > 512:
        level = int(np.sort(hashes[below])[512]).bit_length() - 1
        below = hashes < np.uint64(2**level)
    assert first.level == level
    assert first.values.tobytes() == distinct[below].tobytes() and first.counts.tolist() == counts[below].tolist()
