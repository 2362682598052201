"""scipy's discrete families, fitted by maximum likelihood on (value, count) pairs.

Every fit minimises ``-Σ count_i · log pmf(value_i; θ)``, which costs O(K) in the
number of distinct values, never O(N) in the number of rows. The rules:

* **Closed forms** where the maximum likelihood estimate has one: poisson (mu = mean),
  geom (p = 1 / (1 + mean)), bernoulli (p = mean), planck (λ = log(1 + 1/mean)),
  dlaplace (a = asinh(1 / mean|k|)), and nbinom's p once n is known (p = n / (n + mean)).
* **One-dimensional** where the likelihood reduces to one parameter: nbinom's profile over
  log n (bounded Brent), boltzmann's lambda_ (the root where the model's mean equals the
  data's), skellam's total mu1 + mu2 on the line mu1 - mu2 = mean.
* **Numerical** otherwise: :func:`~kl_core.models.base.minimize_nll` (Nelder–Mead) on the
  mean negative log-likelihood per observation, over unconstrained parameters (log for
  positive ones, logit for probabilities, log(a - 1) for zipf's a > 1), started from
  method-of-moments values. Positive parameters are kept in [1e-8, 1e6] (skellam's upper
  cap scales with the data); a fit that ends at an edge is returned with a ``note`` saying
  which limit the data push it to (nbinom → Poisson, betabinom → binomial, ...).
* **Whole-number parameters** (betabinom's n, zipfian's n, boltzmann's N, the
  hypergeometric M, n, N, r, and the ``loc`` shift) are never optimised: they are taken
  from the data (largest observed value) or declared by the user as options.
* **betanbinom's n** must be a whole number in scipy 1.17 (its ``_argcheck`` says so), though
  the formula is valid for real n. Declared, it is fixed (n_params 2). Otherwise it is
  estimated by maximum likelihood (n_params 3): (n, a, b) are optimised with n relaxed to a
  real number (own log-pmf, scipy's formula), then a and b are refitted at the whole numbers
  either side and the best kept. The pmf is symmetric in n and b, so the whole numbers
  either side of the real b are tried too.
* **Fixing**: every continuous parameter can be fixed through an option of the same
  name (``fit(emp, "poisson", mu=2.0)``); it is then not fitted.
* ``n_params`` counts only the parameters estimated by maximum likelihood: fixed or
  declared ones, and whole-number ones taken from the data, do not count.

Families whose support starts at 1 (logser, zipf, yulesimon, zipfian) take an integer
``loc`` option (a shift, default 0): ``loc=-1`` models values from 0.

The hypergeometric families apply only when the user declares their whole-number
parameters: ``hypergeom`` (M, n, N) and ``nhypergeom`` (M, n, r) then have nothing to fit;
``nchypergeom_fisher`` and ``nchypergeom_wallenius`` (M, n, N) fit their ``odds``. scipy's
Wallenius pmf (BiasedUrn) returns exactly 0 for cells far in a tail, so observations
there confine its fit to the odds that still reach them.

Left out, and why:

* ``binom``: registered as ``binomial`` in :mod:`kl_core.models.simple`.
* ``randint``: the discrete uniform, registered as ``uniform`` in :mod:`kl_core.models.simple`.
* ``poisson_binom``: its parameter is a *vector* of per-trial probabilities whose length
  is the number of trials; the likelihood cannot tell the trials apart (any permutation
  fits equally), and with one probability per trial it is far more flexible than any
  other family here, so a KL ranking against it would not be a fair comparison.

Examples
--------
>>> from kl_core.models import fit
>>> fit(Empirical.from_counts([0, 1, 2, 3], [4, 6, 3, 1]), "poisson").label
'poisson(mu=1.071)'
>>> fit(Empirical.from_counts([1, 2, 3, 5], [10, 4, 2, 1]), "zipf").n_params
1
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
from scipy import optimize, special, stats

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.models.base import (
    FittedModel,
    ModelSpec,
    Options,
    expit,
    integer_option,
    logit,
    minimize_nll,
    require_integer_support,
    weighted_loglik,
)
from kl_core.models.registry import register

__all__ = ["DISCRETE", "HIGH_CAP", "LOW_CAP"]

DISCRETE = frozenset({"discrete"})
LOW_CAP = 1e-8  # smallest value a positive parameter may take in a numerical fit
HIGH_CAP = 1e6  # largest value a positive parameter may take in a numerical fit
_LOG_LOW, _LOG_HIGH = math.log(LOW_CAP), math.log(HIGH_CAP)
_LIMIT_HINT = 1e4  # a beta mixing parameter this large means the fit is close to its unmixed limit
_LOGIT_EDGE = 30.0  # probabilities are kept within expit(±30), about 1e-13 from 0 and 1

# Domains of continuous parameters: name -> (test, words for the error message).
_DOMAINS: dict[str, tuple[Callable[[float], bool], str]] = {
    "pos": (lambda x: x > 0, "> 0"),
    "nonneg": (lambda x: x >= 0, "≥ 0"),
    "prob": (lambda x: 0 < x < 1, "strictly between 0 and 1"),
    "prob_open_left": (lambda x: 0 < x <= 1, "in (0, 1]"),
    "prob_closed": (lambda x: 0 <= x <= 1, "between 0 and 1"),
    "gt1": (lambda x: x > 1, "> 1"),
}


# =========================================================================== helpers
def _real_option(options: Options, family: str, key: str, domain: str) -> float | None:
    """The fixed value of a continuous parameter, or None when it is to be fitted."""
    if options.get(key) is None:
        return None
    value = options[key]
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{family} option {key} must be a number; got {value!r}") from None
    test, words = _DOMAINS[domain]
    if not math.isfinite(number) or not test(number):
        raise DataError(f"{family} {key} must be {words}; got {value!r}")
    return number


def _option_reason(options: Options, family: str, domains: dict[str, str]) -> str | None:
    """Why a fixed continuous option is unusable (not a number, out of range), or None."""
    for key, domain in domains.items():
        try:
            _real_option(options, family, key, domain)
        except DataError as error:
            return str(error)
    return None


def _integer_reason(options: Options, keys: Sequence[str]) -> str | None:
    for key in keys:
        try:
            integer_option(options, key, 0)
        except DataError as error:
            return str(error)
    return None


def _loglik(dist: Any, emp: Empirical, args: Sequence[float], loc: float = 0.0) -> float:
    """Σ count · log pmf at the data's support, for a scipy family or a ``logpmf(k, *args, loc=)`` function."""
    logpmf = dist.logpmf if hasattr(dist, "logpmf") else dist
    with np.errstate(all="ignore"):
        log_mass = logpmf(emp.support, *args, loc=loc)
    return weighted_loglik(np.asarray(log_mass, dtype=float), emp.counts)


def _log_rising(x: Any, m: Any) -> np.ndarray:
    """log Γ(x + m) - log Γ(x) for x > 0, m ≥ 0, without the cancellation of two huge gammaln values.

    Nelder–Mead needs an objective free of rounding noise: near the binomial and negative
    binomial limits (a, b ~ 1e5 and more) ``gammaln`` differences wobble by ~1e-9, more than
    the optimiser's tolerance, and the search never stops. For x ≥ 10 this uses Stirling's
    series written as m·log x + (x + m - 1/2)·log1p(m/x) - m + (corrections).
    """
    if np.ndim(x) == 0:  # the usual call (a scalar parameter, an array of counts): one branch, no masks
        return _log_rising_scalar(float(x), np.asarray(m, dtype=float))
    x, m = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(m, dtype=float))
    big = x >= 10
    xb = np.where(big, x, 10.0)
    yb = xb + m

    def correction(y: np.ndarray) -> np.ndarray:
        inv = 1.0 / y
        inv2 = inv * inv
        return inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))

    stirling = m * np.log(xb) + (yb - 0.5) * np.log1p(m / xb) - m + correction(yb) - correction(xb)
    small = special.gammaln(np.where(big, 1.0, x + m)) - special.gammaln(np.where(big, 1.0, x))
    return np.where(big, stirling, small)


def _stirling_correction(y: Any) -> Any:
    inv = 1.0 / y
    inv2 = inv * inv
    return inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))


def _log_rising_scalar(x: float, m: np.ndarray) -> np.ndarray:
    """:func:`_log_rising` for one x: the same two formulas, chosen once instead of per element."""
    if x < 10:
        return special.gammaln(x + m) - special.gammaln(x)
    return m * math.log(x) + (x + m - 0.5) * np.log1p(m / x) - m + _stirling_correction(x + m) - _stirling_correction(x)


