"""KL divergence for continuous data that does not depend on bins.

For data with density p and a model with density q,
D(P‖Q) = −H(P) − E_P[log q(X)]. Its estimate from N observations is

    D̂ = −Ĥ − (1/N) Σ log q(xᵢ),

with Ĥ the differential entropy of the data (``scipy.stats.differential_entropy`` on the raw
values; beyond them, −Σ pⱼ log(pⱼ / wⱼ) on the fine sketch's cells, whose widths wⱼ are tiny, plus
Miller–Madow's (m − 1)/2N for the m occupied cells)
and the second term the fitted density at every observed value (on a fine sketch, the cell's
mass divided by its width; beyond :data:`SUMMARY_FROM` distinct values, on a weighted summary of
them when its measured error bound is at most 1e-9 of the sum: :func:`summary_log_likelihood`). Ĥ is the same for every model, so D̂ ranks models exactly as the
raw-data log-likelihood does (and as R's AIC for equal parameter counts).

The binned KL — the discrete KL between bin frequencies and the model's bin masses — depends
on the bins: it is kept as ``kl_binned`` ("at these bins"), and :func:`kl_binned_at` shows
how it moves with the bin count.

Examples
--------
>>> import numpy as np
>>> from kl_core.empirical import Empirical
>>> from kl_core.models import fit
>>> x = np.random.default_rng(0).normal(size=20_000)
>>> emp = Empirical.from_samples(x)
>>> shifted = fit(emp, "norm", loc=0.5, scale=1.0)
>>> round(continuous_kl(emp, shifted), 2)  # analytic: 0.5² / 2 = 0.125 nats
0.12
"""

from __future__ import annotations

import math
import warnings
import weakref
from typing import Any, Mapping, Sequence

import numpy as np
from scipy import special, stats

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.models.base import FittedModel
from kl_core.models.continuous.closed_forms import weighted_sum
from kl_core.models.continuous.summary import likelihood_summary, log_likelihood_bound
from kl_core.sketch import ValueSketch

__all__ = [
    "RAW_ENTROPY_LIMIT", "SUMMARY_FROM", "SUMMARY_TOLERANCE", "binned_winner_warning", "continuous_kl", "continuous_row",
    "differential_entropy", "kl_binned_at", "log_density", "summary_log_likelihood",
]

RAW_ENTROPY_LIMIT = 2_000_000  # observations for scipy's spacing estimator; beyond, the fine cells
SUMMARY_FROM = 100_000  # distinct exact values beyond which Σ log q is taken on the fine summary (within its bound)
SUMMARY_TOLERANCE = 1e-9  # the largest measured error (relative to Σ log q) accepted from the summary
_MAX_NAMED = 3
_ENTROPY_CACHE: "weakref.WeakKeyDictionary[ValueSketch, float]" = weakref.WeakKeyDictionary()


def differential_entropy(sketch: ValueSketch) -> float:
    """Ĥ of the data in nats: scipy's spacing estimator on the raw values, else the fine cells.

    Examples
    --------
    >>> x = np.random.default_rng(1).normal(size=50_000)
    >>> round(differential_entropy(ValueSketch.from_values(x)), 2)  # N(0,1): ½ log(2πe) = 1.419
    1.42
    """
    cached = _ENTROPY_CACHE.get(sketch)
    if cached is None:
        cached = _entropy(sketch)
        _ENTROPY_CACHE[sketch] = cached
    return cached


def _entropy(sketch: ValueSketch) -> float:
    counts = sketch.counts
    whole = bool(np.all(counts == np.round(counts)))
    if sketch.exact and whole and sketch.total <= RAW_ENTROPY_LIMIT:
        # Every value once (the usual case for floats): the values themselves, no copy.
        raw = sketch.values if bool(np.all(counts == 1)) else np.repeat(sketch.values, counts.astype(np.int64))
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(stats.differential_entropy(raw))
        if math.isfinite(value):
            return value
    lows, highs, cell_counts = _cells(sketch)
    total = float(cell_counts.sum())
    p = cell_counts / total
    plug_in = float(-np.sum(special.xlogy(p, p) - p * np.log(highs - lows)))
    # Miller–Madow: the plug-in estimate is low by about (occupied cells − 1) / 2N (3M values in 139,000 cells:
    # 0.024 nats, so D̂ jumped by that much where the raw values give way to the sketch); add it back.
    return plug_in + (np.count_nonzero(cell_counts) - 1) / (2 * total)


