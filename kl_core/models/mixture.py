"""Finite mixtures: k groups of one family mixed, fitted by EM on (value, weight) pairs.

``fit(emp, "mixture", family="norm", k=2)`` models the data as
``q(x) = Σⱼ wⱼ fⱼ(x; θⱼ)`` with ``Σⱼ wⱼ = 1``. Families: normal, log-normal and gamma for
continuous data (fitted to the raw values, see :func:`weighted_values`); Poisson and
binomial (a fixed number of trials ``n``) for counts; k = 2..4 (k = 1 is the family itself).

The fit is the expectation–maximisation algorithm of Dempster, Laird & Rubin (1977), on
distinct values with their counts, so it costs O(k · distinct values) per iteration:

* **Starts** (deterministic): a split of the data into k equal-weight quantile groups, and
  :data:`RANDOM_STARTS` k-means++ seedings (Arthur & Vassilvitskii 2007) with fixed seeds.
  Each start runs :data:`SHORT_RUN` iterations ("small EM", Biernacki et al. 2003); the best
  continues until the log-likelihood gains less than :data:`TOLERANCE` per observation or
  :data:`MAX_ITERATIONS` pass.
* **M-steps** are the weighted maximum likelihood of each family: closed forms for the
  normal, log-normal, Poisson and binomial; for the gamma, Newton's method on
  ``log a − ψ(a) = log x̄ − mean(log x)`` from Minka's (2002) start.
* The normal likelihood is unbounded when a group shrinks onto one value, so a group's
  scale is kept ≥ :data:`SCALE_FLOOR` × the data's spread; a start that ends there is
  *degenerate* and loses to any start that does not (a start that empties a group is dropped).
* **Parameters counted honestly**: k − 1 weights plus k × the family's fitted parameters
  (3k − 1 for normals; the binomial's n is declared, not fitted).

Examples
--------
>>> import numpy as np
>>> from kl_core.empirical import Empirical
>>> from kl_core.models import fit
>>> rng = np.random.default_rng(1)
>>> values = np.r_[rng.poisson(2, 300), rng.poisson(12, 200)]
>>> model = fit(Empirical.from_samples(values), "mixture", family="poisson", k=2)
>>> model.label, model.n_params, [round(c["params"]["mu"], 1) for c in model.extra["components"]]
('two Poisson groups mixed', 3, [1.9, 12.1])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
from scipy import special, stats
from scipy.optimize import elementwise

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.models.base import FittedModel, ModelSpec, Options, format_params, integer_option, require_integer_support
from kl_core.models.registry import register

__all__ = [
    "FAMILIES", "MAX_ITERATIONS", "Mixture", "MixtureFit", "MixtureModel", "RANDOM_STARTS", "SCALE_FLOOR", "SHORT_RUN",
    "TOLERANCE", "fit_mixture", "mixture_model", "model_from_fit", "number_word", "weighted_values",
]

MAX_ITERATIONS = 2_000  # EM iterations for the best start
SHORT_RUN = 25  # EM iterations for every start before the best is chosen
TOLERANCE = 1e-13  # stop when the log-likelihood per observation gains less than this
RANDOM_STARTS = 4  # k-means++ seedings, seeds 0..3, besides the quantile split
SCALE_FLOOR = 1e-3  # a normal or log-normal group's scale stays ≥ this × the data's spread
_EMPTY_GROUP = 1e-9  # a group with less than this share of the weight has vanished
_GAMMA_NEWTON_STEPS = 8  # quadratic convergence from Minka's start: machine precision in ~4
_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four"}


def number_word(k: int) -> str:
    """``2`` → ``"two"``: group counts in words for labels (digits beyond four).

    Examples
    --------
    >>> number_word(3), number_word(7)
    ('three', '7')
    """
    return _NUMBER_WORDS.get(k, str(k))


# ------------------------------------------------------------------- the mixture
@dataclass(frozen=True, eq=False)
class Mixture:
    """Weights and frozen scipy components: every probability of the mixture, in log space.

    Parameters
    ----------
    weights : ndarray
        Component weights, positive, summing to 1.
    components : tuple
        Frozen scipy distributions, all continuous or all discrete.
    continuous : bool
        True for densities (``logpdf``), False for masses (``logpmf``).

    Examples
    --------
    >>> two = Mixture(np.array([0.5, 0.5]), (stats.norm(-1, 1), stats.norm(1, 1)), True)
    >>> float(two.cdf(np.array([0.0]))[0]), float(two.ppf(np.array([0.5]))[0])
    (0.5, 0.0)
    """

    weights: np.ndarray
    components: tuple[Any, ...]
    continuous: bool

    def _mix(self, method: str, x: np.ndarray) -> np.ndarray:
        """log Σⱼ wⱼ · exp(component_j.method(x)), without underflow."""
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.stack([getattr(dist, method)(x) for dist in self.components])
            mixed = np.logaddexp.reduce(terms + np.log(self.weights).reshape((-1,) + (1,) * x.ndim), axis=0)
        # where every component says log 1 = 0, so does the mixture (not ±1 ulp from the weights' rounding)
        return np.where(np.all(terms == 0.0, axis=0), 0.0, mixed)

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        """Log density (continuous) or log mass (discrete) at ``x``; −inf off the support."""
        return self._mix("logpdf" if self.continuous else "logpmf", x)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """P(X ≤ x) = Σⱼ wⱼ Fⱼ(x)."""
        x = np.asarray(x, dtype=float)
        return np.clip(np.tensordot(self.weights, np.stack([dist.cdf(x) for dist in self.components]), axes=1), 0.0, 1.0)

    def logcdf(self, x: np.ndarray) -> np.ndarray:
        """log P(X ≤ x), accurate far in the left tail."""
        return np.minimum(self._mix("logcdf", x), 0.0)

    def logsf(self, x: np.ndarray) -> np.ndarray:
        """log P(X > x), accurate far in the right tail."""
        return np.minimum(self._mix("logsf", x), 0.0)

    def component_densities(self, x: np.ndarray) -> np.ndarray:
        """wⱼ fⱼ(x) for each component j (rows): the groups as a plot draws them."""
        x = np.asarray(x, dtype=float)
        method = "pdf" if self.continuous else "pmf"
        return self.weights[:, None] * np.stack([getattr(dist, method)(x) for dist in self.components])

    def ppf(self, q: np.ndarray) -> np.ndarray:
        """The q-quantile: inf{x : F(x) ≥ q}, found between the components' own quantiles.

        The mixture's quantile lies between the smallest and largest component quantile at
        the same q, so that bracket is searched: bisection on whole numbers for discrete
        components, scipy's elementwise root finder for continuous ones.
        """
        q = np.asarray(q, dtype=float)
        with np.errstate(invalid="ignore"):
            quantiles = np.stack([dist.ppf(q) for dist in self.components])
        low, high = np.min(quantiles, axis=0), np.max(quantiles, axis=0)
        if not self.continuous:
            return self._integer_quantile(q, low, high)
        out = np.array(low, dtype=float)
        search = np.isfinite(low) & np.isfinite(high) & (high > low)
        if np.any(search):
            target = q[search]
            found = elementwise.find_root(lambda x, t: self.cdf(x) - t, (low[search], high[search]), args=(target,))
            out[search] = found.x
        return out

    def _integer_quantile(self, q: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        low, high = np.array(low, dtype=float), np.array(high, dtype=float)
        while np.any(searching := np.isfinite(high) & (high > low)):
            middle = np.floor((low + high) / 2)
            enough = self.cdf(middle) >= q
            high = np.where(searching & enough, middle, high)
            low = np.where(searching & ~enough, middle + 1, low)
        return np.where(q <= 0, np.min([dist.support()[0] for dist in self.components]) - 1, low)


class MixtureModel(FittedModel):
    """A fitted mixture with the agreed model interface (``logpdf``, ``cdf``, ``logcdf``, ``logsf``, ``ppf``).

    The :class:`Mixture` itself is ``extra["mixture"]``; ``extra["components"]`` lists each
    group's weight, parameters and label as plain values, for tables and plots.
    """

    @property
    def mixture(self) -> Mixture:
        return self.extra["mixture"]

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        """Log density at ``x`` (continuous mixtures); −inf off the support."""
        if not self.continuous:
            raise DataError(f"{self.label} is a discrete model: ask for logpmf(values)")
        return self.mixture.logpdf(x)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """Density at ``x`` (continuous mixtures)."""
        return np.exp(self.logpdf(x))

    def logpmf(self, x: np.ndarray) -> np.ndarray:
        """Log mass at ``x`` (discrete mixtures); −inf off the support."""
        if self.continuous:
            raise DataError(f"{self.label} is a continuous model: ask for logpdf(values)")
        return self.mixture.logpdf(x)

    def logcdf(self, x: np.ndarray) -> np.ndarray:
        """log P(X ≤ x)."""
        return self.mixture.logcdf(x)

    def logsf(self, x: np.ndarray) -> np.ndarray:
        """log P(X > x)."""
        return self.mixture.logsf(x)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        """The q-quantile (inverse CDF)."""
        return self.mixture.ppf(q)

    def component_densities(self, x: np.ndarray) -> np.ndarray:
        """Each group's weighted density (or mass) at ``x``, one row per group."""
        return self.mixture.component_densities(x)