def _betabinom_logpmf(k: np.ndarray, n: float, a: float, b: float, loc: float = 0.0) -> np.ndarray:
    """scipy's betabinom log-pmf, computed with :func:`_log_rising` so it stays smooth for huge a, b."""
    k = np.asarray(k, dtype=float) - loc
    inside = (k >= 0) & (k <= n)
    kk = np.clip(k, 0, n)
    log_choose = special.gammaln(n + 1) - special.gammaln(kk + 1) - special.gammaln(n - kk + 1)
    value = log_choose + _log_rising(a, kk) + _log_rising(b, n - kk) - _log_rising(a + b, n)
    return np.where(inside, value, -np.inf)


class _BetabinomOnSupport:
    """:func:`_betabinom_logpmf` specialised to one data set's support and a fixed n, for the search.

    The log binomial coefficients are computed once, so an evaluation is three rising factorials
    (the same arithmetic as :func:`_betabinom_logpmf`, without its per-call masks). Any other
    ``k`` or ``n`` gets the general function.
    """

    def __init__(self, emp: Empirical, n: int) -> None:
        self.support, self.n = emp.support, float(n)
        self.k = np.asarray(emp.support, dtype=float)
        self.rest = self.n - self.k
        self.log_choose = special.gammaln(self.n + 1) - special.gammaln(self.k + 1) - special.gammaln(self.rest + 1)

    def __call__(self, k: np.ndarray, n: float, a: float, b: float, loc: float = 0.0) -> np.ndarray:
        if k is not self.support or loc or n != self.n:
            return _betabinom_logpmf(k, n, a, b, loc)
        a, b = float(a), float(b)
        total = float(_log_rising_scalar(a + b, np.float64(self.n)))
        return self.log_choose + _log_rising_scalar(a, self.k) + _log_rising_scalar(b, self.rest) - total


class _Free:
    """A continuous parameter to fit: its domain's transform to and from the real line, and its caps."""

    def __init__(self, name: str, domain: str, start: float, high: float = HIGH_CAP) -> None:
        self.name, self.domain, self.start, self.high = name, domain, start, high
        self._log_high = math.log(high)

    def to_real(self, value: float) -> float:
        if self.domain == "prob":
            return logit(value)
        if self.domain == "gt1":
            return math.log(min(max(value - 1, LOW_CAP), self.high))
        return math.log(min(max(value, LOW_CAP), self.high))  # pos, nonneg

    def from_real(self, theta: float) -> float:
        if self.domain == "prob":
            return expit(min(max(theta, -_LOGIT_EDGE), _LOGIT_EDGE))
        value = math.exp(min(max(theta, _LOG_LOW), self._log_high))
        return 1 + value if self.domain == "gt1" else value

    def at_edge(self, value: float) -> str | None:
        """'low' or 'high' when the fitted value sits on the edge the fit may not cross."""
        # Within a factor 2 of a cap: Nelder-Mead stops once the likelihood is flat, a little short of it.
        if self.domain == "prob":
            tiny = expit(-_LOGIT_EDGE)
            return "low" if value <= 2 * tiny else "high" if 1 - value <= 2 * tiny else None
        core = value - 1 if self.domain == "gt1" else value
        return "low" if core <= 2 * LOW_CAP else "high" if core >= self.high / 2 else None


def _maximise(
    dist: Any,
    emp: Empirical,
    shapes: Sequence[str],
    fixed: dict[str, float],
    free: Sequence[_Free],
    loc: float = 0.0,
    max_evaluations: int | None = None,
) -> tuple[dict[str, float], dict[str, str]]:
    """Maximum likelihood over the ``free`` parameters with ``fixed`` held; (values, edges hit)."""
    if not free:
        return dict(fixed), {}

    def values_of(theta: np.ndarray) -> dict[str, float]:
        values = dict(fixed)
        values.update({par.name: par.from_real(t) for par, t in zip(free, theta)})
        return values

    scale = 1.0 / emp.total  # per observation, so the tolerances mean the same for any N
    logpmf = dist.logpmf if hasattr(dist, "logpmf") else dist
    support, counts = emp.support, emp.counts

    def negative_loglik(theta: np.ndarray) -> float:
        # _loglik's sum without its errstate: minimize_nll already ignores floating-point warnings.
        values = values_of(theta)
        log_mass = logpmf(support, *[values[s] for s in shapes], loc=loc)
        return -weighted_loglik(np.asarray(log_mass, dtype=float), counts) * scale

    theta = minimize_nll(negative_loglik, [par.to_real(par.start) for par in free], max_evaluations=max_evaluations)
    values = values_of(theta)
    edges = {par.name: edge for par in free if (edge := par.at_edge(values[par.name]))}
    return values, edges


def _maximise_one(
    logpmf: Callable[..., np.ndarray], emp: Empirical, shapes: Sequence[str], fixed: dict[str, float], par: _Free,
) -> tuple[dict[str, float], dict[str, str]]:
    """:func:`_maximise` over one positive parameter whose optimum is within a factor e of ``par.start``.

    Bounded Brent over the log within that window: about a third of Nelder–Mead's evaluations in
    one dimension. If the optimum sits on the window's edge, the window was wrong: Nelder–Mead then
    searches the whole range from there.
    """
    scale = 1.0 / emp.total
    centre = par.to_real(par.start)
    low, high = max(centre - 1.0, _LOG_LOW), min(centre + 1.0, math.log(par.high))

    def negative_loglik(theta: float) -> float:
        value = -weighted_loglik(logpmf(emp.support, *[fixed.get(s, 0.0) if s != par.name else par.from_real(theta)
                                                       for s in shapes]), emp.counts) * scale
        return value if math.isfinite(value) else 1e300

    result = optimize.minimize_scalar(negative_loglik, bounds=(low, high), method="bounded",
                                      options={"xatol": 1e-10, "maxiter": 500})
    theta = float(result.x)
    if min(theta - low, high - theta) < 1e-6 and (low > _LOG_LOW or high < math.log(par.high)):
        return _maximise(logpmf, emp, shapes, fixed, [_Free(par.name, par.domain, par.from_real(theta), par.high)],
                         max_evaluations=_BETANBINOM_BUDGET)
    values = {**fixed, par.name: par.from_real(theta)}
    edge = par.at_edge(values[par.name])
    return values, {par.name: edge} if edge else {}


def _edge_note(edges: dict[str, str], limits: dict[tuple[str, str], str]) -> str:
    """A sentence per parameter that ended on an edge of its allowed range."""
    notes = []
    for name, edge in edges.items():
        limit = limits.get((name, edge), "the likelihood keeps improving towards the edge of its range")
        notes.append(f"{name} stopped at the {'lower' if edge == 'low' else 'upper'} limit of its range: {limit}")
    return "; ".join(notes)


