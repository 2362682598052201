"""How sure a fit is of its parameters: standard errors and bootstrap intervals.

Standard errors come from the observed information, as in R's ``fitdistrplus``: the
Hessian ``H`` of the log-likelihood at the fitted parameters, with respect to the *free*
parameters only (fixed, declared and whole-number ones are held), gives the covariance
``(-H)⁻¹``; a standard error is the square root of a diagonal element. The Hessian is
analytic where it is simple (binomial p, Poisson mu, geometric p, the normal) and
otherwise numerical, by :func:`scipy.differentiate.hessian` on the log-likelihood as a
function of the free parameters. That log-likelihood is evaluated through the public API
only: the same family refitted with every parameter fixed, then

* discrete data: ``Σ count · log_mass`` over the observed values;
* continuous data: ``Σ weight · logpdf(x)`` over the raw values (``emp.sketch``), never
  over display bins.

A parameter on the edge of its range (p = 0 or 1, a capped shape) or a Hessian that is not
negative definite has no standard error: NaN, with a note saying why; never an exception.

Bootstrap intervals (fitdistrplus ``bootdist``) refit the family on resamples drawn by
:func:`kl_core.ranking.bootstrap_resamples`, the ranking's own resampling.

Examples
--------
>>> from kl_core.models import fit
>>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
>>> round(standard_errors(teeth, fit(teeth, "binomial"))["p"], 5)
0.01575
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import differentiate

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.models import FittedModel, fit
from kl_core.models.base import weighted_loglik
from kl_core.models.registry import REGISTRY

__all__ = [
    "MAX_RESAMPLES", "ParameterCovariance", "covariance", "free_parameters", "hessian_covariance",
    "log_likelihood", "parameter_intervals", "standard_errors",
]

MAX_RESAMPLES = 10_000  # a bootstrap may not ask for more refits than this
_CACHE_SIZE = 256
_STEPS = (0.05, 0.005, 0.0005)  # first steps of the Hessian, relative to each parameter's size
# Tighter than 1e-4 asks scipy to shrink its steps until rounding noise in the log-likelihood
# (gammaln of large counts) dominates: on islands' negative binomial the SE of n is then 0.15% off.
_RTOL = 1e-4
_TOLERANCES = {"rtol": _RTOL}
_SETTLED = (0, -1)  # scipy's status: converged, or stopped where its error estimate began to grow (best kept)
_SUPPORT_PARAMETERS = {"uniform": "its parameters are the support's ends, where the likelihood is not smooth"}

LogLikelihood = Callable[[Mapping[str, float]], float]
Refit = Callable[..., FittedModel]


@dataclass(frozen=True, eq=False)
class ParameterCovariance:
    """The covariance of a fit's free parameters, how it was found, and why any entry is NaN.

    Parameters
    ----------
    names : tuple of str
        The free parameters, in the order of the matrix's rows.
    matrix : ndarray
        Their covariance, ``(-H)⁻¹``; all NaN when it does not exist.
    method : str
        "analytic", "numerical" or "" (nothing to compute).
    note : str
        Why the standard errors are NaN, when they are.

    Examples
    --------
    >>> cov = ParameterCovariance(("mu",), np.array([[0.25]]), "analytic")
    >>> cov.stderr
    {'mu': 0.5}
    """

    names: tuple[str, ...]
    matrix: np.ndarray
    method: str
    note: str = ""

    @property
    def stderr(self) -> dict[str, float]:
        """Standard error of each free parameter: the square root of the covariance's diagonal."""
        with np.errstate(invalid="ignore"):
            return {name: float(math.sqrt(v)) if v >= 0 else math.nan for name, v in zip(self.names, np.diag(self.matrix))}


# ------------------------------------------------------------------ public API
def standard_errors(emp: Empirical, model: FittedModel) -> dict[str, float]:
    """Standard error of each free parameter of ``model`` fitted to ``emp`` (NaN when undefined).

    Fixed, declared and whole-number parameters have none and are absent. The result is
    cached per (data fingerprint, model); :func:`covariance` gives the matrix and the note.

    Examples
    --------
    >>> from kl_core.models import fit
    >>> emp = Empirical.from_counts([0, 1, 2, 3], [4, 6, 3, 1])
    >>> {k: round(v, 4) for k, v in standard_errors(emp, fit(emp, "poisson")).items()}
    {'mu': 0.2766}
    >>> standard_errors(emp, fit(emp, "poisson", mu=1.0))
    {}
    """
    return covariance(emp, model).stderr


