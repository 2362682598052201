"""Tests for kl_core/sketch_kernels.py: each compiled loop against the numpy definition it replaces."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kl_core import sketch_kernels as kernels
from kl_core.sketch import Moments, _Grid, sketch_edges


def _splitmix64(values: np.ndarray) -> np.ndarray:
    """The hash written with numpy's whole-array unsigned arithmetic (wrapping multiplication)."""
    z = (values + 0.0).view(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _awkward(rng: np.random.Generator) -> np.ndarray:
    return np.r_[rng.gamma(2.0, 3.0, 20_000), rng.standard_cauchy(5_000), -0.0, 0.0, 1e300, -1e300, 5e-324]


def test_value_hashes_are_splitmix64_with_signed_zeros_alike():
    x = _awkward(np.random.default_rng(1))
    out = np.empty(x.size, dtype=np.uint64)
    kernels.value_hashes(x, out)
    assert np.array_equal(out, _splitmix64(x))
    assert out[-5] == out[-4]  # -0.0 and 0.0


@pytest.mark.parametrize("level", [10, 40, 63])
def test_first_look_is_min_max_whole_and_the_values_hashing_below(level):
    x = _awkward(np.random.default_rng(level))
    kept = np.empty(x.size)
    low, high, whole, k = kernels.first_look(x, np.uint64(1 << level), kept)
    assert (low, high, whole) == (x.min(), x.max(), False)
    assert kept[:k].tobytes() == x[_splitmix64(x) < np.uint64(1 << level)].tobytes()


def test_first_look_sees_whole_numbers():
    x = np.random.default_rng(2).integers(-50, 50, 10_000).astype(float)
    assert kernels.first_look(x, np.uint64(0), np.empty(x.size))[2] is True
    x[7_777] += 0.5
    assert kernels.first_look(x, np.uint64(0), np.empty(x.size))[2] is False


def _run(x: np.ndarray, edges: np.ndarray, marked: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, tuple]:
    """(cells, kept values, (n, mean, m2, log mean, log m2, min, max))."""
    cells = np.zeros((edges.size - 1, 3))
    marked = np.zeros(0, dtype=bool) if marked is None else marked
    *result, kept = kernels.cells_and_moments(x, edges, *_Grid.run_of(edges), cells, marked, np.empty(x.size))
    return cells, kept, tuple(result)


@pytest.mark.parametrize("seed", range(4))
def test_cells_are_the_binary_search_with_exact_counts_and_sums(seed):
    rng = np.random.default_rng(seed)
    x = rng.lognormal(0.0, 2.0, 50_000)
    edges = sketch_edges(float(x.min()), float(x.max()), *np.quantile(x, [0.001, 0.999]))
    x = np.r_[x, edges[::997]]  # values exactly on edges (the cell to their right)
    expected = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
    index = np.empty(x.size, dtype=np.intp)
    kernels.cell_indices(x, edges, *_Grid.run_of(edges), index)
    assert np.array_equal(index, expected)
    marked = rng.random(edges.size - 1) < 0.01
    cells, kept, _ = _run(x, edges, marked)
    assert np.array_equal(cells[:, 0], np.bincount(expected, minlength=edges.size - 1))
    assert kept.tobytes() == x[marked[expected]].tobytes()  # the marked cells' values, in order
    assert _run(x, edges)[1].size == 0  # nothing marked, nothing kept
    order = np.argsort(expected, kind="stable")
    groups = np.split(x[order], np.cumsum(np.bincount(expected, minlength=edges.size - 1))[:-1])
    exact = np.array([math.fsum(group) for group in groups])
    assert (cells[:, 1] + cells[:, 2]).tobytes() == exact.tobytes()  # the sum and its error: the exact sum, rounded once
    shuffled = _run(rng.permutation(x), edges)[0]
    assert (shuffled[:, 1] + shuffled[:, 2]).tobytes() == exact.tobytes()  # in any order


@pytest.mark.parametrize("seed", range(3))
def test_sums_added_keep_the_exact_total_however_the_values_are_split(seed):
    rng = np.random.default_rng(seed)
    x = rng.lognormal(0.0, 3.0, 30_000) * rng.choice([-1.0, 1.0], 30_000)
    edges = sketch_edges(float(x.min()), float(x.max()), *np.quantile(x, [0.01, 0.99]))
    cell = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
    exact = np.array([math.fsum(x[cell == c]) for c in range(edges.size - 1)])
    parts = np.split(rng.permutation(x), [7_000, 19_000])  # three uneven parts, each summed on its own
    tables = [_run(part, edges)[0] for part in parts]
    sums, errors = tables[0][:, 1].copy(), tables[0][:, 2].copy()
    for table in tables[1:]:
        kernels.sums_added(sums, errors, np.ascontiguousarray(table[:, 1]), table[:, 2])  # contiguous and strided
    assert (sums + errors).tobytes() == exact.tobytes()
    plain = tables[0][:, 1] + tables[1][:, 1] + tables[2][:, 1]
    assert not np.array_equal(plain, exact)  # uncompensated, the split shows in the last bits


def test_cells_without_an_equal_width_run_are_searched():
    edges = np.cumsum(np.r_[0.0, np.random.default_rng(3).random(300) + 0.01])  # no two widths alike
    assert _Grid.of(edges) is None
    x = np.random.default_rng(4).uniform(edges[0], edges[-1], 5_000)
    index = np.empty(x.size, dtype=np.intp)
    kernels.cell_indices(x, edges, *_Grid.run_of(edges), index)
    assert np.array_equal(index, np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2))


@pytest.mark.parametrize("sigma", [0.1, 3.0, 30.0])
def test_moments_equal_numpys_two_pass_ones_to_rounding(sigma):
    """The log moments are sums shifted by log(mean); even a log-normal with σ = 30 (mean far above the
    log-mean) loses nothing to cancellation."""
    x = np.random.default_rng(5).lognormal(1.0, sigma, 100_000)
    x = x[np.isfinite(x) & (x > 0)]
    edges = sketch_edges(float(x.min()), float(x.max()), *np.quantile(x, [0.001, 0.999]))
    n, mean, m2, log_mean, log_m2, low, high = _run(x, edges)[2]
    reference = Moments.of(x)
    assert (n, low, high) == (reference.n, reference.low, reference.high)
    for ours, theirs in ((mean, reference.mean), (m2, reference.m2), (log_mean, reference.log_mean), (log_m2, reference.log_m2)):
        assert math.isclose(ours, theirs, rel_tol=1e-12), (ours, theirs)


def test_log_moments_are_nan_unless_every_value_is_positive():
    x = np.r_[np.random.default_rng(6).gamma(2.0, 1.0, 1_000), 0.0]
    edges = np.linspace(0.0, float(x.max()), 50)
    n, mean, m2, log_mean, log_m2, low, high = _run(x, edges)[2]
    assert math.isnan(log_mean) and math.isnan(log_m2) and low == 0.0 and n == 1_001.0
    assert math.isclose(mean, x.mean(), rel_tol=1e-14)