def _join(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """Plain Python numbers: int for whole-number parameters, float for the rest."""
    return {key: value if isinstance(value, int) else float(value) for key, value in params.items()}


def _model(
    name: str,
    dist: Any,
    shapes: Sequence[str],
    params: dict[str, Any],
    n_params: int,
    note: str = "",
    loc: int = 0,
    shown_loc: bool = True,
    logpmf: Callable[[np.ndarray], np.ndarray] | None = None,
) -> FittedModel:
    """A FittedModel whose pmf and cdf (and their logs) are the scipy distribution's at ``params``.

    ``logpmf`` replaces scipy's log-pmf where scipy's underflows (skellam's far tails).
    """
    args = tuple(params[s] for s in shapes)

    def method(which: str) -> _AtParameters:
        return _AtParameters(getattr(dist, which), args, loc)

    shown = _plain({key: params[key] for key in shapes})
    if loc and shown_loc:
        shown["loc"] = int(loc)
    return FittedModel(
        name, shown, n_params, method("pmf"), method("cdf"), note=note, extra={"scipy_loc": loc},
        logpmf_function=logpmf or method("logpmf"), logcdf_function=method("logcdf"), logsf_function=method("logsf"),
    )


@dataclass(frozen=True)
class _AtParameters:
    """One method of a scipy family at fixed parameters: ``method(x, *args, loc=loc)``.

    What the frozen distribution's method computes, without freezing: scipy builds a frozen
    distribution by constructing the family again, docstrings included (about 1 ms), while a
    ranking calls each model's functions once or twice.

    Examples
    --------
    >>> _AtParameters(stats.poisson.pmf, (2.0,), 0)(np.array([0, 1])).round(4).tolist()
    [0.1353, 0.2707]
    """

    method: Callable[..., np.ndarray]
    args: tuple[float, ...]
    loc: float

    def __call__(self, values: np.ndarray) -> np.ndarray:
        return self.method(values, *self.args, loc=self.loc)


def _mean_log(emp: Empirical, shift: float = 0.0) -> float:
    return float(np.dot(emp.probs, np.log(emp.support - shift)))


def _fixed_from_data(key: str, value: int, options: Options, what: str) -> str:
    return "" if key in options and options[key] is not None else f"{key} = {value}, {what}"


# Whole-number supports under the user's options (ModelSpec.support): data outside them makes KL = ∞.
def _non_negative_support(emp: Empirical, options: Options) -> tuple[float, float]:
    return 0.0, math.inf


def _all_integers_support(emp: Empirical, options: Options) -> tuple[float, float]:
    return -math.inf, math.inf


def _bernoulli_support(emp: Empirical, options: Options) -> tuple[float, float]:
    return 0.0, 1.0


def _betabinom_support(emp: Empirical, options: Options) -> tuple[float, float]:
    return 0.0, float(integer_option(options, "n", int(emp.high)))


def _shifted_support(emp: Empirical, options: Options) -> tuple[float, float]:
    return 1.0 + integer_option(options, "loc", 0), math.inf


def _zipfian_support(emp: Empirical, options: Options) -> tuple[float, float]:
    loc = integer_option(options, "loc", 0)
    return 1.0 + loc, float(integer_option(options, "n", int(emp.high) - loc) + loc)


def _boltzmann_support(emp: Empirical, options: Options) -> tuple[float, float]:
    return 0.0, float(integer_option(options, "N", int(emp.high) + 1) - 1)


def _hypergeom_support_of(emp: Empirical, options: Options) -> tuple[float, float]:
    declared, reason = _hypergeom_args("hypergeom", options)
    if reason:
        raise DataError(reason)
    low, high = _hypergeom_support(declared)
    return float(low), float(high)


def _nhypergeom_support_of(emp: Empirical, options: Options) -> tuple[float, float]:
    declared, reason = _nhypergeom_args(options)
    if reason:
        raise DataError(reason)
    return 0.0, float(declared["n"])


# ====================================================================== poisson


def _fit_poisson(emp: Empirical, options: Options) -> FittedModel:
    mu = _real_option(options, "poisson", "mu", "nonneg")
    fitted = mu is None
    if fitted:
        mu = emp.mean()  # closed-form MLE
    note = "every value is 0, so mu = 0 (all mass on 0)" if fitted and mu == 0 else ""
    return _model("poisson", stats.poisson, ["mu"], {"mu": mu}, int(fitted), note)


# ========================================================================= geom


def _fit_geom(emp: Empirical, options: Options) -> FittedModel:
    p = _real_option(options, "geom", "p", "prob_open_left")
    fitted = p is None
    if fitted:
        p = 1.0 / (1.0 + emp.mean())  # closed-form MLE for failures before the first success
    # Failures before the first success, support 0, 1, 2, …: scipy's geom (trials, from 1) with loc=-1.
    return _model("geom", stats.geom, ["p"], {"p": p}, int(fitted), loc=-1, shown_loc=False)


# ======================================================================= nbinom
_NBINOM_POISSON = "variance ≤ mean: the fit tends to the Poisson; n capped at 1e6"


def _fit_nbinom(emp: Empirical, options: Options) -> FittedModel:
    n = _real_option(options, "nbinom", "n", "pos")
    p = _real_option(options, "nbinom", "p", "prob_open_left")
    mean, var = emp.mean(), emp.var()
    note = ""
    if n is not None and p is not None:
        return _model("nbinom", stats.nbinom, ["n", "p"], {"n": n, "p": p}, 0)
    if n is not None:
        p = n / (n + mean)  # closed-form MLE of p for a known n
        return _model("nbinom", stats.nbinom, ["n", "p"], {"n": n, "p": p}, 1)
    if p is not None:
        start = mean * p / (1 - p) if 0 < p < 1 and mean > 0 else 1.0
        values, edges = _maximise(stats.nbinom, emp, ["n", "p"], {"p": p}, [_Free("n", "pos", max(start, 1e-3))])
        note = _edge_note(edges, {("n", "high"): "the data want more mass near the mean than this p allows",
                                  ("n", "low"): "the data want more mass at 0 than this p allows"})
        return _model("nbinom", stats.nbinom, ["n", "p"], values, 1, note)
    if mean == 0:
        return _model("nbinom", stats.nbinom, ["n", "p"], {"n": HIGH_CAP, "p": 1.0}, 2,
                      "every value is 0: p = 1 (all mass on 0); n capped at 1e6")
    if var <= mean:
        # Levin & Reeds (1977): a finite MLE of n exists iff the (divisor-N) variance exceeds the mean.
        return _model("nbinom", stats.nbinom, ["n", "p"], {"n": HIGH_CAP, "p": HIGH_CAP / (HIGH_CAP + mean)}, 2, _NBINOM_POISSON)

    n = _nbinom_size(emp)
    if n is None:
        n, note = HIGH_CAP, "the fit tends to the Poisson (variance barely above the mean); n capped at 1e6"
    return _model("nbinom", stats.nbinom, ["n", "p"], {"n": n, "p": n / (n + mean)}, 2, note)


# ==================================================================== bernoulli


def _fit_bernoulli(emp: Empirical, options: Options) -> FittedModel:
    p = _real_option(options, "bernoulli", "p", "prob_closed")
    fitted = p is None
    if fitted:
        p = emp.mean()  # closed-form MLE
    return _model("bernoulli", stats.bernoulli, ["p"], {"p": p}, int(fitted))


# ==================================================================== betabinom
def _betabinom_check(emp: Empirical, options: Options) -> str | None:
    reason = require_integer_support(emp, "betabinom", minimum=0) or _integer_reason(options, ["n"])
    if reason:
        return reason
    n = integer_option(options, "n", int(emp.high))
    if n < emp.high:
        return f"betabinom(n={n}) gives 0 probability to {emp.high:g}, which was observed; declare n ≥ {emp.high:g}"
    if n < 1:
        return "betabinom needs at least one trial; every observed value is 0, so declare n"
    return _option_reason(options, "betabinom", {"a": "pos", "b": "pos"})


def _fit_betabinom(emp: Empirical, options: Options) -> FittedModel:
    n = integer_option(options, "n", int(emp.high))
    fixed = {key: value for key in ("a", "b") if (value := _real_option(options, "betabinom", key, "pos")) is not None}
    mean, var = emp.mean(), emp.var()
    share = min(max(mean / n, 1e-3), 1 - 1e-3)
    binomial_var = n * share * (1 - share)
    rho = (var / binomial_var - 1) / (n - 1) if n > 1 else 0.0  # intra-class correlation 1 / (a + b + 1)
    total = 1 / min(max(rho, 1e-3), 0.99) - 1  # method of moments for a + b
    starts = {"a": share * total, "b": (1 - share) * total}
    if "a" in fixed:
        starts["b"] = fixed["a"] * (1 - share) / share
    if "b" in fixed:
        starts["a"] = fixed["b"] * share / (1 - share)
    free = [_Free(key, "pos", starts[key]) for key in ("a", "b") if key not in fixed]
    logpmf = _BetabinomOnSupport(emp, n)
    interior = None if fixed else _betabinom_newton(emp, logpmf, starts["a"], starts["b"])
    if interior is not None:
        values, edges = {"n": n, "a": interior[0], "b": interior[1]}, {}
    else:  # an edge, the binomial limit, or a fixed a or b: the general search, which knows the edges
        values, edges = _maximise(logpmf, emp, ["n", "a", "b"], {"n": n, **fixed}, free)
    values["n"] = n
    limits = {(k, "high"): "the data are no more spread than a binomial, which is the limit a, b → ∞" for k in "ab"}
    limits.update({("a", "low"): "the data pile up at 0", ("b", "low"): "the data pile up at n"})
    note = _join(_fixed_from_data("n", n, options, "the largest observed value"), _edge_note(edges, limits))
    if not edges and values["a"] > _LIMIT_HINT and values["b"] > _LIMIT_HINT:
        note = _join(note, "a and b are very large: the data are no more spread than a binomial, the limit a, b → ∞")
    return _model("betabinom", stats.betabinom, ["n", "a", "b"], values, len(free), note)


_NEWTON_GAIN = 1e-11  # the most a last Newton step may still gain, nats per observation (Nelder–Mead stops at 1e-10)


def _betabinom_newton(emp: Empirical, logpmf: _BetabinomOnSupport, a: float, b: float) -> tuple[float, float] | None:
    """The betabinom (a, b) maximising the likelihood at the support's n, by Newton's method, or None.

    scipy's ``trust-exact`` over (log a, log b) with the exact gradient and Hessian: the score is a
    count-weighted sum of digamma differences, the Hessian of trigamma ones, so a fit takes about ten
    steps instead of Nelder–Mead's ~130 evaluations. None (use the general search) unless it converges
    inside [1e-6, 1e4] for both: near an edge or the binomial limit (a, b → ∞, where the digamma
    differences lose their precision) the Nelder–Mead search with its edge notes takes over.
    """
    k, rest, weights, n = logpmf.k, logpmf.rest, emp.counts / emp.total, logpmf.n

    def negative_loglik(theta: np.ndarray) -> float:
        value = float(np.dot(weights, logpmf(emp.support, n, *np.exp(theta))))
        return -value if math.isfinite(value) else 1e300

    def derivatives(theta: np.ndarray, order: int) -> np.ndarray:
        """The gradient (order 0) or Hessian (order 1) of the mean log-likelihood in (a, b)."""
        x, y = np.exp(theta)
        total = special.polygamma(order, x + y + n) - special.polygamma(order, x + y)
        da = float(np.dot(weights, special.polygamma(order, x + k))) - special.polygamma(order, x) - total
        db = float(np.dot(weights, special.polygamma(order, y + rest))) - special.polygamma(order, y) - total
        return np.array([da, db, -total])

    def gradient(theta: np.ndarray) -> np.ndarray:
        return -np.exp(theta) * derivatives(theta, 0)[:2]

    def hessian(theta: np.ndarray) -> np.ndarray:
        scale = np.exp(theta)
        first, second = derivatives(theta, 0), derivatives(theta, 1)
        inner = np.array([[second[0], second[2]], [second[2], second[1]]])
        return -(np.outer(scale, scale) * inner + np.diag(scale * first[:2]))

    start = np.log([a, b])
    with np.errstate(all="ignore"):
        result = optimize.minimize(negative_loglik, start, jac=gradient, hess=hessian, method="trust-exact",
                                   options={"gtol": 1e-10, "maxiter": 100})
    found = np.exp(result.x)
    if not (np.all((found > 1e-6) & (found < _LIMIT_HINT)) and result.fun <= negative_loglik(start)):
        return None
    # Converged means a local maximum (negative definite Hessian) with a Newton step that would gain
    # almost nothing. trust-exact may report failure once its steps reach the log-likelihood's rounding
    # noise (n in the thousands), which is converged too.
    with np.errstate(all="ignore"):
        score, curvature = gradient(result.x), hessian(result.x)
    if not np.all(np.isfinite(curvature)) or np.min(np.linalg.eigvalsh(curvature)) <= 0:
        return None
    if 0.5 * float(score @ np.linalg.solve(curvature, score)) > _NEWTON_GAIN:
        return None
    return float(found[0]), float(found[1])


# =================================================================== betanbinom
def _betanbinom_check(emp: Empirical, options: Options) -> str | None:
    reason = require_integer_support(emp, "betanbinom", minimum=0) or _integer_reason(options, ["n"])
    if reason:
        return reason
    if options.get("n") is not None and integer_option(options, "n", 1) < 1:
        return f"betanbinom n must be a whole number ≥ 1; got {options['n']!r}"
    return _option_reason(options, "betanbinom", {"a": "pos", "b": "pos"})


def _betanbinom_logpmf(k: np.ndarray, n: float, a: float, b: float, loc: float = 0.0) -> np.ndarray:
    """scipy's betanbinom log-pmf, also valid for real n > 0 (scipy itself accepts whole n only).

    Written as log Γ(n+k)/(Γ(n) k!) + log B(a+n, b+k) - log B(a, b) through
    :func:`_log_rising`, so it stays smooth near the negative binomial limit (huge a, b).
    """
    k = np.asarray(k, dtype=float) - loc
    inside = k >= 0
    kk = np.maximum(k, 0)
    value = (_log_rising(n, kk) - special.gammaln(kk + 1) + _log_rising(a, n) + _log_rising(b, kk)
             - _log_rising(a + b, n + kk))
    return np.where(inside, value, -np.inf)


class _BetanbinomOnSupport:
    """:func:`_betanbinom_logpmf` specialised to one data set's support, for the searches.

    A search evaluates the log-pmf ~1,000 times on the same ~20 values, where numpy's per-call
    overhead, not arithmetic, is the cost: log k! is computed once, and the masks for k < 0 are
    skipped (the support is checked to be whole numbers ≥ 0). Any other ``k`` gets the general function.
    """

    def __init__(self, emp: Empirical) -> None:
        self.support = emp.support
        self.k = np.asarray(emp.support, dtype=float)
        self.log_factorial = special.gammaln(self.k + 1)
        self.k_thrice = np.vstack((self.k, self.k, self.k))

    def __call__(self, k: np.ndarray, n: float, a: float, b: float, loc: float = 0.0) -> np.ndarray:
        if k is not self.support or loc:
            return _betanbinom_logpmf(k, n, a, b, loc)
        n, a, b = float(n), float(a), float(b)
        if min(n, b) >= 10:  # the three rising factorials all in Stirling's range: one stacked expression
            rising = self._stirling_rising(n, a, b)
        else:
            rising = _log_rising_scalar(n, self.k) + _log_rising_scalar(b, self.k) - _log_rising_scalar(a + b, n + self.k)
        return rising - self.log_factorial + float(_log_rising_scalar(a, np.float64(n)))

    def _stirling_rising(self, n: float, a: float, b: float) -> np.ndarray:
        """log (n)_k + log (b)_k - log (a+b)_(n+k), Stirling's form of :func:`_log_rising_scalar` on 3K values at once.

        The three x values are a column broadcast against the 3 × K rising lengths, so log x and
        its Stirling correction are computed three times, not 3K.
        """
        x = np.array([[n], [b], [a + b]])
        m = self.k_thrice.copy()
        m[2] += n
        y = x + m
        each = m * np.log(x) + (y - 0.5) * np.log1p(m / x) - m + _stirling_correction(y) - _stirling_correction(x)
        return each[0] + each[1] - each[2]


def _fit_betanbinom(emp: Empirical, options: Options) -> FittedModel:
    declared = options.get("n") is not None
    fixed: dict[str, float] = {key: value for key in ("a", "b")
                               if (value := _real_option(options, "betanbinom", key, "pos")) is not None}
    if declared:
        fixed["n"] = float(integer_option(options, "n", 1))
    mean, var = emp.mean(), emp.var()
    # Start: the negative binomial's moments for n, then a Beta(a, b) on its p with mean b / (a - 1) = mean / n.
    n0 = fixed.get("n", mean * mean / (var - mean) if var > mean and mean > 0 else 10.0)
    n0 = min(max(n0, 0.05), 1e4)
    a0 = fixed.get("a", 10.0)
    b0 = fixed.get("b", max(mean, 1e-3) * max(a0 - 1, 0.5) / n0)
    starts = {"n": n0, "a": a0, "b": b0}
    shapes = ["n", "a", "b"]
    free = [_Free(key, "pos", starts[key]) for key in shapes if key not in fixed]
    logpmf = _BetanbinomOnSupport(emp)
    values, edges = _maximise(logpmf, emp, shapes, fixed, free, max_evaluations=_BETANBINOM_BUDGET)
    if edges.get("a") == "high" and "a" not in fixed and len(free) > 2:
        # On a's cap the search is stopped by the edge, not converged: finish it on that face (n, b).
        on_cap = [_Free(par.name, par.domain, values[par.name]) for par in free if par.name != "a"]
        face, face_edges = _maximise(logpmf, emp, shapes, {**fixed, "a": HIGH_CAP}, on_cap,
                                     max_evaluations=_BETANBINOM_BUDGET)
        if _loglik(logpmf, emp, [face[s] for s in shapes]) >= _loglik(logpmf, emp, [values[s] for s in shapes]):
            values, edges = face, {**face_edges, "a": "high"}
    if not declared:
        values, edges = _betanbinom_whole_n(emp, values, fixed, free, edges)
    elif not {"a", "b"} & set(fixed):
        values, edges = _best_of(emp, (values, edges), _betanbinom_nbinom_limit(emp, [values["n"]]))
    values["n"] = int(round(values["n"]))
    limits = {
        ("a", "high"): "the data show no spread beyond a negative binomial (the limit a, b → ∞)",
        ("b", "high"): "the data show no spread beyond a negative binomial (the limit a, b → ∞)",
        ("n", "high"): "the data tend to a limit with n → ∞",
    }
    note = "" if declared else "n is a whole number (scipy requires it), chosen by maximum likelihood"
    if not edges and values["a"] > _LIMIT_HINT and values["b"] > _LIMIT_HINT:
        note = _join(note, "a and b are very large: the fit tends to the negative binomial")
    return _model("betanbinom", stats.betanbinom, shapes, values, len(free), _join(note, _edge_note(edges, limits)))


def _betanbinom_whole_n(
    emp: Empirical, values: dict[str, float], fixed: dict[str, float], free: Sequence[_Free],
    edges: dict[str, str] | None = None,
) -> tuple[dict[str, float], dict[str, str]]:
    """The best whole n next to the real-n optimum ``values``, with a and b refitted at it.

    scipy needs a whole n. The pmf is symmetric in n and b, so the real-n optimum (n*, a*, b*) has a
    twin (b*, a*, n*): refit a, b at the whole numbers either side of n* and of b*, and keep the best.
    When the real-n search ended with a on its upper cap (the negative binomial limit), a stays
    there and only b is refitted: a one-dimensional search from a start already within a whole
    step of the optimum, instead of a two-dimensional one that walks back to the same cap.
    """
    shapes = ["n", "a", "b"]
    logpmf = _BetanbinomOnSupport(emp)
    a_capped = (edges or {}).get("a") == "high" and "a" not in fixed and values["a"] >= HIGH_CAP * 0.99
    best: tuple[float, dict[str, float], dict[str, str]] | None = None
    tried: set[int] = set()
    for real_n, other in ((values["n"], values["b"]), (values["b"], values["n"])):
        starts = {"a": values["a"], "b": other}
        held = {**fixed, "a": HIGH_CAP} if a_capped else fixed
        rest = [_Free(par.name, par.domain, starts[par.name]) for par in free if par.name != "n" and par.name not in held]
        for whole in {max(1, math.floor(real_n)), max(1, math.ceil(real_n))}:
            if whole > HIGH_CAP or (a_capped and whole in tried):  # on a's cap the twin at n = b is the same search
                continue
            tried.add(whole)
            if len(rest) == 1:
                trial, trial_edges = _maximise_one(logpmf, emp, shapes, {**held, "n": float(whole)}, rest[0])
            else:
                trial, trial_edges = _maximise(logpmf, emp, shapes, {**held, "n": float(whole)}, rest,
                                               max_evaluations=_BETANBINOM_BUDGET)
            if a_capped:
                trial_edges = {**trial_edges, "a": "high"}
            score = _loglik(logpmf, emp, [trial[s] for s in shapes])
            # On a tie (the twins, or a flat limit) keep the smaller n: n = 20 with huge a, b reads
            # as "nearly a negative binomial with n = 20"; n = 510394 says the same thing less clearly.
            tie = best is not None and abs(score - best[0]) <= 1e-9 * emp.total
            if best is None or (score > best[0] and not tie) or (tie and whole < best[1]["n"]):
                best = (score, trial, trial_edges)
    if best is None:
        raise DataError("betanbinom: no whole number n up to 1e6 fits; declare n")
    if {"a", "b"} & set(fixed):
        return best[1], best[2]
    nbinom_n = _nbinom_size(emp)
    wholes = [] if nbinom_n is None else sorted({max(1, math.floor(nbinom_n)), max(1, math.ceil(nbinom_n))})
    return _best_of(emp, (best[1], best[2]), _betanbinom_nbinom_limit(emp, wholes))


# Nelder–Mead evaluations per betanbinom search. Converging fits need a few hundred; data with no spread
# beyond a negative binomial send the search along a ridge towards a, b → ∞, where it would never stop:
# there the budget ends it, and the negative binomial limit itself is among the candidates.
_BETANBINOM_BUDGET = 1500


def _nbinom_size(emp: Empirical) -> float | None:
    """The negative binomial's maximum likelihood n for ``emp``, or None when the fit tends to the Poisson.

    For each n the MLE of p is n / (n + mean), so the likelihood is profiled to one dimension and
    maximised over log n by bounded Brent (unimodal: Aragón et al. 1992). The log-pmf on the support
    goes through :func:`_log_rising_scalar`, whose Stirling form keeps the profile smooth near the
    Poisson limit (n ~ 1e4 and more), where scipy's ``nbinom.logpmf`` and digamma differences are
    dominated by rounding. None when var ≤ mean (Levin & Reeds 1977: no finite MLE) or n reaches its cap.

    Examples
    --------
    >>> round(_nbinom_size(Empirical.from_counts([0, 1, 2, 5], [5, 3, 1, 1])), 4)
    0.8523
    >>> _nbinom_size(Empirical.from_counts([0, 1, 2], [1, 2, 1])) is None
    True
    """
    mean, var = emp.mean(), emp.var()
    if mean <= 0 or var <= mean:
        return None
    k = np.asarray(emp.support, dtype=float)
    log_factorial = special.gammaln(k + 1)
    weights = emp.counts / emp.total  # per observation, so the tolerance means the same for any N

    def negative_profile(log_size: float) -> float:
        size = math.exp(log_size)
        log_mass = (_log_rising_scalar(size, k) - log_factorial + size * math.log(size / (size + mean))
                    + k * math.log(mean / (size + mean)))
        return -float(np.dot(weights, log_mass))

    bounds = (_LOG_LOW, _LOG_HIGH)
    result = optimize.minimize_scalar(negative_profile, bounds=bounds, method="bounded",
                                      options={"xatol": 1e-10, "maxiter": 500})
    # Brent stops a hair inside the bounds; the upper bound itself is the Poisson limit.
    n = math.exp(min((float(result.x), _LOG_HIGH), key=negative_profile))
    return None if n >= HIGH_CAP * 0.99 else n


def _betanbinom_nbinom_limit(emp: Empirical, wholes: Sequence[float]) -> list[dict[str, float]]:
    """betanbinom points at the edge of its range that approach nbinom(n, p): a = 1e6, b from the mean."""
    mean = emp.mean()
    points = []
    for whole in wholes:
        a = HIGH_CAP
        b = mean * (a - 1) / whole  # mean = n b / (a - 1)
        if LOW_CAP <= b <= HIGH_CAP:
            points.append({"n": float(whole), "a": a, "b": b})
    return points


def _best_of(
    emp: Empirical, found: tuple[dict[str, float], dict[str, str]], limits: list[dict[str, float]]
) -> tuple[dict[str, float], dict[str, str]]:
    """The more likely of the search's result and the negative binomial limit points (ties keep the search's)."""
    shapes = ["n", "a", "b"]
    best_values, best_edges = found
    best_score = _loglik(_betanbinom_logpmf, emp, [best_values[s] for s in shapes])
    for point in limits:
        score = _loglik(_betanbinom_logpmf, emp, [point[s] for s in shapes])
        if score > best_score:
            best_values, best_edges, best_score = dict(point), {"a": "high"}, score
    return best_values, best_edges


# ================================================ families starting at 1, with loc
def _shifted_check(family: str, emp: Empirical, options: Options) -> str | None:
    """Whole numbers ≥ 1 + loc, with the hint to shift when the data start lower."""
    reason = _integer_reason(options, ["loc"])
    if reason:
        return reason
    loc = integer_option(options, "loc", 0)
    reason = require_integer_support(emp, family, minimum=1 + loc)
    if reason and emp.is_integer:
        low = int(emp.low)
        reason += f". Set the shift option loc={low - 1} to model values from {low}"
    return reason


def _fit_logser(emp: Empirical, options: Options) -> FittedModel:
    loc = integer_option(options, "loc", 0)
    p = _real_option(options, "logser", "p", "prob")
    if p is not None:
        return _model("logser", stats.logser, ["p"], {"p": p}, 0, loc=loc)
    mean = emp.mean() - loc
    start = min(max(1 - 1 / mean, 0.01), 0.99)  # rough moment start: mean ≈ 1 / (1 - p) for moderate p
    values, edges = _maximise(stats.logser, emp, ["p"], {}, [_Free("p", "prob", start)], loc=loc)
    note = _edge_note(edges, {("p", "low"): "nearly every value is the smallest one, 1 + loc",
                              ("p", "high"): "the tail is heavier than any logser allows"})
    return _model("logser", stats.logser, ["p"], values, 1, note, loc=loc)


def _power_start(emp: Empirical, loc: int) -> float:
    """Start for a power law on 1, 2, …: the continuous Pareto MLE with cut-off 1/2, 1 + 1 / mean log(2k)."""
    return 1 + 1 / max(math.log(2) + _mean_log(emp, loc), 1e-3)


def _fit_zipf(emp: Empirical, options: Options) -> FittedModel:
    loc = integer_option(options, "loc", 0)
    a = _real_option(options, "zipf", "a", "gt1")
    if a is not None:
        return _model("zipf", stats.zipf, ["a"], {"a": a}, 0, loc=loc)
    start = min(max(_power_start(emp, loc), 1.05), 50.0)
    values, edges = _maximise(stats.zipf, emp, ["a"], {}, [_Free("a", "gt1", start)], loc=loc)
    note = _edge_note(edges, {("a", "low"): "the tail is as heavy as a zipf can be (a → 1)",
                              ("a", "high"): "nearly every value is the smallest one, 1 + loc"})
    return _model("zipf", stats.zipf, ["a"], values, 1, note, loc=loc)


def _fit_yulesimon(emp: Empirical, options: Options) -> FittedModel:
    loc = integer_option(options, "loc", 0)
    alpha = _real_option(options, "yulesimon", "alpha", "pos")
    if alpha is not None:
        return _model("yulesimon", stats.yulesimon, ["alpha"], {"alpha": alpha}, 0, loc=loc)
    mean = emp.mean() - loc
    start = mean / (mean - 1) if mean > 1.01 else 100.0  # method of moments: mean = alpha / (alpha - 1)
    start = min(max(start, 1.01), 1e3) if mean < 50 else 1.0  # a huge mean means a heavy tail, alpha ≤ 1
    values, edges = _maximise(stats.yulesimon, emp, ["alpha"], {}, [_Free("alpha", "pos", start)], loc=loc)
    note = _edge_note(edges, {("alpha", "high"): "nearly every value is the smallest one, 1 + loc"})
    return _model("yulesimon", stats.yulesimon, ["alpha"], values, 1, note, loc=loc)


def _zipfian_check(emp: Empirical, options: Options) -> str | None:
    reason = _shifted_check("zipfian", emp, options) or _integer_reason(options, ["n"])
    if reason:
        return reason
    loc = integer_option(options, "loc", 0)
    n = integer_option(options, "n", int(emp.high) - loc)
    if n + loc < emp.high:
        return f"zipfian(n={n}) gives 0 probability to {emp.high:g}, which was observed; declare n ≥ {emp.high - loc:g}"
    if n > _ZIPFIAN_MAX_N:
        # scipy normalises zipfian by a harmonic sum over all n values: minutes per evaluation for n ~ 1e9.
        return f"zipfian over n = {n:,} values is too wide to fit (the limit is {_ZIPFIAN_MAX_N:,}); use zipf"
    return _option_reason(options, "zipfian", {"a": "nonneg"})


_ZIPFIAN_MAX_N = 10_000_000  # the same width the uniform accepts


def _fit_zipfian(emp: Empirical, options: Options) -> FittedModel:
    loc = integer_option(options, "loc", 0)
    n = integer_option(options, "n", int(emp.high) - loc)
    a = _real_option(options, "zipfian", "a", "nonneg")
    n_note = _fixed_from_data("n", n, options, "the largest observed value" + (" minus loc" if loc else ""))
    if a is not None:
        return _model("zipfian", stats.zipfian, ["a", "n"], {"a": a, "n": n}, 0, n_note, loc=loc)
    start = min(max(_power_start(emp, loc), 0.05), 50.0)
    values, edges = _maximise(stats.zipfian, emp, ["a", "n"], {"n": n}, [_Free("a", "nonneg", start)], loc=loc)
    note = ""
    if edges.get("a") == "low" or n == 1:
        # a = 0 (the uniform on 1..n) is allowed; the log transform only reaches 1e-8, so compare.
        if n == 1 or _loglik(stats.zipfian, emp, [0.0, n], loc) >= _loglik(stats.zipfian, emp, [values["a"], n], loc):
            values["a"] = 0.0
            note = "a = 0, the boundary: the uniform on 1..n fits at least as well as any decreasing power law"
    elif edges:
        note = _edge_note(edges, {("a", "high"): "nearly every value is the smallest one, 1 + loc"})
    values["n"] = n
    return _model("zipfian", stats.zipfian, ["a", "n"], values, 1, _join(n_note, note), loc=loc)


# ===================================================================== dlaplace


def _fit_dlaplace(emp: Empirical, options: Options) -> FittedModel:
    a = _real_option(options, "dlaplace", "a", "pos")
    if a is not None:
        return _model("dlaplace", stats.dlaplace, ["a"], {"a": a}, 0)
    mean_abs = float(np.dot(emp.probs, np.abs(emp.support)))
    # pmf = tanh(a/2) exp(-a|k|): the MLE solves E|K| = 2q / (1 - q²) with q = exp(-a), i.e. a = asinh(1 / mean|k|).
    if mean_abs == 0:
        return _model("dlaplace", stats.dlaplace, ["a"], {"a": HIGH_CAP}, 1, "every value is 0: a capped at 1e6")
    return _model("dlaplace", stats.dlaplace, ["a"], {"a": math.asinh(1 / mean_abs)}, 1)


# ====================================================================== skellam


def _skellam_logpmf(k: np.ndarray, mu1: float, mu2: float, loc: float = 0.0) -> np.ndarray:
    """scipy's skellam log-pmf through the scaled Bessel function, about 20× cheaper than scipy's (ncx2) one.

    log P(k) = -(mu1 + mu2) + (k/2) log(mu1/mu2) + log I_|k|(z), z = 2 sqrt(mu1 mu2), with
    log I_n(z) = log ive(n, z) + z. Cells where ``ive`` underflows (a huge |k| for a tiny z) are
    left to scipy's own log-pmf.
    """
    k = np.asarray(k, dtype=float) - loc
    z = 2.0 * math.sqrt(mu1 * mu2)
    with np.errstate(all="ignore"):
        value = -(mu1 + mu2) + 0.5 * k * (math.log(mu1) - math.log(mu2)) + np.log(special.ive(np.abs(k), z)) + z
    bad = ~np.isfinite(value)
    if np.any(bad):
        value[bad] = stats.skellam.logpmf(k[bad], mu1, mu2)
    return value


def _skellam_profile(emp: Empirical, high: float) -> tuple[dict[str, float], dict[str, str]]:
    """MLE of (mu1, mu2) on the line mu1 - mu2 = mean, by a bounded search over log(mu1 + mu2 - |mean|).

    The score equations give μ1·∂ℓ/∂μ1 - μ2·∂ℓ/∂μ2 = Σ count (k - μ1 + μ2), so every interior
    maximum has mu1 - mu2 = mean exactly: a one-dimensional problem in the total mu1 + mu2.
    """
    mean = emp.mean()
    scale = 1.0 / emp.total

    def split(u: float) -> tuple[float, float]:
        total = abs(mean) + math.exp(u)
        return max((total + mean) / 2, LOW_CAP), max((total - mean) / 2, LOW_CAP)

    def negative_loglik(u: float) -> float:
        value = -weighted_loglik(_skellam_logpmf(emp.support, *split(u)), emp.counts) * scale
        return value if math.isfinite(value) else 1e300

    low, top = math.log(2 * LOW_CAP), math.log(2 * high)
    result = optimize.minimize_scalar(negative_loglik, bounds=(low, top), method="bounded",
                                      options={"xatol": 1e-10, "maxiter": 500})
    candidates = [float(result.x), low]  # Brent stops a hair inside the bound; the bound itself is the Poisson limit
    u = min(candidates, key=negative_loglik)
    mu1, mu2 = split(u)
    edges = {}
    if u <= low + 1e-6 or min(mu1, mu2) <= 2 * LOW_CAP:
        edges["mu2" if mu2 <= mu1 else "mu1"] = "low"
    elif max(mu1, mu2) >= high / 2:
        edges["mu1" if mu1 >= mu2 else "mu2"] = "high"
    return {"mu1": mu1, "mu2": mu2}, edges


def _fit_skellam(emp: Empirical, options: Options) -> FittedModel:
    fixed = {key: value for key in ("mu1", "mu2") if (value := _real_option(options, "skellam", key, "pos")) is not None}
    mean, var = emp.mean(), emp.var()
    high = max(HIGH_CAP, 100 * (var + abs(mean)))  # the scale of mu1, mu2 is the data's
    limits = {("mu1", "low"): "the data look like a negated Poisson (mu1 → 0)",
              ("mu2", "low"): "the data look like a Poisson (mu2 → 0)"}
    if not fixed:
        values, edges = _skellam_profile(emp, high)
        free_count = 2
    else:
        floor = 1e-2 * max(1.0, abs(mean))
        starts = {"mu1": max(fixed.get("mu2", 0.0) + mean, floor), "mu2": max(fixed.get("mu1", 0.0) - mean, floor)}
        free = [_Free(key, "pos", starts[key], high) for key in ("mu1", "mu2") if key not in fixed]
        values, edges = _maximise(_skellam_logpmf, emp, ["mu1", "mu2"], fixed, free)
        free_count = len(free)
    mu1, mu2 = values["mu1"], values["mu2"]
    return _model("skellam", stats.skellam, ["mu1", "mu2"], values, free_count, _edge_note(edges, limits),
                  logpmf=lambda k: _skellam_logpmf(k, mu1, mu2))


# ==================================================================== boltzmann
def _boltzmann_check(emp: Empirical, options: Options) -> str | None:
    reason = require_integer_support(emp, "boltzmann", minimum=0) or _integer_reason(options, ["N"])
    if reason:
        return reason
    size = integer_option(options, "N", int(emp.high) + 1)
    if size < emp.high + 1:
        return f"boltzmann(N={size}) has support 0..{size - 1}, which leaves out {emp.high:g}; declare N ≥ {emp.high + 1:g}"
    return _option_reason(options, "boltzmann", {"lambda_": "pos"})


def _boltzmann_mean(lam: float, size: int) -> float:
    """The mean of boltzmann(lam, size): 1 / (e^lam - 1) - size / (e^(lam size) - 1), without overflow."""
    return math.exp(-lam) / -math.expm1(-lam) - size * math.exp(-lam * size) / -math.expm1(-lam * size)


def _boltzmann_lambda(mean: float, size: int) -> float:
    """The maximum likelihood lambda_ of boltzmann(lambda_, N=size) for data with this ``mean``.

    A one-parameter exponential family in lambda_ with sufficient statistic k: the likelihood is
    concave and its maximum is where the model's mean equals the data's, a root that Brent finds
    in log lambda_. Kept within [1e-8, 1e6]: the mean can reach (N - 1)/2 only as lambda_ → 0 (the
    uniform), and 0 only as lambda_ → ∞.

    Examples
    --------
    >>> lam = _boltzmann_lambda(2.0, 10)
    >>> round(lam, 6), round(_boltzmann_mean(lam, 10), 12)
    (0.36569, 2.0)
    """
    if mean <= 0:
        return HIGH_CAP
    if mean >= _boltzmann_mean(LOW_CAP, size):
        return LOW_CAP
    log_lam = optimize.brentq(lambda u: _boltzmann_mean(math.exp(u), size) - mean, _LOG_LOW, _LOG_HIGH, xtol=1e-14)
    return math.exp(log_lam)


def _fit_boltzmann(emp: Empirical, options: Options) -> FittedModel:
    size = integer_option(options, "N", int(emp.high) + 1)
    lam = _real_option(options, "boltzmann", "lambda_", "pos")
    n_note = _fixed_from_data("N", size, options, "the largest observed value + 1")
    if lam is not None:
        return _model("boltzmann", stats.boltzmann, ["lambda_", "N"], {"lambda_": lam, "N": size}, 0, n_note)
    values, edges = {"lambda_": _boltzmann_lambda(emp.mean(), size), "N": size}, {}
    if values["lambda_"] <= LOW_CAP:
        edges["lambda_"] = "low"
    elif values["lambda_"] >= HIGH_CAP:
        edges["lambda_"] = "high"
    limits = {("lambda_", "low"): "the mean is at or above the middle of 0..N-1, so the fit tends to the uniform",
              ("lambda_", "high"): "nearly every value is 0"}
    return _model("boltzmann", stats.boltzmann, ["lambda_", "N"], values, 1, _join(n_note, _edge_note(edges, limits)))


# ======================================================================= planck


def _fit_planck(emp: Empirical, options: Options) -> FittedModel:
    lam = _real_option(options, "planck", "lambda_", "pos")
    if lam is not None:
        return _model("planck", stats.planck, ["lambda_"], {"lambda_": lam}, 0)
    mean = emp.mean()
    if mean == 0:
        return _model("planck", stats.planck, ["lambda_"], {"lambda_": HIGH_CAP}, 1, "every value is 0: lambda_ capped at 1e6")
    return _model("planck", stats.planck, ["lambda_"], {"lambda_": math.log(1 + 1 / mean)}, 1)  # closed-form MLE


# ============================================== hypergeometric: declared integers
def _declared(family: str, options: Options, keys: Sequence[str], words: str) -> tuple[dict[str, int] | None, str | None]:
    if any(options.get(key) is None for key in keys):
        return None, f"{family} needs {words} declared as options"
    reason = _integer_reason(options, keys)
    if reason:
        return None, reason
    return {key: integer_option(options, key, 0) for key in keys}, None


def _support_reason(family: str, emp: Empirical, declared: dict[str, int], low: int, high: int) -> str | None:
    reason = require_integer_support(emp, family)
    if reason:
        return reason
    shown = ", ".join(f"{key}={value}" for key, value in declared.items())
    outside = emp.support[(emp.support < low) | (emp.support > high)]
    if outside.size:
        return f"{family}({shown}) has support {low}..{high}, which leaves out {outside[0]:g}, observed"
    return None


_HYPERGEOM_WORDS = "the population size M, number of success states n and draws N"


def _hypergeom_args(family: str, options: Options) -> tuple[dict[str, int] | None, str | None]:
    declared, reason = _declared(family, options, ("M", "n", "N"), _HYPERGEOM_WORDS)
    if reason:
        return None, reason
    big_m, n, draws = declared["M"], declared["n"], declared["N"]
    if big_m < 1 or not 0 <= n <= big_m or not 0 <= draws <= big_m:
        return None, f"{family} needs M ≥ 1, 0 ≤ n ≤ M and 0 ≤ N ≤ M; got M={big_m}, n={n}, N={draws}"
    return declared, None


def _hypergeom_support(declared: dict[str, int]) -> tuple[int, int]:
    big_m, n, draws = declared["M"], declared["n"], declared["N"]
    return max(0, draws - (big_m - n)), min(n, draws)


def _hypergeom_check(emp: Empirical, options: Options) -> str | None:
    declared, reason = _hypergeom_args("hypergeom", options)
    return reason or _support_reason("hypergeom", emp, declared, *_hypergeom_support(declared))


def _fit_hypergeom(emp: Empirical, options: Options) -> FittedModel:
    declared, _ = _hypergeom_args("hypergeom", options)
    return _model("hypergeom", stats.hypergeom, ["M", "n", "N"], declared, 0, "all parameters declared; nothing fitted")


def _nhypergeom_args(options: Options) -> tuple[dict[str, int] | None, str | None]:
    declared, reason = _declared("nhypergeom", options, ("M", "n", "r"),
                                 "the population size M, number of success states n and failures to stop at r")
    if reason:
        return None, reason
    big_m, n, r = declared["M"], declared["n"], declared["r"]
    if big_m < 1 or not 0 <= n <= big_m or not 0 <= r <= big_m - n:
        return None, f"nhypergeom needs M ≥ 1, 0 ≤ n ≤ M and 0 ≤ r ≤ M - n; got M={big_m}, n={n}, r={r}"
    return declared, None


def _nhypergeom_check(emp: Empirical, options: Options) -> str | None:
    declared, reason = _nhypergeom_args(options)
    return reason or _support_reason("nhypergeom", emp, declared, 0, declared["n"])


def _fit_nhypergeom(emp: Empirical, options: Options) -> FittedModel:
    declared, _ = _nhypergeom_args(options)
    return _model("nhypergeom", stats.nhypergeom, ["M", "n", "r"], declared, 0, "all parameters declared; nothing fitted")


def _noncentral(family: str, label: str, dist: Any, kind: str) -> _Family:
    """The row for a noncentral hypergeometric family: M, n, N declared, the odds ratio fitted."""

    def check(emp: Empirical, options: Options) -> str | None:
        declared, reason = _hypergeom_args(family, options)
        return (reason or _support_reason(family, emp, declared, *_hypergeom_support(declared))
                or _option_reason(options, family, {"odds": "pos"}))

    def fitter(emp: Empirical, options: Options) -> FittedModel:
        declared, _ = _hypergeom_args(family, options)
        odds = _real_option(options, family, "odds", "pos")
        shapes = ["M", "n", "N", "odds"]
        if odds is not None:
            return _model(family, dist, shapes, {**declared, "odds": odds}, 0)
        values, edges = _maximise(dist, emp, shapes, dict(declared), [_Free("odds", "pos", 1.0)])
        values.update(declared)
        limits = {("odds", "low"): "the data sit at the smallest value the support allows",
                  ("odds", "high"): "the data sit at the largest value the support allows"}
        return _model(family, dist, shapes, values, 1, _edge_note(edges, limits))

    return _Family(
        name=family, label=label, parameters=("M", "n", "N", "odds"),
        how_fitted=f"M, n, N are declared as options; the odds ratio ({kind}) by numerical maximum likelihood from odds = 1",
        fitter=fitter, support=_hypergeom_support_of, checker=check,
    )

# ==================================================================== the table
@dataclass(frozen=True)
class _Family:
    """One discrete family as registered: its words, its fitter, its support and how its data are checked.

    Unless the family has its own ``checker`` (whole-number options to read first), the
    data must be whole numbers in [``minimum``, ``maximum``] (or ≥ 1 + loc when
    ``shifted``) and every ``fixable`` option a number in its domain.
    """

    name: str
    label: str
    parameters: tuple[str, ...]
    how_fitted: str
    fitter: Callable[[Empirical, Options], FittedModel]
    support: Callable[[Empirical, Options], tuple[float, float]]
    fixable: dict[str, str] = field(default_factory=dict)  # continuous parameter -> its domain (_DOMAINS)
    minimum: int | None = None
    maximum: int | None = None
    shifted: bool = False  # values 1, 2, … moved by an integer loc option
    checker: Callable[[Empirical, Options], str | None] | None = None
    options: tuple[str, ...] | None = None  # the options a user may set (default: the parameters)
    default: bool = False

    def check(self, emp: Empirical, options: Options) -> str | None:
        """Why this family cannot be fitted to ``emp`` with ``options``, or None."""
        if self.checker is not None:
            return self.checker(emp, options)
        support = (_shifted_check(self.name, emp, options) if self.shifted
                   else require_integer_support(emp, self.name, minimum=self.minimum, maximum=self.maximum))
        return support or _option_reason(options, self.name, self.fixable)

    def spec(self) -> ModelSpec:
        return ModelSpec(
            name=self.name, label=self.label, group="discrete", kinds=DISCRETE, parameters=self.parameters,
            how_fitted=self.how_fitted, fitter=self.fitter, checker=self.check, support=self.support,
            default=self.default, options=self.options or self.parameters,
        )


_FAMILIES: tuple[_Family, ...] = (
    _Family(
        name="poisson", label="Poisson", parameters=("mu",),
        how_fitted="mu = mean, the closed-form maximum likelihood estimate", fitter=_fit_poisson,
        support=_non_negative_support, fixable={"mu": "nonneg"}, minimum=0, default=True,
    ),
    _Family(
        name="geom", label="Geometric (failures)", parameters=("p",),
        how_fitted="failures before the first success (0, 1, 2, …); p = 1 / (1 + mean), the closed-form maximum likelihood estimate",
        fitter=_fit_geom, support=_non_negative_support, fixable={"p": "prob_open_left"}, minimum=0,
    ),
    _Family(
        name="nbinom", label="Negative binomial", parameters=("n", "p"),
        how_fitted="maximum likelihood: real n > 0 by a one-dimensional search with p = n / (n + mean), its closed-form MLE "
                   "given n (n capped at 1e6, the Poisson limit, when variance ≤ mean)",
        fitter=_fit_nbinom, support=_non_negative_support, fixable={"n": "pos", "p": "prob_open_left"}, minimum=0,
    ),
    _Family(
        name="bernoulli", label="Bernoulli", parameters=("p",),
        how_fitted="values 0 and 1; p = mean, the closed-form maximum likelihood estimate", fitter=_fit_bernoulli,
        support=_bernoulli_support, fixable={"p": "prob_closed"}, minimum=0, maximum=1,
    ),
    _Family(
        name="betabinom", label="Beta-binomial", parameters=("n", "a", "b"),
        how_fitted="n is declared (default: the largest observed value); a, b > 0 by maximum likelihood: Newton's "
                   "method with the exact score and Hessian from the method of moments, Nelder–Mead near an edge or the "
                   "binomial limit",
        fitter=_fit_betabinom, support=_betabinom_support, checker=_betabinom_check,
    ),
    _Family(
        name="betanbinom", label="Beta-negative binomial", parameters=("n", "a", "b"),
        how_fitted="a, b > 0 by numerical maximum likelihood from the negative binomial's moments; whole n ≥ 1 (scipy "
                   "accepts no other) declared or chosen by maximum likelihood: the best whole number next to the real-n optimum",
        fitter=_fit_betanbinom, support=_non_negative_support, checker=_betanbinom_check,
    ),
    _Family(
        name="logser", label="Logarithmic series", parameters=("p",), options=("p", "loc"),
        how_fitted="values 1, 2, … (shift with loc); p by numerical maximum likelihood through the logit",
        fitter=_fit_logser, support=_shifted_support, fixable={"p": "prob"}, shifted=True,
    ),
    _Family(
        name="zipf", label="Zipf (zeta)", parameters=("a",), options=("a", "loc"),
        how_fitted="values 1, 2, … (shift with loc); a > 1 by numerical maximum likelihood through log(a - 1)",
        fitter=_fit_zipf, support=_shifted_support, fixable={"a": "gt1"}, shifted=True,
    ),
    _Family(
        name="yulesimon", label="Yule–Simon", parameters=("alpha",), options=("alpha", "loc"),
        how_fitted="values 1, 2, … (shift with loc); alpha > 0 by numerical maximum likelihood started from the moments",
        fitter=_fit_yulesimon, support=_shifted_support, fixable={"alpha": "pos"}, shifted=True,
    ),
    _Family(
        name="zipfian", label="Zipfian (finite Zipf)", parameters=("a", "n"), options=("a", "n", "loc"),
        how_fitted="values 1..n (shift with loc); n is declared (default: the largest observed value); "
                   "a ≥ 0 by numerical maximum likelihood",
        fitter=_fit_zipfian, support=_zipfian_support, checker=_zipfian_check,
    ),
    _Family(
        name="dlaplace", label="Discrete Laplace", parameters=("a",),
        how_fitted="all integers, centred at 0; a = asinh(1 / mean|k|), the closed-form maximum likelihood estimate",
        fitter=_fit_dlaplace, support=_all_integers_support, fixable={"a": "pos"},
    ),
    _Family(
        name="skellam", label="Skellam", parameters=("mu1", "mu2"),
        how_fitted="all integers (difference of two Poissons); mu1, mu2 > 0 by maximum likelihood on the line "
                   "mu1 - mu2 = mean, where the score equations put it, by a one-dimensional search over mu1 + mu2",
        fitter=_fit_skellam, support=_all_integers_support, fixable={"mu1": "pos", "mu2": "pos"},
    ),
    _Family(
        name="boltzmann", label="Boltzmann (truncated geometric)", parameters=("lambda_", "N"),
        how_fitted="values 0..N-1 with N declared (default: the largest observed value + 1); "
                   "lambda_ > 0 by maximum likelihood: the root where the model's mean equals the data's",
        fitter=_fit_boltzmann, support=_boltzmann_support, checker=_boltzmann_check,
    ),
    _Family(
        name="planck", label="Planck (discrete exponential)", parameters=("lambda_",),
        how_fitted="values 0, 1, 2, …; lambda_ = log(1 + 1 / mean), the closed-form maximum likelihood estimate",
        fitter=_fit_planck, support=_non_negative_support, fixable={"lambda_": "pos"}, minimum=0,
    ),
    _Family(
        name="hypergeom", label="Hypergeometric", parameters=("M", "n", "N"),
        how_fitted="nothing fitted: the population size M, success states n and draws N are declared as options",
        fitter=_fit_hypergeom, support=_hypergeom_support_of, checker=_hypergeom_check,
    ),
    _Family(
        name="nhypergeom", label="Negative hypergeometric", parameters=("M", "n", "r"),
        how_fitted="nothing fitted: the population size M, success states n and failures to stop at r are declared as options",
        fitter=_fit_nhypergeom, support=_nhypergeom_support_of, checker=_nhypergeom_check,
    ),
    _noncentral("nchypergeom_fisher", "Fisher's noncentral hypergeometric", stats.nchypergeom_fisher, "Fisher's"),
    _noncentral("nchypergeom_wallenius", "Wallenius' noncentral hypergeometric", stats.nchypergeom_wallenius,
                "Wallenius'"),
)

for _family in _FAMILIES:
    register(_family.spec())
