"""A small weighted summary of many values, on which the likelihood search runs.

The search for families without a closed form evaluates the log-likelihood a few hundred
times. On a million distinct values each evaluation is a pass over a million points; on
this summary it is a pass over a few thousand, and the sum it gives is the raw-data sum to
within a few parts in 10^9 (measured by ``benchmarks/bench_core.py`` and tested in
``tests/test_models_continuous_summary.py``):

* the ``tail`` smallest and largest values are kept exactly, each with its count, so the
  exact minimum and maximum are points of the summary: a family whose support leaves out
  an observed value cannot look good on it;
* the values between are cut into ``groups`` groups of about equal weight (and, in long
  tails, more: no group spans much of its distance from the median), and each group
  is replaced by the two-point Gauss rule for its own values: two points with weights that
  match the group's weight, mean, variance and third central moment. The rule integrates
  every cubic exactly, so Σ log f(xᵢ) over a group is exact up to the fourth derivative of
  log f times the group's (tiny) fourth moment; both points lie inside the group's range.

Examples
--------
>>> x = np.random.default_rng(0).gamma(2.0, 3.0, 100_000)
>>> values, counts = np.unique(x, return_counts=True)
>>> summary = weighted_summary(values, counts.astype(float), groups=256, tail=16)
>>> summary.values.size < 1_000, float(summary.weights.sum())
(True, 100000.0)
>>> bool(summary.values[0] == x.min() and summary.values[-1] == x.max())
True
>>> from scipy import stats
>>> full, small = stats.gamma(2.1, scale=2.9).logpdf(x).sum(), np.dot(summary.weights, stats.gamma(2.1, scale=2.9).logpdf(summary.values))
>>> bool(abs(small - full) < 1e-6 * abs(full))
True
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = [
    "COARSE_GROUPS", "FINE_GROUPS", "LIKELIHOOD_GROUPS", "Summary", "exact_values", "group_error_bounds", "likelihood_summary",
    "log_likelihood_bound", "summaries", "weighted_summary", "with_exact_groups",
]

COARSE_GROUPS = 256  # the first search stage: ≈ 700 points
FINE_GROUPS = 1_024  # the polishing stage: ≈ 3,000 points
_COARSE_TAIL = 16  # exact values kept at each end
_FINE_TAIL = 64
LIKELIHOOD_GROUPS = 4_096  # a model's final log-likelihood: ≈ 8,700 points
_LIKELIHOOD_TAIL = 256


@dataclass(frozen=True)
class Summary:
    """Weighted points standing in for many values (sorted; weights sum to the values' total count)."""

    values: np.ndarray
    weights: np.ndarray
    groups: int  # how many Gauss groups (the rest of the points are exact tail values)
    group_low: np.ndarray = field(default_factory=lambda: np.empty(0))  # each Gauss group's exact value range and weight
    group_high: np.ndarray = field(default_factory=lambda: np.empty(0))
    group_weight: np.ndarray = field(default_factory=lambda: np.empty(0))


def weighted_summary(values: np.ndarray, counts: np.ndarray, groups: int, tail: int) -> Summary:
    """The summary of sorted distinct ``values`` with ``counts``; see the module docstring."""
    values, counts = np.asarray(values, dtype=float), np.asarray(counts, dtype=float)
    if values.size <= 2 * tail + 3 * groups:
        return Summary(values, counts, 0)
    body_values, body_counts = values[tail:-tail], counts[tail:-tail]
    starts = _group_starts(body_values, body_counts, groups)
    nodes, weights = _gauss_two_point(body_values, body_counts, starts)
    points = np.concatenate([values[:tail], nodes, values[-tail:]])
    mass = np.concatenate([counts[:tail], weights, counts[-tail:]])
    order = np.argsort(points, kind="stable")
    ends = np.append(starts[1:], body_values.size) - 1
    return Summary(
        points[order], mass[order], int(starts.size), body_values[starts], body_values[ends], np.add.reduceat(body_counts, starts),
    )


# A cubic through log f at four Chebyshev points of a group, checked at its ends and middle: where log f
# is a cubic the two-point rule is exact, so 2 × weight × |log f − cubic| bounds the group's error.
_NODES = np.cos((2 * np.arange(4) + 1) * np.pi / 8)  # on [−1, 1]
_CHECKS = np.array([-1.0, 0.0, 1.0])
_LAGRANGE = np.array([[np.prod([(c - _NODES[m]) / (_NODES[k] - _NODES[m]) for m in range(4) if m != k]) for k in range(4)]
                      for c in _CHECKS])
_SAFETY = 4.0  # the largest residual between the checks can exceed the largest at them (a kink between checks)


def log_likelihood_bound(summary: Summary, log_density: Callable[[np.ndarray], np.ndarray]) -> tuple[float, float] | None:
    """Σ w log f over the summary and a bound on its distance from Σ log f over the values it stands for.

    Within a group the two-point rule integrates any cubic exactly, so its error is at most
    2 × (group weight) × max |log f − p| over the group's range for any cubic p. That maximum is
    measured with the cubic through log f at four Chebyshev points of the group's exact range,
    checked at the range's ends and middle, times a safety factor of 4; exact tail values add
    nothing. ``tests/test_models_continuous_summary.py`` checks the bound against the raw sum over
    the whole catalogue. None when log f is −∞ or NaN at a point of the summary or a check (the
    caller then takes the raw values: an excluded value must be named exactly).

    Examples
    --------
    >>> from scipy import stats
    >>> x = np.random.default_rng(0).gamma(2.0, 3.0, 100_000)
    >>> summary = weighted_summary(np.sort(x), np.ones(x.size), groups=1_024, tail=64)
    >>> total, bound = log_likelihood_bound(summary, stats.gamma(2.1, scale=2.9).logpdf)
    >>> exact = stats.gamma(2.1, scale=2.9).logpdf(x).sum()
    >>> bool(abs(total - exact) <= bound < 1e-9 * abs(exact))
    True
    """
    found = group_error_bounds(summary, log_density)
    if found is None or not np.all(np.isfinite(found[1])):
        return None
    return found[0], float(found[1].sum())


def group_error_bounds(summary: Summary, log_density: Callable[[np.ndarray], np.ndarray]) -> tuple[float, np.ndarray] | None:
    """Σ w log f over the summary and each Gauss group's error bound (see :func:`log_likelihood_bound`).

    A group where log f is −∞ or NaN at a check gets an infinite bound; None when log f is not
    finite at a point of the summary itself.

    Examples
    --------
    >>> from scipy import stats
    >>> x = np.random.default_rng(0).gamma(2.0, 3.0, 100_000)
    >>> summary = weighted_summary(np.sort(x), np.ones(x.size), groups=1_024, tail=64)
    >>> total, smooth = group_error_bounds(summary, stats.gamma(2.1, scale=2.9).logpdf)
    >>> _, cusp = group_error_bounds(summary, stats.dgamma(1.3, loc=5.0, scale=2.4).logpdf)  # log f → −∞ at x = 5
    >>> bool(smooth.max() < 1e-9 * abs(total) < 1.0 < cusp.max())
    True
    >>> bool(summary.group_low[cusp.argmax()] <= 5.0 <= summary.group_high[cusp.argmax()])
    True
    """
    at_points = log_density(summary.values)
    if not np.all(np.isfinite(at_points[summary.weights > 0])):
        return None
    total = float(np.einsum("i,i->", summary.weights, at_points))  # not np.dot: past 10,000 points OpenBLAS threads it
    if summary.groups == 0:
        return total, np.empty(0)
    middle, half = (summary.group_high + summary.group_low) / 2, (summary.group_high - summary.group_low) / 2
    where = middle[:, None] + half[:, None] * np.concatenate([_NODES, _CHECKS])[None, :]
    logs = log_density(where.ravel()).reshape(where.shape)
    with np.errstate(invalid="ignore"):  # einsum, not @: OpenBLAS's threads would spin after it
        residual = np.max(np.abs(logs[:, 4:] - np.einsum("gk,ck->gc", logs[:, :4], _LAGRANGE)), axis=1)
    residual[~np.all(np.isfinite(logs), axis=1)] = np.inf
    return total, _SAFETY * 2.0 * summary.group_weight * residual


def with_exact_groups(summary: Summary, values: np.ndarray, counts: np.ndarray, chosen: np.ndarray) -> Summary:
    """``summary`` with the ``chosen`` Gauss groups replaced by the sorted distinct ``values`` (and ``counts``) they stand for.

    Where a model's log density has a kink or a singularity inside a group (dgamma's and
    dweibull's at loc) the two-point rule is off by nats; the exact values there make the sum
    exact again, and the other groups keep their (measured) accuracy.

    Examples
    --------
    >>> values = np.arange(1.0, 10_001.0)
    >>> summary = weighted_summary(values, np.ones(values.size), groups=64, tail=8)
    >>> chosen = np.zeros(summary.groups, dtype=bool); chosen[10] = True
    >>> exact = with_exact_groups(summary, values, np.ones(values.size), chosen)
    >>> exact.groups == summary.groups - 1, float(exact.weights.sum()), bool(np.isin(values[1_500:1_600], exact.values).any())
    (True, 10000.0, False)
    >>> low, high = summary.group_low[10], summary.group_high[10]
    >>> bool(np.all(np.isin(values[(values >= low) & (values <= high)], exact.values)))
    True
    """
    if not chosen.any():
        return summary
    low, high = summary.group_low[chosen], summary.group_high[chosen]
    # Group ranges are disjoint and hold their own two nodes: a point is replaced when it lies in a chosen range.
    def inside(x: np.ndarray) -> np.ndarray:
        slot = np.searchsorted(low, x, side="right") - 1
        return (slot >= 0) & (x <= high[np.maximum(slot, 0)])

    keep, take = ~inside(summary.values), inside(values)
    points = np.concatenate([summary.values[keep], values[take]])
    mass = np.concatenate([summary.weights[keep], counts[take]])
    order = np.argsort(points, kind="stable")
    rest = ~chosen
    return Summary(points[order], mass[order], int(rest.sum()), summary.group_low[rest], summary.group_high[rest], summary.group_weight[rest])


def _group_starts(values: np.ndarray, counts: np.ndarray, groups: int) -> np.ndarray:
    """Index where each group starts: cuts of about equal weight, plus cuts equally spaced in asinh.

    The asinh cuts are equally spaced near the middle and log-spaced far out, so a group in a
    long tail never spans more than a small fraction of its distance from the middle (where a
    power-law tail's log density changes fastest); log-spaced distances from each end do the same
    near a boundary of the support (gamma's x^(a−1) near 0).
    """
    cumulative = np.cumsum(counts)
    by_weight = np.searchsorted(cumulative, np.linspace(0.0, cumulative[-1], groups + 1)[1:-1], side="right")
    middle = float(values[np.searchsorted(cumulative, cumulative[-1] / 2)])
    spread = float(values[np.searchsorted(cumulative, 0.75 * cumulative[-1])] - values[np.searchsorted(cumulative, 0.25 * cumulative[-1])])
    spread = spread if spread > 0 else max(float(values[-1] - values[0]), 1e-300)
    stretched = np.arcsinh((values[[0, -1]] - middle) / spread)
    by_distance = np.searchsorted(values, middle + spread * np.sinh(np.linspace(*stretched, groups // 4 + 1)[1:-1]), side="left")
    # Near either end, log-spaced distances from it (densities such as gamma's x^(a−1) change fastest there).
    near = max(groups // 8, 2)
    width = float(values[-1] - values[0])
    first_gap = max(float(np.min(np.diff(values[:2]))), width * 1e-12, 1e-300) if values.size > 1 else 1.0
    distances = np.geomspace(first_gap, width, near) if width > first_gap else np.empty(0)
    from_low = np.searchsorted(values, values[0] + distances, side="left")
    from_high = np.searchsorted(values, values[-1] - distances, side="right")
    cuts = np.concatenate([[0], by_weight, by_distance, from_low, from_high])
    return np.unique(cuts[(cuts >= 0) & (cuts < counts.size)])


def _gauss_two_point(values: np.ndarray, counts: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per group: the two points and weights matching its weight, mean, variance and third central moment."""
    weight = np.add.reduceat(counts, starts)
    mean = np.add.reduceat(counts * values, starts) / weight
    sizes = np.diff(np.append(starts, values.size))
    centred = values - np.repeat(mean, sizes)
    power = counts * centred
    power *= centred
    variance = np.add.reduceat(power, starts) / weight
    power *= centred
    third = np.add.reduceat(power, starts) / weight
    sd = np.sqrt(variance)
    spread = sd > 1e-12 * np.maximum(np.abs(mean), 1e-300)
    skew = np.where(spread, third / np.where(spread, sd**3, 1.0), 0.0)
    root = np.sqrt(skew**2 + 4.0)
    low_t, high_t = (skew - root) / 2, (skew + root) / 2  # roots of t² − γt − 1: the standardised nodes
    low_w = high_t / (high_t - low_t)
    low_point, high_point = mean + sd * low_t, mean + sd * high_t
    group_low, group_high = values[starts], values[np.append(starts[1:], values.size) - 1]
    # Both nodes lie inside the group's range in exact arithmetic; rounding must not move them out.
    low_point, high_point = np.clip(low_point, group_low, group_high), np.clip(high_point, group_low, group_high)
    nodes = np.where(spread[:, None], np.stack([low_point, high_point], axis=1), np.stack([mean, mean], axis=1))
    weights = np.where(spread[:, None], np.stack([weight * low_w, weight * (1 - low_w)], axis=1), np.stack([weight, 0 * weight], axis=1))
    nodes, weights = nodes.ravel(), weights.ravel()
    keep = weights > 0
    return nodes[keep], weights[keep]


_CACHE: "weakref.WeakKeyDictionary[object, tuple[Summary, Summary]]" = weakref.WeakKeyDictionary()


def summaries(sketch: object) -> tuple[Summary, Summary]:
    """The coarse and the fine summary of a :class:`~kl_core.sketch.ValueSketch`, built once per sketch."""
    cached = _CACHE.get(sketch)
    if cached is None:
        values, counts = _with_exact_ends(sketch)
        fine = weighted_summary(values, counts, FINE_GROUPS, _FINE_TAIL)
        # The coarse one from the fine one: its groups' first three moments are (nearly) the data's.
        cached = (weighted_summary(fine.values, fine.weights, COARSE_GROUPS, _COARSE_TAIL), fine)
        _CACHE[sketch] = cached
    return cached


_LIKELIHOOD_CACHE: "weakref.WeakKeyDictionary[object, Summary]" = weakref.WeakKeyDictionary()


def likelihood_summary(sketch: object) -> Summary:
    """A finer summary (:data:`LIKELIHOOD_GROUPS` groups, 256 exact values at each end) for a model's final Σ log f.

    Four times finer than the search's, so its error (fourth order in the groups' widths) is
    about 256 times smaller: the measured bound of :func:`log_likelihood_bound` stays well under
    1e-9 relative for smooth log densities. Built once per sketch.
    """
    cached = _LIKELIHOOD_CACHE.get(sketch)
    if cached is None:
        values, counts = _with_exact_ends(sketch)
        cached = weighted_summary(values, counts, LIKELIHOOD_GROUPS, _LIKELIHOOD_TAIL)
        _LIKELIHOOD_CACHE[sketch] = cached
    return cached


def exact_values(sketch: object) -> tuple[np.ndarray, np.ndarray]:
    """The sorted values and counts the fine summary of ``sketch`` stands for (its cells' means on a fine sketch, exact ends)."""
    return _with_exact_ends(sketch)


def _with_exact_ends(sketch: object) -> tuple[np.ndarray, np.ndarray]:
    """The sketch's values and counts; for a fine sketch, its end cells split so the exact min and max are points.

    A fine cell is known by its count and mean; the end cell holding the minimum becomes the
    minimum (weight 1) and the mean of the others, which keeps the cell's total exactly.
    """
    values, counts = np.array(sketch.values, dtype=float), np.array(sketch.counts, dtype=float)  # type: ignore[attr-defined]
    if sketch.exact:  # type: ignore[attr-defined]
        return values, counts
    for index, end in ((0, sketch.low), (-1, sketch.high)):  # type: ignore[attr-defined]
        count, mean = counts[index], values[index]
        if count > 1 and mean != end:
            rest = (count * mean - end) / (count - 1)
            if index == 0:
                values, counts = np.concatenate([[end, rest], values[1:]]), np.concatenate([[1.0, count - 1], counts[1:]])
            else:
                values, counts = np.concatenate([values[:-1], [rest, end]]), np.concatenate([counts[:-1], [count - 1, 1.0]])
    return values, counts
