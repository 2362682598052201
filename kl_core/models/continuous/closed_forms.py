"""Maximum-likelihood fits with closed forms or a one-dimensional root, on weighted data.

Each takes :class:`Weighted` data (the exact values with their counts, or a fine sketch's
representative points, plus its exact sufficient statistics) and the fixed parameters,
and returns every parameter, or None when the family has no closed form for that case
(the numerical search then fits it). The normal, log-normal (loc 0), exponential and gamma
(loc 0) use only the sufficient statistics, so they are exact at any size; the Weibull
(loc 0) solves its profile equation in the shape, the Laplace takes the weighted median,
the inverse Gaussian (loc 0) its two means.

Examples
--------
>>> data = Weighted.of(np.array([1.0, 2.0, 4.0]), np.array([1.0, 2.0, 1.0]))
>>> closed_form("norm", data, {})
{'loc': 2.25, 'scale': 1.0897247358851685}
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import optimize, special

from kl_core.sketch import Moments

__all__ = [
    "CLOSED_FORMS", "Weighted", "closed_form", "coarse", "mean_loglik_at_closed_form", "mean_loglik_from_moments", "weighted_sum",
]


@dataclass(frozen=True)
class Weighted:
    """Weighted values (exact or a sketch's cell means) and the data's exact sufficient statistics."""

    values: np.ndarray
    weights: np.ndarray
    moments: Moments
    summary: "Weighted | None" = None  # a small stand-in for many values (:mod:`.summary`), for first roots
    cells: tuple[np.ndarray, np.ndarray] | None = None  # each value's fine cell (lower, upper edge) when values are cell means

    @classmethod
    def of(cls, values: np.ndarray, weights: np.ndarray) -> "Weighted":
        """Weighted data from values and counts."""
        return cls(values, weights, Moments.of(values, weights))


Params = dict[str, float]


def weighted_sum(weights: np.ndarray, values: np.ndarray) -> float:
    """Σ wᵢ xᵢ, outside BLAS: OpenBLAS threads a long dot product and its idle threads then spin,
    about doubling the CPU time of passes that memory bandwidth bounds anyway.

    Examples
    --------
    >>> weighted_sum(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    11.0
    """
    return float(np.einsum("i,i->", weights, values))


def _norm(data: Weighted, fixed: Params) -> Params | None:
    m = data.moments
    if "loc" in fixed and "scale" in fixed:
        return None
    loc = fixed.get("loc", m.mean)
    scale = fixed.get("scale", math.sqrt(m.variance + (m.mean - loc) ** 2))
    return {"loc": loc, "scale": scale} if scale > 0 else None


def _expon(data: Weighted, fixed: Params) -> Params | None:
    m = data.moments
    if "scale" in fixed:
        return None
    loc = fixed.get("loc", m.low)  # the 2-parameter exponential's MLE threshold is the minimum
    scale = m.mean - loc
    return {"loc": loc, "scale": scale} if scale > 0 and loc <= m.low else None


def _lognorm(data: Weighted, fixed: Params) -> Params | None:
    m = data.moments
    if fixed.get("loc") != 0 or not math.isfinite(m.log_mean) or len(fixed) == 3:
        return None
    s = fixed.get("s", math.sqrt(m.log_variance))
    scale = fixed.get("scale", math.exp(m.log_mean))
    if "s" in fixed and "scale" not in fixed:
        scale = math.exp(m.log_mean)
    if "scale" in fixed and "s" not in fixed:
        s = math.sqrt(m.log_variance + (m.log_mean - math.log(scale)) ** 2)
    return {"s": s, "loc": 0.0, "scale": scale} if s > 0 else None


def _gamma(data: Weighted, fixed: Params) -> Params | None:
    m = data.moments
    if fixed.get("loc") != 0 or not math.isfinite(m.log_mean) or len(fixed) == 3:
        return None
    if "a" in fixed:
        return {"a": fixed["a"], "loc": 0.0, "scale": m.mean / fixed["a"]}
    if "scale" in fixed:  # ψ(a) = mean log x − log scale
        target = m.log_mean - math.log(fixed["scale"])
        a = _solve(lambda a: special.digamma(a) - target, 1.0)
        return None if a is None else {"a": a, "loc": 0.0, "scale": fixed["scale"]}
    gap = math.log(m.mean) - m.log_mean  # log a − ψ(a) = gap > 0 (Jensen)
    if not gap > 0:
        return None
    a = _solve(lambda a: math.log(a) - special.digamma(a) - gap, (3 - gap + math.sqrt((gap - 3) ** 2 + 24 * gap)) / (12 * gap))
    return None if a is None else {"a": a, "loc": 0.0, "scale": m.mean / a}


def _weibull_min(data: Weighted, fixed: Params) -> Params | None:
    if fixed.get("loc") != 0 or len(fixed) == 3 or data.moments.low <= 0:
        return None
    w = data.weights / data.weights.sum()
    logs = np.log(data.values)
    centre = float(logs.max())
    shifted = logs - centre  # x^c = e^{c·centre} · e^{c·shifted}: no overflow
    mean_log = data.moments.log_mean if math.isfinite(data.moments.log_mean) else weighted_sum(w, logs)

    def sums(c: float) -> tuple[float, float, float]:
        powers = w * np.exp(c * shifted)
        return float(powers.sum()), weighted_sum(powers, shifted), weighted_sum(powers, shifted**2)

    if "scale" in fixed:
        return None
    if "c" in fixed:
        c = fixed["c"]
    else:
        def score(c: float) -> float:  # Σx^c log x / Σx^c − 1/c − mean log x = 0
            b, a, _ = sums(c)
            return a / b + centre - 1 / c - mean_log

        found = None
        if data.summary is not None or data.values.size > _COARSE:  # root on a summary, then Newton steps on every value
            summary = coarse(data)
            start = _weibull_min(summary, fixed) if summary.values.size < data.values.size else None
            found = _newton_weibull(sums, centre, mean_log, start["c"]) if start else None
        if found is not None:
            c, b = found
            return {"c": c, "loc": 0.0, "scale": math.exp(centre + math.log(b) / c)}
        c = _solve(score, 1.2 / max(math.sqrt(weighted_sum(w, (logs - mean_log) ** 2)), 1e-300), positive=True)
        if c is None:
            return None
    b, _, _ = sums(c)
    return {"c": c, "loc": 0.0, "scale": math.exp(centre + math.log(b) / c)}


_COARSE = 50_000  # beyond this many values, 1-D roots start from a coarse summary


def coarse(data: Weighted, cells: int = 4_096) -> Weighted:
    """A small stand-in for many values: ``data.summary`` when given, else the weighted means of
    about ``cells`` equal-weight groups of the sorted values (same mean)."""
    if data.summary is not None:
        return data.summary
    cumulative = np.cumsum(data.weights)
    cut = np.unique(np.searchsorted(cumulative, np.linspace(0, cumulative[-1], cells + 1)[1:-1]))
    starts = np.concatenate([[0], cut[cut > 0]])
    weights = np.add.reduceat(data.weights, starts)
    means = np.add.reduceat(data.weights * data.values, starts) / weights
    return Weighted(means, weights, data.moments)


_SETTLED = 1e-7  # a Newton step this small (relative) leaves an error of its square: below rounding


def _newton_weibull(
    sums: Callable[[float], tuple[float, float, float]], centre: float, mean_log: float, c: float
) -> tuple[float, float] | None:
    """Newton steps on the Weibull profile score from a close start: the root c and Σ w e^(c·shifted) at it.

    None if they do not settle. From the summary's root one pass over the values usually
    settles it (the step is ~1e-9 relative); Σ w e^(c·shifted) then moves by the step's
    second-order Taylor term, so no further pass is needed.
    """
    for _ in range(8):
        b, a, second = sums(c)
        ratio = a / b
        score = ratio + centre - 1 / c - mean_log
        slope = second / b - ratio**2 + 1 / c**2
        step = score / slope
        c -= step
        if not (c > 0 and math.isfinite(c)):
            return None
        if abs(step) <= _SETTLED * c:
            return c, b - step * a + step**2 / 2 * second
    return None


def _weighted_median(data: Weighted) -> float:
    """The weighted median of sorted values (the lower one when the weight splits exactly).

    For a fine sketch's cell means (``data.cells``) it is the median's rank placed within its
    cell, the cell's values taken as evenly spread about their mean: the cell mean alone is
    off by up to half a cell width, which at the median of a long-tailed sample is ~3e-4 of it.

    Examples
    --------
    >>> x = np.sort(np.random.default_rng(0).uniform(0.0, 1.0, 10_001))
    >>> counts, edges = np.histogram(x, bins=10)
    >>> cell = np.digitize(x, edges[1:-1])
    >>> means = np.bincount(cell, weights=x) / counts
    >>> plain = _weighted_median(Weighted.of(means, counts.astype(float)))
    >>> placed = _weighted_median(Weighted(means, counts.astype(float), Moments.of(x), cells=(edges[:-1], edges[1:])))
    >>> bool(abs(plain - np.median(x)) > 0.04), bool(abs(placed - np.median(x)) < 0.002)  # cells 0.1 wide
    (True, True)
    """
    cumulative = np.cumsum(data.weights)
    at = int(np.searchsorted(cumulative, 0.5 * cumulative[-1]))
    if data.cells is None:
        return float(data.values[at])
    rank = math.ceil(0.5 * cumulative[-1]) - (cumulative[at - 1] if at else 0.0)  # the median's rank in its cell, 1-based
    count, low, high = data.weights[at], data.cells[0][at], data.cells[1][at]
    placed = data.values[at] + (rank - (count + 1) / 2) * (high - low) / count
    return float(min(max(placed, low), high))


def _laplace(data: Weighted, fixed: Params) -> Params | None:
    if "scale" in fixed and "loc" in fixed:
        return None
    loc = fixed.get("loc", _weighted_median(data))
    scale = weighted_sum(data.weights, np.abs(data.values - loc)) / data.weights.sum()
    if "scale" in fixed:
        return {"loc": loc, "scale": fixed["scale"]}
    return {"loc": loc, "scale": scale} if scale > 0 else None


def _logistic(data: Weighted, fixed: Params) -> Params | None:
    """Newton's method on the two score equations (scipy's own fit solves the same ones), coarse first."""
    if fixed:
        return None
    start = None
    if data.summary is not None or data.values.size > _COARSE:
        summary = coarse(data)
        start = _logistic(summary, fixed) if summary.values.size < data.values.size else None
    if start is None:
        m = data.moments
        start = {"loc": float(_weighted_median(data)), "scale": math.sqrt(3 * m.variance) / math.pi}
    return _newton_logistic(data, start["loc"], start["scale"])


def _newton_logistic(data: Weighted, loc: float, scale: float) -> Params | None:
    w = data.weights / data.weights.sum()
    for _ in range(50):
        z = (data.values - loc) / scale
        # tanh(z/2) and (1 − tanh²(z/2))/2 from one exp (np.tanh costs several exps per value)
        e = np.exp(-np.abs(z))
        inverse = 1 / (1 + e)
        t = np.copysign((1 - e) * inverse, z)
        d = 2 * e * inverse * inverse
        g = t + z * d
        f1, f2 = weighted_sum(w, t), weighted_sum(w, z * t) - 1.0
        j11, j12 = -weighted_sum(w, d) / scale, -weighted_sum(w, d * z) / scale
        j21, j22 = -weighted_sum(w, g) / scale, -weighted_sum(w, g * z) / scale
        det = j11 * j22 - j12 * j21
        if not det or not math.isfinite(det):
            return None
        step_loc, step_scale = (j22 * f1 - j12 * f2) / det, (j11 * f2 - j21 * f1) / det
        while scale - step_scale <= 0:  # keep the scale positive: halve the step
            step_loc, step_scale = step_loc / 2, step_scale / 2
        loc, scale = loc - step_loc, scale - step_scale
        if abs(step_loc) <= _SETTLED * (abs(loc) + scale) and abs(step_scale) <= _SETTLED * scale:
            return {"loc": loc, "scale": scale}  # quadratic convergence: what is left is ~ the step squared
    return None


def _invgauss(data: Weighted, fixed: Params) -> Params | None:
    if fixed.get("loc") != 0 or len(fixed) > 1 or data.moments.low <= 0:
        return None
    w = data.weights / data.weights.sum()
    mean = weighted_sum(w, data.values)
    inverse = weighted_sum(w, 1 / data.values) - 1 / mean
    if not inverse > 0:
        return None
    shape = 1 / inverse  # scipy: invgauss(mu, scale) has mean mu·scale and shape λ = scale
    return {"mu": mean / shape, "loc": 0.0, "scale": shape}


def _solve(f: Callable[[float], float], guess: float, positive: bool = True) -> float | None:
    """A root of a monotone f on (0, ∞), bracketed outward from ``guess``."""
    low, high = guess / 2, guess * 2
    for _ in range(200):
        if f(low) * f(high) < 0:
            break
        low, high = low / 4, high * 4
    else:
        return None
    try:
        return float(optimize.brentq(f, low, high, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500))
    except (ValueError, RuntimeError):
        return None


CLOSED_FORMS: dict[str, Callable[[Weighted, Params], Params | None]] = {
    "norm": _norm, "expon": _expon, "lognorm": _lognorm, "gamma": _gamma, "weibull_min": _weibull_min,
    "laplace": _laplace, "invgauss": _invgauss, "logistic": _logistic,
}


def closed_form(name: str, data: Weighted, fixed: Params) -> Params | None:
    """Every parameter of ``name``'s MLE on ``data`` with ``fixed`` held, or None (search instead)."""
    solver = CLOSED_FORMS.get(name)
    if solver is None:
        return None
    with np.errstate(all="ignore"):
        found = solver(data, fixed)
    if found is None or not all(math.isfinite(v) for v in found.values()):
        return None
    return {**found, **fixed}


_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def mean_loglik_from_moments(name: str, shapes: list[float], loc: float, scale: float, m: Moments) -> float | None:
    """(1/N) Σ log f(xᵢ) from the sufficient statistics alone, or None when the family needs the values.

    Exact (to rounding) for the normal, the exponential, and the log-normal and gamma with
    loc = 0, at any size and on a fine sketch too (its statistics are the raw values'): the
    bin-free KL of these families costs O(1), not a pass over every value. None also where the
    model gives some value density 0 (the caller then names those values).

    Examples
    --------
    >>> x = np.array([0.5, 1.0, 2.5])
    >>> from scipy import stats
    >>> round(mean_loglik_from_moments("gamma", [2.0], 0.0, 1.5, Moments.of(x)), 10), round(float(stats.gamma(2.0, scale=1.5).logpdf(x).mean()), 10)
    (-1.6254379213, -1.6254379213)
    """
    if not scale > 0:
        return None
    if name == "norm":
        return -math.log(scale) - _HALF_LOG_2PI - (m.variance + (m.mean - loc) ** 2) / (2 * scale**2)
    if name == "expon":
        return -math.log(scale) - (m.mean - loc) / scale if loc <= m.low else None
    if loc != 0 or not m.low > 0 or not math.isfinite(m.log_mean):
        return None
    if name == "lognorm":
        s = shapes[0]
        return -math.log(s) - _HALF_LOG_2PI - m.log_mean - (m.log_variance + (m.log_mean - math.log(scale)) ** 2) / (2 * s**2)
    if name == "gamma":
        a = shapes[0]
        return (a - 1) * m.log_mean - m.mean / scale - float(special.gammaln(a)) - a * math.log(scale)
    return None


def mean_loglik_at_closed_form(name: str, params: Params, fixed: Params, m: Moments) -> float | None:
    """(1/N) Σ log f(xᵢ) at a closed-form MLE whose scale was fitted, from an identity that holds there.

    At the Weibull's MLE scale (loc 0), the mean of (x/scale)^c is exactly 1; at the Laplace's,
    the mean of |x − loc| is exactly the scale: the log-likelihood needs no pass over the values.
    None for other families or a fixed scale.

    Examples
    --------
    >>> x = np.array([0.5, 1.0, 2.5, 4.0])
    >>> fit = closed_form("weibull_min", Weighted.of(x, np.ones(4)), {"loc": 0.0})
    >>> from scipy import stats
    >>> direct = float(stats.weibull_min(fit["c"], scale=fit["scale"]).logpdf(x).mean())
    >>> abs(mean_loglik_at_closed_form("weibull_min", fit, {"loc": 0.0}, Moments.of(x)) - direct) < 1e-12
    True
    """
    if "scale" in fixed:
        return None
    scale = params["scale"]
    if name == "weibull_min" and params.get("loc") == 0 and math.isfinite(m.log_mean):
        c = params["c"]
        return math.log(c) - c * math.log(scale) + (c - 1) * m.log_mean - 1.0
    if name == "laplace":
        return -math.log(2 * scale) - 1.0
    return None