def _cells(sketch: ValueSketch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cells for the histogram estimator: the fine sketch's, or about √N equal-weight cells of exact values."""
    if not sketch.exact:
        return sketch.cells()
    k = int(min(max(math.sqrt(sketch.total), 2), 65_536, sketch.size))
    cumulative = np.cumsum(sketch.counts)
    cut = np.searchsorted(cumulative, np.linspace(0, cumulative[-1], k + 1)[1:-1])
    edges = np.unique(np.concatenate([[sketch.low], sketch.values[cut], [sketch.high]]))
    counts, _ = np.histogram(sketch.values, bins=edges, weights=sketch.counts)
    return edges[:-1], edges[1:], counts


def log_density(model: FittedModel, x: np.ndarray) -> np.ndarray:
    """log q(x) in nats: the model's ``logpdf`` (or its frozen scipy distribution's), else the slope of its CDF."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hasattr(model, "logpdf"):
            return np.asarray(model.logpdf(x), dtype=float)
        frozen = getattr(model.cdf_function, "__self__", None)  # a frozen scipy distribution's own cdf (the uniform)
        if frozen is not None and callable(getattr(frozen, "logpdf", None)):
            return np.asarray(frozen.logpdf(x), dtype=float)
        step = np.maximum(np.abs(x) * 1e-7, 1e-9)
        slope = (model.cdf(x + step) - model.cdf(x - step)) / (2 * step)
        return np.log(np.clip(slope, 0.0, None))


def _constant_log_density(model: FittedModel, sketch: ValueSketch) -> float | None:
    """The uniform's log density when its support covers the data (constant there: no pass over the values), else None."""
    frozen = getattr(model.cdf_function, "__self__", None)
    if getattr(getattr(frozen, "dist", None), "name", None) != "uniform":
        return None
    at_ends = log_density(model, np.array([sketch.low, sketch.high]))
    return float(at_ends[0]) if at_ends[0] == at_ends[1] and math.isfinite(at_ends[0]) else None


def _mean_log_q(emp: Empirical, model: FittedModel) -> tuple[float, np.ndarray, np.ndarray]:
    """(1/N) Σ log q(xᵢ), with the values (or cells) and their log q for naming zeros."""
    sketch = emp.sketch
    from_moments = getattr(model, "mean_logpdf_from_moments", None)
    if from_moments is not None:
        mean = from_moments(sketch.moments)  # O(1) for families with sufficient statistics
        if mean is not None and math.isfinite(mean):
            return mean, sketch.values[:0], np.empty(0)
    constant = _constant_log_density(model, sketch)
    if constant is not None:
        return constant, sketch.values[:0], np.empty(0)
    if sketch.exact:
        summarised = summary_log_likelihood(sketch, model)
        if summarised is not None:
            return summarised[0] / sketch.total, sketch.values[:0], np.empty(0)
        logq = log_density(model, sketch.values)
        weights = sketch.counts
        where = sketch.values
    else:
        lows, highs, weights = sketch.cells()
        with np.errstate(all="ignore"):
            mass = model.bin_mass(np.append(lows, highs[-1])) if np.array_equal(lows[1:], highs[:-1]) else \
                np.clip(model.cdf(highs) - model.cdf(lows), 0.0, 1.0)
            logq = np.log(mass) - np.log(highs - lows)
        underflow = ~np.isfinite(logq)
        if underflow.any():  # mass rounded to 0: the density at the cell's mean value times its width
            logq[underflow] = log_density(model, sketch.values[underflow])
        where = sketch.values
    if not np.isfinite(logq).all():  # −inf (or NaN) somewhere: only values with a positive weight count
        used = weights > 0
        if not np.all(logq[used] > -np.inf):
            return -math.inf, where, logq
        return weighted_sum(weights[used], logq[used]) / float(weights[used].sum()), where, logq
    return weighted_sum(weights, logq) / float(weights.sum()), where, logq


def summary_log_likelihood(sketch: ValueSketch, model: FittedModel) -> tuple[float, float] | None:
    """Σ log q(xᵢ) from the fine weighted summary of many exact values, and its measured error bound; None to take the raw values.

    Beyond :data:`SUMMARY_FROM` distinct values one log-density pass over every value costs more
    than the fit (tenths of a second each for scipy's heavier families): the sum is taken over
    a weighted summary (:func:`~kl_core.models.continuous.summary.likelihood_summary`, about
    8,700 points, four times finer than the search's) with a bound on its distance from the raw sum, measured per model at four Chebyshev points and
    three checks of each group. It is used only when that bound is at most
    :data:`SUMMARY_TOLERANCE` of the sum; otherwise (a kink or a fast change inside a group, a
    −∞ anywhere: ∞ must name the values exactly) the raw values are used.

    Examples
    --------
    >>> from kl_core.models import fit
    >>> emp = Empirical.from_samples(np.random.default_rng(3).gamma(2.0, 3.0, 200_000))
    >>> model = fit(emp, "weibull_min")
    >>> total, bound = summary_log_likelihood(emp.sketch, model)
    >>> raw = float(np.sum(model.logpdf(emp.sketch.values)))
    >>> bool(abs(total - raw) <= bound <= SUMMARY_TOLERANCE * abs(raw))
    True
    """
    if not sketch.exact or sketch.size <= SUMMARY_FROM:
        return None
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = log_likelihood_bound(likelihood_summary(sketch), lambda x: log_density(model, x))
    if found is None or not found[1] <= SUMMARY_TOLERANCE * abs(found[0]):
        return None
    return found


def continuous_kl(emp: Empirical, model: FittedModel) -> float:
    """D̂(P‖Q) in nats for continuous data with a sketch; ∞ where q is 0 at an observed value."""
    if emp.sketch is None:
        raise DataError("the bin-free KL needs the raw values (or their sketch); this data is known only as bins")
    mean_log_q, _, _ = _mean_log_q(emp, model)
    return math.inf if mean_log_q == -math.inf else -differential_entropy(emp.sketch) - mean_log_q


def continuous_row(emp: Empirical, model: FittedModel, row: Mapping[str, Any], unit: float) -> dict[str, Any]:
    """The ranking columns that change for continuous data: kl (D̂), kl_binned, cross_entropy, loglik, aic, bic, note.

    ``row`` is the binned row :func:`kl_core.ranking.model_measures` computed; its ``kl``
    becomes ``kl_binned``. Data without a sketch (known only as bins) keeps the binned row.
    """
    out: dict[str, Any] = {"kl_binned": row["kl"]}
    if emp.sketch is None:
        out["note"] = _join(row.get("note", ""), "KL at the bins (the raw values were not kept)")
        return out
    mean_log_q, where, logq = _mean_log_q(emp, model)
    entropy = differential_entropy(emp.sketch)
    # The binned row's notes (zero-mass bins, the ε-floor) are about kl_binned; D̂ has its own.
    note = _join(model.note, "probability input: N unknown, so log-likelihood, AIC and BIC are not available" if emp.n is None else "")
    if mean_log_q == -math.inf:
        zero = np.flatnonzero(~(logq > -np.inf))
        named = ", ".join(f"{where[i]:.6g}" for i in zero[:_MAX_NAMED])
        more = f" and {zero.size - _MAX_NAMED} more" if zero.size > _MAX_NAMED else ""
        note = _join(note, f"∞: {model.label} gives density 0 to {named}{more}, which was observed (outside its support)")
        kl_nats, cross = math.inf, math.inf
    else:
        kl_nats, cross = -entropy - mean_log_q, -mean_log_q
        if kl_nats < 0:
            note = _join(note, "D̂ < 0: it is an estimate (the data's entropy Ĥ is uncertain, more so with far outliers); "
                               "the order by log-likelihood is unaffected")
    out.update({"kl": kl_nats / unit, "cross_entropy": cross / unit, "note": note})
    if emp.n is not None:
        loglik = emp.n * mean_log_q if math.isfinite(mean_log_q) else -math.inf
        m = int(model.n_params)
        out.update({"loglik": loglik, "aic": 2 * m - 2 * loglik, "bic": m * math.log(emp.n) - 2 * loglik if emp.n > 0 else math.nan})
    return out


def _join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


# ------------------------------------------------------------ binned, at other resolutions
def _rebinned(emp: Empirical, bins: int) -> Empirical:
    from dataclasses import replace

    sketch = emp.sketch
    edges = np.linspace(sketch.low, sketch.high, bins + 1)
    counts, _ = np.histogram(sketch.values, bins=edges, weights=sketch.counts)
    return replace(emp, support=edges[:-1] + np.diff(edges) / 2, counts=counts.astype(float), edges=edges)


def kl_binned_at(emp: Empirical, model: FittedModel, bins: Sequence[int] | None = None, base: float = 2) -> dict[int, float]:
    """The binned KL of ``model`` at several bin counts (default: half, the display count, double).

    Examples
    --------
    >>> from kl_core.models import fit
    >>> emp = Empirical.from_samples(np.random.default_rng(2).gamma(2.0, 1.0, 5_000))
    >>> at = kl_binned_at(emp, fit(emp, "norm"))
    >>> sorted(at) == [emp.k // 2, emp.k, 2 * emp.k], at[emp.k] < at[2 * emp.k]
    (True, True)
    """
    if emp.sketch is None:
        raise DataError("other bin counts need the raw values (or their sketch); this data is known only as bins")
    counts = bins if bins is not None else (max(emp.k // 2, 1), emp.k, 2 * emp.k)
    result = {}
    for count in counts:
        rebinned = _rebinned(emp, int(count))
        with np.errstate(all="ignore"):
            q = model.mass(rebinned)
        p = rebinned.probs
        result[int(count)] = max(float(special.rel_entr(p, q).sum()), 0.0) / math.log(base)
    return result


def binned_winner_warning(emp: Empirical, models: Mapping[str, FittedModel], bins: Sequence[int] | None = None) -> str:
    """A warning when the model with the smallest binned KL changes with the bin count, else ''."""
    if emp.sketch is None or len(models) < 2:
        return ""
    at = {name: kl_binned_at(emp, model, bins) for name, model in models.items()}
    counts = list(next(iter(at.values())))
    winners = [min(at, key=lambda name: at[name][count]) for count in counts]
    if len(set(winners)) == 1:
        return ""
    told = ", ".join(f"{name} at {count} bins" for name, count in zip(winners, counts))
    best = min(models, key=lambda name: continuous_kl(emp, models[name]))
    return f"The binned KL picks a different winner at different bin counts ({told}); the bin-free KL (D̂) ranks {best} first."