def covariance(emp: Empirical, model: FittedModel) -> ParameterCovariance:
    """The observed-information covariance of ``model``'s free parameters on ``emp`` (cached).

    Examples
    --------
    >>> from kl_core.models import fit
    >>> emp = Empirical.from_counts([0, 1, 2, 5, 9], [10, 6, 3, 2, 1])
    >>> cov = covariance(emp, fit(emp, "nbinom"))
    >>> cov.names, cov.method
    (('n', 'p'), 'numerical')
    >>> print(covariance(emp, fit(emp, "binomial", p=0.2)).note)
    no free parameters
    """
    key = _cache_key(emp, model)
    if key is not None and key in _CACHE and _CACHE[key][0] is model:
        _CACHE.move_to_end(key)
        return _CACHE[key][1]
    result = _covariance(emp, model)
    if key is not None:
        _CACHE[key] = (model, result)
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def free_parameters(emp: Empirical, model: FittedModel, refit: Refit = fit) -> list[str]:
    """The parameters of ``model`` that were fitted to ``emp`` (not fixed by the user, not whole numbers).

    The candidates are the family's real-valued parameters that an option can fix, less those
    the options given to :func:`kl_core.models.fit` fixed (recorded in ``model.extra["options"]``).
    When a model built elsewhere has more candidates than ``model.n_params``, a candidate is
    free when refitting it with the others held returns its value.

    Examples
    --------
    >>> from kl_core.models import fit
    >>> emp = Empirical.from_counts([0, 1, 2, 5, 9], [10, 6, 3, 2, 1])
    >>> free_parameters(emp, fit(emp, "nbinom")), free_parameters(emp, fit(emp, "nbinom", n=2.0))
    (['n', 'p'], ['p'])
    >>> free_parameters(emp, fit(emp, "binomial"))
    ['p']
    """
    spec = REGISTRY.get(model.name)
    if spec is None or model.n_params == 0:
        return []
    candidates = [
        key for key in spec.options
        if isinstance(model.params.get(key), (float, np.floating)) and math.isfinite(model.params[key])
    ]
    given = model.extra.get("options")
    if isinstance(given, Mapping):  # fitted by kl_core.models.fit, which records the options given
        held = _held_by_default(model, given)
        candidates = [key for key in candidates if given.get(key) in (None, "free") and key not in held]
    if len(candidates) <= model.n_params:
        return candidates
    return [key for key in candidates if _returns_itself(emp, model, key, candidates, refit)]


def log_likelihood(emp: Empirical, model: FittedModel) -> float:
    """The log-likelihood (nats) of ``model`` on ``emp``'s observations: what the fit maximises.

    Discrete data: ``Σ count · log_mass``. Continuous data: ``Σ weight · logpdf(x)`` over the
    raw values of ``emp.sketch`` (DataError when the data has no raw values).

    Examples
    --------
    >>> from kl_core.models import fit
    >>> emp = Empirical.from_counts([0, 1], [1, 3])
    >>> round(log_likelihood(emp, fit(emp, "bernoulli")), 4)  # log(0.25) + 3 log(0.75)
    -2.2493
    """
    if model.continuous:
        sketch = getattr(emp, "sketch", None)
        if sketch is None:
            raise DataError("the likelihood of a density needs the raw values (emp.sketch); these are only bins")
        return _sketch_loglik(sketch, model)
    return weighted_loglik(model.log_mass(emp), np.asarray(emp.counts, dtype=float))


