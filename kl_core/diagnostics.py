"""The numbers behind the diagnostic plots: goodness-of-fit statistics, Q-Q / P-P points, Cullen–Frey.

* :func:`gof_statistics`: Kolmogorov–Smirnov, Cramér–von Mises and Anderson–Darling on the
  raw values of continuous data (as R ``fitdistrplus::gofstat``). The KS and CvM p-values
  are the classical ones for a model fixed in advance: parameters fitted to the same data
  make them conservative (too large), and the result says so. Anderson–Darling has no
  p-value for an arbitrary model (its null distribution depends on the family).
* :func:`qq_points` / :func:`pp_points`: at most :data:`MAX_POINTS` points per model. For
  discrete data both use the *mid-distribution* function F(x) − ½ P(X = x) (Parzen 2004),
  which puts data and model on the same footing despite the steps.
* :func:`shape_statistics` and :func:`cullen_frey_reference`: squared skewness and kurtosis of
  the data with a bootstrap cloud, and where the common families lie in that plane
  (Cullen & Frey 1999; fitdistrplus ``descdist``).

Examples
--------
>>> import numpy as np
>>> from kl_core import Empirical
>>> emp = Empirical.from_counts([0, 1, 2, 3], [10, 20, 15, 5])
>>> shape = shape_statistics(emp, bootstrap=0)
>>> round(shape.skewness, 3), round(shape.kurtosis, 3)
(0.204, 2.309)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.models.base import FittedModel
from kl_core.models.mixture import weighted_values
from kl_core.models.sampling import quantiles

__all__ = [
    "MAX_BOOTSTRAP_CELLS", "MAX_GOF_VALUES", "MAX_POINTS", "FITTED_PARAMETERS_NOTE", "ShapeStatistics", "cullen_frey_reference",
    "gof_statistics", "mid_distribution", "model_log_cdf_sf", "pp_points", "qq_points", "shape_statistics",
]

MAX_POINTS = 2_000  # points per trace in a Q-Q or P-P plot
MAX_BOOTSTRAP_CELLS = 20_000_000  # resamples × distinct values in one Cullen–Frey bootstrap
MAX_GOF_VALUES = 2_000_000  # beyond this, the statistics use this many evenly spaced sample quantiles
FITTED_PARAMETERS_NOTE = (
    "classical p-values assume a model fixed in advance; these parameters were fitted to the same data, "
    "which makes the p-values conservative (too large)"
)
_NO_RAW = "computed on the display bins' centres, not the raw values: only a rough guide, no p-values"


# ------------------------------------------------------------------ raw values
def _sample(emp: Empirical) -> tuple[np.ndarray, str]:
    """Sorted observations (ties repeated), or evenly spaced sample quantiles beyond MAX_GOF_VALUES."""
    values, weights, what = weighted_values(emp)
    total = float(weights.sum())
    whole = bool(np.all(weights == np.round(weights)))
    if whole and total <= MAX_GOF_VALUES:
        return np.repeat(values, weights.astype(np.int64)), what
    levels = (np.arange(MAX_GOF_VALUES) + 0.5) / MAX_GOF_VALUES
    cumulative = np.cumsum(weights) / total
    return values[np.minimum(np.searchsorted(cumulative, levels), values.size - 1)], what


def model_log_cdf_sf(model: FittedModel, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log F(x) and log(1 − F(x)): the model's own ``logcdf``/``logsf`` when it has them."""
    logcdf, logsf = getattr(model, "logcdf", None), getattr(model, "logsf", None)
    with np.errstate(divide="ignore", invalid="ignore"):
        if callable(logcdf) and callable(logsf):
            try:
                return np.asarray(logcdf(x), dtype=float), np.asarray(logsf(x), dtype=float)
            except DataError:
                pass
        cdf = np.clip(model.cdf(x), 0.0, 1.0)
        return np.log(cdf), np.log1p(-cdf)