def mixture_model(
    name: str, mixture: Mixture, params: dict[str, Any], n_params: int, label: str, note: str = "",
    extra: dict[str, Any] | None = None,
) -> MixtureModel:
    """A :class:`MixtureModel` over ``mixture`` (also used for the zero-inflated families)."""
    pmf = None if mixture.continuous else (lambda x: np.exp(mixture.logpdf(x)))
    return MixtureModel(name, params, n_params, pmf_function=pmf, cdf_function=mixture.cdf, note=note, label=label,
                        continuous=mixture.continuous, extra={"mixture": mixture, **(extra or {})})


# --------------------------------------------------------------------- families
@dataclass(frozen=True)
class _Family:
    """One family's part in EM: its weighted M-step and its frozen scipy form."""

    name: str
    words: str  # "normal", for "two normal groups mixed"
    continuous: bool
    parameters: tuple[str, ...]  # fitted per group (n for the binomial is declared)
    m_step: Callable[[np.ndarray, np.ndarray, dict[str, Any]], dict[str, np.ndarray]]
    frozen: Callable[..., Any]
    log_density: Callable[[np.ndarray, dict[str, np.ndarray], Any], np.ndarray]  # (values, k × 1 params, n) → k × m
    distance_scale: Callable[[np.ndarray], np.ndarray]  # where k-means++ measures distances