def hessian_covariance(loglik: Callable[[np.ndarray], float], theta: Sequence[float]) -> tuple[np.ndarray, str]:
    """``(-H)⁻¹`` at ``theta`` by :func:`scipy.differentiate.hessian`, and a note when it does not exist.

    The parameters are scaled by their size (θ = θ̂ + |θ̂|·t), so one step suits a rate of 1e-4
    and a scale of 1e4; a first step that leaves the parameter's domain (a non-finite
    log-likelihood) is retried smaller.

    Examples
    --------
    >>> from scipy import stats
    >>> x = np.array([1.2, 0.7, 2.9, 1.1, 0.4, 1.8])
    >>> def loglik(theta):  # normal, both parameters free; the MLE is the mean and the divisor-N sd
    ...     return float(np.sum(stats.norm.logpdf(x, theta[0], theta[1])))
    >>> cov, note = hessian_covariance(loglik, [x.mean(), x.std()])
    >>> np.sqrt(np.diag(cov)).round(4).tolist(), [round(float(x.std()) / n ** 0.5, 4) for n in (6, 12)]
    ([0.334, 0.2361], [0.334, 0.2361])
    """
    theta = np.asarray(theta, dtype=float)
    scale = np.where(theta != 0, np.abs(theta), 1.0)

    def vectorised(t: np.ndarray) -> np.ndarray:
        points = t.reshape(t.shape[0], -1).T
        values = [loglik(theta + scale * point) for point in points]
        return np.asarray(values, dtype=float).reshape(t.shape[1:])

    nan = np.full((theta.size, theta.size), np.nan)
    if not math.isfinite(loglik(theta)):
        return nan, "the log-likelihood is not finite at the fitted parameters"
    # Near-zero cross terms (orthogonal parameters) never meet a relative tolerance: an absolute
    # one, small against the curvature along each axis, stops them (a rough diagonal first).
    curvature = np.abs(np.diag(_rough_hessian(vectorised, theta.size)))
    floor = float(np.min(curvature)) if np.all(np.isfinite(curvature)) and np.min(curvature) > 0 else 0.0
    tolerances = {**_TOLERANCES, "atol": _RTOL * floor} if floor else _TOLERANCES
    fallback = None
    for step in _STEPS:
        with np.errstate(all="ignore"):
            result = differentiate.hessian(vectorised, np.zeros(theta.size), initial_step=step, tolerances=tolerances)
        hessian = np.asarray(result.ddf, dtype=float)
        if not np.all(np.isfinite(hessian)):
            continue
        if np.all(np.isin(result.status, _SETTLED) | _small_error(result.error, hessian)):
            return _inverse_information(-(hessian + hessian.T) / 2, scale)
        fallback = fallback if fallback is not None else hessian
    if fallback is None:
        return nan, "the log-likelihood is not finite next to the fitted parameters: a parameter is at the edge of its range"
    matrix, note = _inverse_information(-(fallback + fallback.T) / 2, scale)
    return matrix, note or "the numerical Hessian did not converge to its tolerance: the standard errors are approximate"