def gof_statistics(emp: Empirical, model: FittedModel) -> dict[str, Any]:
    """Kolmogorov–Smirnov, Cramér–von Mises and Anderson–Darling of a continuous model on the raw values.

    Returns a dict: ``ks``, ``ks_pvalue``, ``cvm``, ``cvm_pvalue``, ``ad``, ``ad_pvalue`` (always
    NaN), ``n`` and ``gof_note``. An observed value outside the model's support makes AD infinite.

    Examples
    --------
    >>> from scipy import stats
    >>> x = stats.norm.ppf((np.arange(100) + 0.5) / 100)
    >>> model = FittedModel("norm", {}, 2, cdf_function=stats.norm.cdf, continuous=True)
    >>> row = gof_statistics(Empirical.from_samples(x, bins=500), model)
    >>> row["n"], round(row["ks"], 2), row["ad_pvalue"]
    (100, 0.01, nan)
    """
    if emp.kind != "binned" or not model.continuous:
        raise DataError("KS, Cramér–von Mises and Anderson–Darling are for continuous data and models; "
                        "for counts, use the G-test of the ranking")
    x, what = _sample(emp)
    n = x.size
    ks = stats.kstest(x, lambda v: np.clip(model.cdf(v), 0.0, 1.0))
    cvm = stats.cramervonmises(x, lambda v: np.clip(model.cdf(v), 0.0, 1.0))
    log_cdf, log_sf = model_log_cdf_sf(model, x)
    order = 2 * np.arange(1, n + 1) - 1
    ad = -n - float(np.dot(order, log_cdf + log_sf[::-1])) / n  # Stephens (1974), in log space
    notes = [FITTED_PARAMETERS_NOTE, "Anderson–Darling has no p-value for an arbitrary model"]
    if what == "bin centres":
        notes = [_NO_RAW]
    elif np.unique(x).size < n:
        notes.append("tied values make the KS and CvM p-values approximate")
    valid = what != "bin centres"
    return {
        "ks": float(ks.statistic), "ks_pvalue": float(ks.pvalue) if valid else math.nan,
        "cvm": float(cvm.statistic), "cvm_pvalue": float(cvm.pvalue) if valid else math.nan,
        "ad": ad, "ad_pvalue": math.nan, "n": int(n),
        "gof_note": "; ".join(notes),
    }


# ----------------------------------------------------------------- Q-Q and P-P
def mid_distribution(emp_or_model: Empirical | FittedModel, support: np.ndarray) -> np.ndarray:
    """F(x) − ½ P(X = x) at each support point (Parzen 2004), for the data or a discrete model.

    Examples
    --------
    >>> mid_distribution(Empirical.from_counts([0, 1], [1, 3]), np.array([0.0, 1.0])).tolist()
    [0.125, 0.625]
    """
    if isinstance(emp_or_model, Empirical):
        probs = emp_or_model.probs
        return np.cumsum(probs) - probs / 2
    return np.clip(emp_or_model.cdf(support), 0.0, 1.0) - np.clip(emp_or_model.pmf(support), 0.0, 1.0) / 2


def _levels(total: int) -> np.ndarray:
    """Plotting positions (i − ½) / n, thinned to at most MAX_POINTS evenly spaced ones."""
    count = min(int(total), MAX_POINTS)
    return (np.arange(count) + 0.5) / count


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, levels: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(weights) / weights.sum()
    return values[np.minimum(np.searchsorted(cumulative, levels * (1 - 1e-12)), values.size - 1)]


def qq_points(emp: Empirical, model: FittedModel) -> tuple[np.ndarray, np.ndarray]:
    """(model quantiles, data quantiles) at ≤ MAX_POINTS plotting positions.

    Continuous data: the data's quantiles at (i − ½)/n against the model's. Discrete data:
    each observed value against the model's mid-quantile at the data's mid-distribution level
    (the model's mid-distribution function, interpolated linearly, then inverted).
    """
    _require_numeric(emp, "Q-Q")
    if emp.kind == "binned":
        values, weights, _ = weighted_values(emp)
        levels = _levels(weights.sum())
        return np.asarray(quantiles(model, levels), dtype=float), _weighted_quantiles(values, weights, levels)
    support, levels = _thinned_support(emp)
    grid = _model_integer_grid(model, levels)
    mids = mid_distribution(model, grid)
    return np.interp(levels, mids, grid), support


def pp_points(emp: Empirical, model: FittedModel) -> tuple[np.ndarray, np.ndarray]:
    """(model probabilities, data probabilities) at ≤ MAX_POINTS points.

    Continuous data: F(x₍ᵢ₎) against (i − ½)/n. Discrete data: mid-distribution of the model
    against that of the data, at each observed value.
    """
    _require_numeric(emp, "P-P")
    if emp.kind == "binned":
        values, weights, _ = weighted_values(emp)
        levels = _levels(weights.sum())
        points = _weighted_quantiles(values, weights, levels)
        return np.clip(model.cdf(points), 0.0, 1.0), levels
    support, levels = _thinned_support(emp)
    return mid_distribution(model, support), levels


def _require_numeric(emp: Empirical, what: str) -> None:
    if emp.kind == "categorical":
        raise DataError(f"a {what} plot needs numbers; categories have no order to compare")


def _thinned_support(emp: Empirical) -> tuple[np.ndarray, np.ndarray]:
    """Observed values and their mid-distribution levels, at most MAX_POINTS of them."""
    support = np.asarray(emp.support, dtype=float)
    levels = mid_distribution(emp, support)
    if support.size > MAX_POINTS:
        keep = np.unique(np.linspace(0, support.size - 1, MAX_POINTS).round().astype(int))
        support, levels = support[keep], levels[keep]
    return support, levels


def _model_integer_grid(model: FittedModel, levels: np.ndarray) -> np.ndarray:
    """Whole numbers spanning the model's quantiles at the given levels (≤ 200,001 of them)."""
    ends = quantiles(model, np.array([max(levels.min() / 2, 1e-12), min((1 + levels.max()) / 2, 1 - 1e-12)]))
    low, high = math.floor(ends[0]) - 1, math.ceil(ends[1]) + 1
    if high - low > 200_000:
        return np.unique(np.round(np.linspace(low, high, 200_001)))
    return np.arange(low, high + 1, dtype=float)