def _weighted_mean(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    return (weights @ values) / weights.sum(axis=1)


def _normal_step(weights: np.ndarray, values: np.ndarray, context: dict[str, Any]) -> dict[str, np.ndarray]:
    mean = _weighted_mean(weights, values)
    variance = np.einsum("km,km->k", weights, (values[None, :] - mean[:, None]) ** 2) / weights.sum(axis=1)
    return {"loc": mean, "scale": np.maximum(np.sqrt(variance), context["scale_floor"])}


def _lognormal_step(weights: np.ndarray, values: np.ndarray, context: dict[str, Any]) -> dict[str, np.ndarray]:
    normal = _normal_step(weights, context["log_values"], context)
    return {"s": normal["scale"], "scale": np.exp(normal["loc"])}


def _gamma_step(weights: np.ndarray, values: np.ndarray, context: dict[str, Any]) -> dict[str, np.ndarray]:
    mean = _weighted_mean(weights, values)
    gap = np.maximum(np.log(mean) - _weighted_mean(weights, context["log_values"]), 1e-12)  # ≥ 0 by Jensen
    shape = (3 - gap + np.sqrt((gap - 3) ** 2 + 24 * gap)) / (12 * gap)  # Minka (2002), within 1.5 %
    for _ in range(_GAMMA_NEWTON_STEPS):  # Newton on log a − ψ(a) = gap, in log a (stays positive)
        residual = np.log(shape) - special.digamma(shape) - gap
        slope = 1 - shape * special.polygamma(1, shape)
        shape = shape * np.exp(-residual / slope)
    return {"a": shape, "scale": mean / shape}


def _poisson_step(weights: np.ndarray, values: np.ndarray, context: dict[str, Any]) -> dict[str, np.ndarray]:
    return {"mu": _weighted_mean(weights, values)}


def _binomial_step(weights: np.ndarray, values: np.ndarray, context: dict[str, Any]) -> dict[str, np.ndarray]:
    return {"p": np.clip(_weighted_mean(weights, values) / context["n"], 0.0, 1.0)}


FAMILIES: dict[str, _Family] = {
    "norm": _Family("norm", "normal", True, ("loc", "scale"), _normal_step,
                    lambda loc, scale: stats.norm(loc, scale),
                    lambda x, p, n: stats.norm.logpdf(x, p["loc"], p["scale"]), lambda x: x),
    "lognorm": _Family("lognorm", "log-normal", True, ("s", "scale"), _lognormal_step,
                       lambda s, scale: stats.lognorm(s, scale=scale),
                       lambda x, p, n: stats.lognorm.logpdf(x, p["s"], scale=p["scale"]), np.log),
    "gamma": _Family("gamma", "gamma", True, ("a", "scale"), _gamma_step,
                     lambda a, scale: stats.gamma(a, scale=scale),
                     lambda x, p, n: stats.gamma.logpdf(x, p["a"], scale=p["scale"]), np.log),
    "poisson": _Family("poisson", "Poisson", False, ("mu",), _poisson_step, lambda mu: stats.poisson(mu),
                       lambda x, p, n: stats.poisson.logpmf(x, p["mu"]), lambda x: x),
    "binomial": _Family("binomial", "binomial", False, ("p",), _binomial_step, lambda p, n: stats.binom(n, p),
                        lambda x, p, n: stats.binom.logpmf(x, n, p["p"]), lambda x: x),
}


# ------------------------------------------------------------------- the data
def weighted_values(emp: Empirical) -> tuple[np.ndarray, np.ndarray, str]:
    """The values a fit sees, their weights, and what they are ("raw values" or "bin centres").

    Discrete data: its (value, count) pairs. Continuous data: the raw values kept by
    ``emp.sketch`` (distinct values with counts, or fine cells beyond the raw limit); data
    without a sketch falls back to its display bins' centres.

    Examples
    --------
    >>> values, weights, what = weighted_values(Empirical.from_counts([0, 1, 2], [5, 3, 2]))
    >>> values.tolist(), weights.tolist(), what
    ([0.0, 1.0, 2.0], [5.0, 3.0, 2.0], 'values')
    """
    sketch = getattr(emp, "sketch", None)
    if sketch is not None:
        return np.asarray(sketch.values, dtype=float), np.asarray(sketch.counts, dtype=float), "raw values"
    what = "bin centres" if emp.kind == "binned" else "values"
    return np.asarray(emp.support, dtype=float), np.asarray(emp.counts, dtype=float), what


# -------------------------------------------------------------------------- EM
@dataclass(frozen=True)
class MixtureFit:
    """The result of :func:`fit_mixture`: group weights and parameters, and how EM went."""

    family: str
    weights: np.ndarray
    params: dict[str, np.ndarray]  # one array of k values per parameter, groups in increasing mean
    loglik: float
    iterations: int
    converged: bool
    degenerate: bool
    starts: int
    n: int | None = None  # binomial trials

    def mixture(self) -> Mixture:
        family = FAMILIES[self.family]
        extra = {"n": self.n} if self.family == "binomial" else {}
        components = tuple(
            family.frozen(**{name: float(values[j]) for name, values in self.params.items()}, **extra)
            for j in range(self.weights.size)
        )
        return Mixture(self.weights, components, family.continuous)


def fit_mixture(
    values: np.ndarray, weights: np.ndarray, family: str, k: int, *, n: int | None = None,
    max_iterations: int = MAX_ITERATIONS, tolerance: float = TOLERANCE,
) -> MixtureFit:
    """Maximum likelihood of a k-group mixture of ``family`` by EM on (value, weight) pairs.

    Parameters
    ----------
    values, weights : ndarray
        Distinct values and how often each was seen (or raw values with unit weights).
    family : {"norm", "lognorm", "gamma", "poisson", "binomial"}
    k : int
        Number of groups, 1 to 4.
    n : int, optional
        The binomial's number of trials (required for ``family="binomial"``).
    max_iterations, tolerance :
        The iteration budget of the best start, and the gain in log-likelihood per
        observation below which it stops.

    Examples
    --------
    >>> result = fit_mixture(np.array([1.0, 1.2, 5.0, 5.2]), np.ones(4), "norm", 2)
    >>> result.weights.round(2).tolist(), result.params["loc"].round(2).tolist()
    ([0.5, 0.5], [1.1, 5.1])
    """
    if family not in FAMILIES:
        raise DataError(f"mixture family must be one of {', '.join(FAMILIES)}; got {family!r}")
    spec = FAMILIES[family]
    values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    used = weights > 0
    values, weights = values[used], weights[used]
    context = _context(spec, values, weights, n)
    starts = _starts(spec, values, weights, k)
    short = [_run_em(spec, values, weights, context, start, SHORT_RUN, tolerance) for start in starts]
    best = max(short, key=lambda run: (not run.degenerate, run.loglik))
    if best.converged or not best.params:
        return _result(spec, best, len(starts), n)
    final = _run_em(spec, values, weights, context, best.responsibilities, max_iterations, tolerance)
    final.iterations += best.iterations
    return _result(spec, final, len(starts), n)


def _context(spec: _Family, values: np.ndarray, weights: np.ndarray, n: int | None) -> dict[str, Any]:
    total = weights.sum()
    mean = float(weights @ values / total)
    spread = math.sqrt(float(weights @ (values - mean) ** 2 / total))
    context: dict[str, Any] = {"n": n, "total": float(total)}
    if spec.name in ("lognorm", "gamma"):
        if np.any(values <= 0):
            raise DataError(f"a {spec.words} mixture needs positive values; found {values[values <= 0][0]:g}")
        context["log_values"] = np.log(values)
        log_mean = float(weights @ context["log_values"] / total)
        spread = math.sqrt(float(weights @ (context["log_values"] - log_mean) ** 2 / total))
    if spec.name == "binomial" and n is None:
        raise DataError("a binomial mixture needs the number of trials n")
    context["scale_floor"] = SCALE_FLOOR * (spread if spread > 0 else 1.0)
    return context


def _starts(spec: _Family, values: np.ndarray, weights: np.ndarray, k: int) -> list[np.ndarray]:
    """Hard group assignments (k × m responsibilities) to start EM from."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) - weights[order] / 2
    groups = np.empty(values.size, dtype=int)
    groups[order] = np.minimum((k * cumulative / weights.sum()).astype(int), k - 1)
    starts = [np.eye(k)[:, groups]]
    position = spec.distance_scale(values)
    for seed in range(RANDOM_STARTS):
        starts.append(np.eye(k)[:, _kmeans_plus_plus(position, weights, k, np.random.default_rng(seed))])
    return starts


def _kmeans_plus_plus(position: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Nearest-centre groups after k-means++ seeding: each new centre drawn ∝ weight × squared distance."""
    centres = [position[rng.choice(position.size, p=weights / weights.sum())]]
    for _ in range(1, k):
        distance = np.min((position[None, :] - np.array(centres)[:, None]) ** 2, axis=0) * weights
        if distance.sum() <= 0:
            break
        centres.append(position[rng.choice(position.size, p=distance / distance.sum())])
    nearest = np.argmin(np.abs(position[None, :] - np.array(centres)[:, None]), axis=0)
    return nearest if len(centres) == k else np.arange(position.size) % k


@dataclass
class _Run:
    """Where one EM run stands: the last responsibilities and the parameters the log-likelihood belongs to."""

    responsibilities: np.ndarray
    mixing: np.ndarray
    params: dict[str, np.ndarray]
    loglik: float = -math.inf
    iterations: int = 0
    converged: bool = False
    degenerate: bool = False


def _run_em(
    spec: _Family, values: np.ndarray, weights: np.ndarray, context: dict[str, Any],
    responsibilities: np.ndarray, iterations: int, tolerance: float,
) -> _Run:
    """EM from given responsibilities, for at most ``iterations`` M-step/E-step rounds."""
    run = _Run(responsibilities, np.array([]), {})
    for done in range(1, iterations + 1):
        mixing, params = _m_step(spec, values, weights, context, run.responsibilities)
        if mixing is None:
            return _Run(run.responsibilities, run.mixing, run.params, -math.inf, done, False, True)
        responsibilities, loglik = _e_step(spec, values, weights, context, mixing, params)
        gain = loglik - run.loglik
        run = _Run(responsibilities, mixing, params, loglik, done)
        if abs(gain) < tolerance * context["total"]:
            run.converged = True
            break
    run.degenerate = _at_scale_floor(spec, run.params, context)
    return run


def _at_scale_floor(spec: _Family, params: dict[str, np.ndarray], context: dict[str, Any]) -> bool:
    """True when a normal or log-normal group has shrunk onto the floor (a spike on one value)."""
    key = {"norm": "scale", "lognorm": "s"}.get(spec.name)
    return key is not None and bool(np.any(params[key] <= context["scale_floor"] * (1 + 1e-9)))


def _m_step(
    spec: _Family, values: np.ndarray, weights: np.ndarray, context: dict[str, Any], responsibilities: np.ndarray,
) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
    """Weights and parameters maximising the expected log-likelihood; (None, {}) if a group is empty."""
    group_weights = responsibilities * weights[None, :]
    sizes = group_weights.sum(axis=1)
    if np.any(sizes <= _EMPTY_GROUP * context["total"]):
        return None, {}
    with np.errstate(all="ignore"):
        params = spec.m_step(group_weights, values, context)
    if not all(np.all(np.isfinite(v)) for v in params.values()):
        return None, {}
    return sizes / sizes.sum(), params


def _e_step(
    spec: _Family, values: np.ndarray, weights: np.ndarray, context: dict[str, Any],
    mixing: np.ndarray, params: dict[str, np.ndarray],
) -> tuple[np.ndarray, float]:
    """Each value's probability of belonging to each group, and the weighted log-likelihood."""
    log_terms = _group_log_densities(spec, params, context, values) + np.log(mixing)[:, None]
    with np.errstate(all="ignore"):
        log_point = np.logaddexp.reduce(log_terms, axis=0)  # scipy's logsumexp costs 10× more on k rows
        responsibilities = np.exp(log_terms - log_point[None, :])
    return np.nan_to_num(responsibilities), float(weights @ log_point)


def _groups(spec: _Family, params: dict[str, np.ndarray], n: int | None) -> Any:
    """One frozen scipy distribution whose parameters are k × 1 arrays: every group at once."""
    return spec.frozen(**{name: v[:, None] for name, v in params.items()}, **({"n": n} if spec.name == "binomial" else {}))


def _group_log_densities(spec: _Family, params: dict[str, np.ndarray], context: dict[str, Any], values: np.ndarray) -> np.ndarray:
    """log fⱼ(value) for every group j (rows) and value (columns), in one broadcast scipy call."""
    with np.errstate(all="ignore"):
        return spec.log_density(values, {name: v[:, None] for name, v in params.items()}, context["n"])


def _result(spec: _Family, run: _Run, starts: int, n: int | None) -> MixtureFit:
    """Groups in increasing order of their mean, as plain arrays."""
    if not run.params:
        raise DataError(f"every EM start for the {spec.words} mixture lost a group; try fewer groups")
    order = np.argsort(_groups(spec, run.params, n).mean()[:, 0], kind="stable")
    return MixtureFit(
        family=spec.name, weights=run.mixing[order], params={name: v[order] for name, v in run.params.items()},
        loglik=run.loglik, iterations=run.iterations, converged=run.converged, degenerate=run.degenerate,
        starts=starts, n=n,
    )


# --------------------------------------------------------------------- registry
_CONTINUOUS_FAMILIES = ("norm", "lognorm", "gamma")
_DISCRETE_FAMILIES = ("poisson", "binomial")
MAX_GROUPS = 4


def _family_option(options: Options, emp: Empirical) -> str:
    """The family asked for; by default normal groups for continuous data, Poisson groups for counts."""
    return str(options.get("family") or ("norm" if emp.kind == "binned" else "poisson"))


def _groups_option(options: Options) -> int:
    k = integer_option(options, "k", 2)
    if not 1 <= k <= MAX_GROUPS:
        raise DataError(f"a mixture has 1 to {MAX_GROUPS} groups; got k={k}")
    return k


def _mixture_check(emp: Empirical, options: Options) -> str | None:
    family = _family_option(options, emp)
    if family not in FAMILIES:
        return f"mixture family must be one of {', '.join(FAMILIES)}; got {family!r}"
    try:
        k = _groups_option(options)
    except DataError as error:
        return str(error)
    words = FAMILIES[family].words
    if emp.kind == "binned" and family not in _CONTINUOUS_FAMILIES:
        return f"a {words} mixture is for counts; for continuous data use family norm, lognorm or gamma"
    if emp.kind == "discrete":
        if family not in _DISCRETE_FAMILIES:
            return f"a {words} mixture is for continuous data; for counts use family poisson or binomial"
        reason = require_integer_support(emp, f"a {words} mixture", minimum=0)
        if reason:
            return reason
        if family == "binomial":
            n = integer_option(options, "n", int(emp.high))
            if n < emp.high or n < 1:
                return f"a binomial mixture needs n ≥ the largest value ({emp.high:g}) and ≥ 1; got n={n}"
    elif family in ("lognorm", "gamma") and emp.low <= 0:
        return f"a {words} mixture needs positive values; the data reach {emp.low:g}"
    distinct = int(np.count_nonzero(weighted_values(emp)[1] > 0))
    if distinct < 2 * k:
        return f"{number_word(k)} groups need at least {2 * k} distinct values; the data have {distinct}"
    return None


def _fit_mixture_model(emp: Empirical, options: Options) -> MixtureModel:
    family, k = _family_option(options, emp), _groups_option(options)
    n = integer_option(options, "n", int(emp.high)) if family == "binomial" else None
    values, weights, what = weighted_values(emp)
    notes = ["fitted to the display bins' centres (this data keeps no raw values)"] if what == "bin centres" else []
    if family == "binomial" and "n" not in options:
        notes.append(f"n = {n}, the largest observed value")
    return model_from_fit(fit_mixture(values, weights, family, k, n=n), notes, fitted_to=what)


def model_from_fit(result: MixtureFit, notes: Sequence[str] = (), fitted_to: str = "raw values") -> MixtureModel:
    """The :class:`MixtureModel` of an EM result: parameters, plain-words label, groups in ``extra``.

    Examples
    --------
    >>> model = model_from_fit(fit_mixture(np.array([1.0, 1.2, 5.0, 5.2]), np.ones(4), "norm", 2))
    >>> model.label, model.n_params, sorted(model.params)[:3]
    ('two normal groups mixed', 5, ['loc1', 'loc2', 'scale1'])
    """
    spec, k, n = FAMILIES[result.family], result.weights.size, result.n
    params: dict[str, Any] = {"n": n} if n is not None else {}
    components = []
    for j in range(k):
        group = {name: float(v[j]) for name, v in result.params.items()}
        params.update({f"w{j + 1}": float(result.weights[j]), **{f"{name}{j + 1}": value for name, value in group.items()}})
        components.append({"weight": float(result.weights[j]), "params": group,
                           "label": f"{spec.words} group {j + 1} ({format_params(group)}), weight {result.weights[j]:.3g}"})
    label = f"{number_word(k)} {spec.words} groups mixed" + (f" (n = {n})" if n is not None else "")
    notes = list(notes)
    if not result.converged:
        notes.append(f"EM stopped after its {result.iterations:,} iteration budget before converging")
    if result.degenerate:
        notes.append("a group shrank onto a single value (the likelihood is unbounded there); try fewer groups")
    extra = {"family": result.family, "k": k, "components": components, "loglik": result.loglik,
             "iterations": result.iterations, "converged": result.converged, "starts": result.starts, "fitted_to": fitted_to}
    n_params = (k - 1) + k * len(spec.parameters)
    return mixture_model("mixture", result.mixture(), params, n_params, label, "; ".join(notes), extra)


register(ModelSpec(
    name="mixture", label="Groups mixed", group="mixtures", kinds=frozenset({"discrete", "binned"}),
    parameters=("weights", "each group's parameters"),
    how_fitted="k = 2..4 groups of one family (normal, log-normal, gamma; Poisson, binomial with declared n) mixed; "
               "maximum likelihood by EM from a quantile split and four k-means++ starts; 3k − 1 parameters for normals",
    fitter=_fit_mixture_model, checker=_mixture_check, options=("family", "k", "n"),
))