def parameter_intervals(
    emp: Empirical,
    request: str | tuple[str, Mapping[str, Any]],
    n_boot: int,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Bootstrap percentile intervals of the free parameters (fitdistrplus ``bootdist``).

    The family is refitted on ``n_boot`` resamples of ``emp`` (each N observations drawn from
    the data, :func:`kl_core.ranking.bootstrap_resamples`); resamples where the fit fails
    are left out and counted.

    Parameters
    ----------
    emp : Empirical
        Counted data (not probabilities).
    request : str or (str, dict)
        The family, with its options, as for :func:`kl_core.compare`.
    n_boot : int
        Number of resamples, 2 ≤ n_boot ≤ :data:`MAX_RESAMPLES`: the work is bounded by it.
    seed : int
        The same seed, the same resamples and intervals.
    level : float
        Coverage of the interval, in (0, 1).

    Returns
    -------
    DataFrame
        One row per free parameter: ``parameter``, ``estimate`` (the fit to ``emp``),
        ``median``, ``low``, ``high`` (percentiles of the refits) and ``resamples`` (how many
        refits succeeded).

    Examples
    --------
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> table = parameter_intervals(teeth, ("binomial", {"n": 10}), n_boot=200, seed=1)
    >>> row = table.iloc[0]
    >>> row["parameter"], round(float(row["estimate"]), 3), bool(row["low"] < 0.544 < row["high"]), int(row["resamples"])
    ('p', 0.544, True, 200)
    """
    from kl_core.ranking import bootstrap_resamples  # ranking imports the models; keep this module light

    if not 0 < level < 1:
        raise DataError(f"level must be strictly between 0 and 1; got {level!r}")
    if isinstance(n_boot, (bool, np.bool_)) or not isinstance(n_boot, (int, np.integer)) or not 2 <= n_boot <= MAX_RESAMPLES:
        raise DataError(f"n_boot must be a whole number from 2 to {MAX_RESAMPLES:,}; got {n_boot!r}")
    if emp.n is None:
        raise DataError("bootstrap intervals need counted observations; this data is probabilities")
    name, options = (request, {}) if isinstance(request, str) else (request[0], dict(request[1]))
    model = fit(emp, name, **options)
    names = free_parameters(emp, model)
    draws = []
    for resample in bootstrap_resamples(emp, int(n_boot), seed):
        try:
            refitted = fit(resample, name, **options)
        except DataError:
            continue
        draws.append([float(refitted.params[key]) for key in names])
    values = np.asarray(draws, dtype=float).reshape(len(draws), len(names))
    tail = 100 * (1 - level) / 2
    rows = []
    for index, key in enumerate(names):
        column = values[:, index]
        low, median, high = np.percentile(column, [tail, 50, 100 - tail]) if column.size else (math.nan,) * 3
        rows.append({"parameter": key, "estimate": float(model.params[key]), "median": float(median),
                     "low": float(low), "high": float(high), "resamples": int(column.size)})
    return pd.DataFrame(rows, columns=["parameter", "estimate", "median", "low", "high", "resamples"])


# ------------------------------------------------------------------- internals
_CACHE: "OrderedDict[tuple[str, int], tuple[FittedModel, ParameterCovariance]]" = OrderedDict()


def _cache_key(emp: Empirical, model: FittedModel) -> tuple[str, int] | None:
    fingerprint = getattr(emp, "fingerprint", None)
    return (fingerprint(), id(model)) if callable(fingerprint) else None


def _covariance(emp: Empirical, model: FittedModel, refit: Refit = fit) -> ParameterCovariance:
    names = tuple(free_parameters(emp, model, refit))
    nan = np.full((len(names), len(names)), np.nan)
    if not names:
        return ParameterCovariance((), np.empty((0, 0)), "", "no free parameters")
    if model.name in _SUPPORT_PARAMETERS:
        return ParameterCovariance(names, nan, "", f"no standard errors: {_SUPPORT_PARAMETERS[model.name]}")
    if emp.n is None and not model.continuous:
        return ParameterCovariance(names, nan, "", "no standard errors: the data are probabilities, not counted observations")
    if model.continuous and getattr(emp, "sketch", None) is None:
        return ParameterCovariance(names, nan, "", "no standard errors: a density's likelihood needs the raw values")
    analytic = _analytic(emp, model, names)
    if analytic is not None:
        matrix, note = analytic
        return ParameterCovariance(names, matrix, "analytic", note)
    loglik = _loglik_function(emp, model, refit)
    theta = [float(model.params[key]) for key in names]
    matrix, note = hessian_covariance(lambda vector: loglik(dict(zip(names, vector))), theta)
    return ParameterCovariance(names, matrix, "numerical", note)


def _loglik_function(emp: Empirical, model: FittedModel, refit: Refit = fit) -> LogLikelihood:
    """The log-likelihood of ``model``'s family on ``emp`` at any parameter values (others held)."""
    options = REGISTRY[model.name].options if model.name in REGISTRY else ()
    held = {key: value for key, value in model.params.items() if key in options}

    def loglik(values: Mapping[str, float]) -> float:
        try:
            with np.errstate(all="ignore"):
                return log_likelihood(emp, refit(emp, model.name, **{**held, **values}))
        except DataError:
            return -math.inf

    return loglik


def _sketch_loglik(sketch: Any, model: FittedModel) -> float:
    """Σ weight · logpdf(x) over a sketch's raw values (the agreed ``ValueSketch`` interface)."""
    counts = np.asarray(sketch.counts, dtype=float)
    used = counts > 0
    with np.errstate(all="ignore"):
        log_density = np.asarray(model.logpdf(np.asarray(sketch.values, dtype=float)[used]), dtype=float)
    return float(np.dot(counts[used], log_density))


def _held_by_default(model: FittedModel, given: Mapping[str, Any]) -> set[str]:
    """Parameters the fitter held without being asked: ``loc = 0``, the 2-parameter form of a positive family.

    Mirrors :func:`kl_core.models.continuous.fitting.fixed_parameters`: not for a ``_3p``
    entry, nor when the options name ``loc`` (a number fixes it, ``"free"`` frees it).
    """
    if not model.continuous or model.name.endswith("_3p") or "loc" in given:
        return set()
    from kl_core.models.continuous.catalogue import family, positive_support

    try:
        fam = family(model.name)
    except (AttributeError, DataError, KeyError, TypeError, ValueError):  # not a scipy family (a mixture, a formula)
        return set()
    return {"loc"} if positive_support(fam) else set()


def _returns_itself(emp: Empirical, model: FittedModel, key: str, candidates: Sequence[str], refit: Refit) -> bool:
    options = REGISTRY[model.name].options
    held = {name: value for name, value in model.params.items() if name in options and name != key}
    try:
        again = float(refit(emp, model.name, **held).params[key])
    except (DataError, KeyError):
        return False
    return math.isclose(again, float(model.params[key]), rel_tol=1e-5, abs_tol=1e-12)


def _observations(emp: Empirical, model: FittedModel) -> float:
    sketch = getattr(emp, "sketch", None)
    if model.continuous and sketch is not None:
        return float(np.sum(sketch.counts))
    return float(emp.n)


def _analytic(emp: Empirical, model: FittedModel, names: tuple[str, ...]) -> tuple[np.ndarray, str] | None:
    """The closed-form inverse information of the simple families at their MLE, or None."""
    total, params = _observations(emp, model), model.params
    if model.name in ("binomial", "geom", "poisson") and names in (("p",), ("mu",)):
        value = float(params[names[0]])
        edge = {"binomial": value in (0.0, 1.0), "geom": value == 1.0, "poisson": value == 0.0}[model.name]
        if edge:
            return np.full((1, 1), np.nan), f"{names[0]} = {value:g} is at the edge of its range: no standard error"
        variance = {
            "binomial": lambda: value * (1 - value) / (total * params.get("n", 1)),  # p(1-p) / (N n)
            "geom": lambda: value * value * (1 - value) / total,  # p²(1-p) / N
            "poisson": lambda: value / total,  # mu / N
        }[model.name]()
        return np.array([[variance]]), ""
    if model.name == "norm" and set(names) <= {"loc", "scale"}:
        sd = float(params["scale"])
        variance = {"loc": sd * sd / total, "scale": sd * sd / (2 * total)}  # at the MLE the two are uncorrelated
        return np.diag([variance[key] for key in names]), ""
    return None


def _rough_hessian(vectorised: Callable[[np.ndarray], np.ndarray], size: int, step: float = 1e-3) -> np.ndarray:
    """The diagonal of the Hessian by one central difference (2·size + 1 evaluations), as a scale only."""
    steps = np.concatenate([np.zeros((size, 1)), step * np.eye(size), -step * np.eye(size)], axis=1)
    with np.errstate(all="ignore"):
        values = vectorised(steps)
    return np.diag((values[1:size + 1] - 2 * values[0] + values[size + 1:]) / step**2)


def _small_error(error: np.ndarray, hessian: np.ndarray) -> np.ndarray:
    """Where scipy's error estimate is small against the curvature along the two axes it joins."""
    diagonal = np.abs(np.diag(hessian))
    return np.asarray(error) <= _RTOL * np.sqrt(np.outer(diagonal, diagonal))


def _inverse_information(information: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, str]:
    nan = np.full(information.shape, np.nan)
    try:
        np.linalg.cholesky(information)
    except np.linalg.LinAlgError:
        return nan, ("the log-likelihood is not curved downwards in every direction here (singular or "
                     "indefinite Hessian): a parameter is at a limit or not identified by the data")
    covariance_scaled = np.linalg.inv(information)
    return covariance_scaled * np.outer(scale, scale), ""