# ------------------------------------------------------------------ Cullen–Frey
@dataclass(frozen=True)
class ShapeStatistics:
    """Skewness and (non-excess) kurtosis of the data, and of bootstrap resamples."""

    skewness: float
    kurtosis: float
    boot_skewness: np.ndarray
    boot_kurtosis: np.ndarray
    discrete: bool


def _shape(values: np.ndarray, weight_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected skewness G1 and kurtosis G2 + 3 per row of weights (Joanes & Gill 1998),
    the estimators of ``scipy.stats.skew(bias=False)`` and ``kurtosis(fisher=False, bias=False)``."""
    n = weight_rows.sum(axis=1)
    mean = weight_rows @ values / n
    centred = values[None, :] - mean[:, None]
    m2, m3, m4 = ((weight_rows * centred**power).sum(axis=1) / n for power in (2, 3, 4))
    with np.errstate(divide="ignore", invalid="ignore"):
        g1, g2 = m3 / m2**1.5, m4 / m2**2 - 3
        skew = g1 * np.sqrt(n * (n - 1)) / (n - 2)
        excess = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6)
    return skew, excess + 3


def shape_statistics(emp: Empirical, bootstrap: int = 500, seed: int = 0) -> ShapeStatistics:
    """The data's skewness and kurtosis, with ``bootstrap`` multinomial resamples of its (value, count) pairs.

    Resamples × distinct values stay ≤ :data:`MAX_BOOTSTRAP_CELLS` (fewer resamples on huge supports).
    """
    _require_numeric(emp, "Cullen–Frey")
    values, weights, _ = weighted_values(emp)
    if emp.n is None or weights.sum() < 4:
        raise DataError("skewness and kurtosis need at least 4 observations (and a known N)")
    if np.count_nonzero(weights) < 2:
        raise DataError("every value is the same: skewness and kurtosis are undefined")
    skew, kurt = _shape(values, weights[None, :])
    rng = np.random.default_rng(seed)
    total = int(round(weights.sum()))
    bootstrap = min(int(bootstrap), MAX_BOOTSTRAP_CELLS // max(values.size, 1))  # bounded work on huge supports
    resampled = rng.multinomial(total, weights / weights.sum(), size=bootstrap).astype(float)
    boot_skew, boot_kurt = _shape(values, resampled) if bootstrap else (np.array([]), np.array([]))
    finite = np.isfinite(boot_skew) & np.isfinite(boot_kurt)
    return ShapeStatistics(float(skew[0]), float(kurt[0]), boot_skew[finite], boot_kurt[finite], emp.kind == "discrete")


def cullen_frey_reference(discrete: bool, max_skew2: float) -> dict[str, dict[str, np.ndarray]]:
    """Where families lie in the (skewness², kurtosis) plane, as points, lines and areas.

    Continuous (descdist): normal, uniform, exponential and logistic points; the gamma and
    log-normal lines; the beta area (between kurtosis = skew² + 1 and the gamma line).
    Discrete: the normal point, the Poisson line (kurtosis = 3 + skew²) and the negative
    binomial area (between the Poisson and the gamma line, kurtosis = 3 + 1.5 skew²).

    Examples
    --------
    >>> ref = cullen_frey_reference(False, 4.0)
    >>> ref["points"]["exponential"].tolist()
    [4.0, 9.0]
    """
    s2 = np.linspace(0, max(max_skew2, 1e-3), 200)
    gamma_line = 3 + 1.5 * s2
    if discrete:
        return {"points": {"normal": np.array([0.0, 3.0])},
                "lines": {"Poisson": np.vstack([s2, 3 + s2])},
                "areas": {"negative binomial": np.vstack([np.r_[s2, s2[::-1]], np.r_[3 + s2, gamma_line[::-1]]])}}
    omega = 1 + np.logspace(-8, 1, 2_000)  # ω = exp(σ²); skewness grows with ω
    lognormal_s2 = (omega + 2) ** 2 * (omega - 1)
    lognormal_k = omega**4 + 2 * omega**3 + 3 * omega**2 - 3
    inside = np.flatnonzero(lognormal_s2 <= max(max_skew2, 1e-3))
    inside = inside[np.unique(np.linspace(0, inside.size - 1, min(inside.size, 400)).round().astype(int))]
    return {
        "points": {"normal": np.array([0.0, 3.0]), "uniform": np.array([0.0, 1.8]),
                   "exponential": np.array([4.0, 9.0]), "logistic": np.array([0.0, 4.2])},
        "lines": {"gamma": np.vstack([s2, gamma_line]), "log-normal": np.vstack([lognormal_s2[inside], lognormal_k[inside]])},
        "areas": {"beta": np.vstack([np.r_[s2, s2[::-1]], np.r_[1 + s2, gamma_line[::-1]]])},
    }
