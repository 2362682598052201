"""Zero-inflated counts: a share π of "structural" zeros mixed with a Poisson or negative binomial.

``fit(emp, "zero_inflated", family="poisson")`` models
``P(0) = π + (1 − π) f(0)`` and ``P(x) = (1 − π) f(x)`` for x ≥ 1, with f the Poisson(mu) or
the negative binomial(n, p) of scipy; π ∈ [0, 1). Fits are maximum likelihood on the
(value, count) pairs:

* **Poisson** (2 parameters): with z the share of zeros and m the mean, the likelihood
  equations reduce to one equation in mu, ``mu (1 − z) = m (1 − e^{−mu})`` (Lambert 1992),
  solved by ``scipy.optimize.brentq``; then ``π = 1 − m / mu``. When the data have no more
  zeros than the Poisson itself gives, π = 0 and mu = m: the plain Poisson (said in a note).
* **Negative binomial** (3 parameters): Nelder–Mead on (logit π, log n, logit p) from
  several starts (the negative binomial's moments with π = 0 and with π from the excess
  zeros); π at its lower edge means no extra zeros (said in a note).

The model is a two-component :class:`~kl_core.models.mixture.Mixture` (a point mass at 0
and the count family), so it has the same log-space interface as every mixture.

Examples
--------
>>> from kl_core.models import fit
>>> emp = Empirical.from_counts([0, 1, 2, 3, 4, 5], [60, 15, 14, 7, 3, 1])
>>> model = fit(emp, "zero_inflated", family="poisson")
>>> model.label, round(model.params["pi"], 3), round(model.params["mu"], 3)
('Poisson with extra zeros', 0.502, 1.627)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize, stats

from kl_core.empirical import Empirical
from kl_core.models.base import ModelSpec, Options, expit, logit, minimize_nll, require_integer_support, weighted_loglik
from kl_core.models.mixture import Mixture, MixtureModel, mixture_model
from kl_core.models.registry import register

__all__ = ["FAMILY_WORDS", "zero_inflated_loglik", "zip_mle", "zinb_mle"]

FAMILY_WORDS = {"poisson": "Poisson", "nbinom": "negative binomial"}
_ZERO = stats.randint(0, 1)  # all mass on 0
_EDGE_PI = 1e-6  # π below this after a numerical fit is "no extra zeros"
_LOG_CAP = math.log(1e6)  # negative binomial n stays in [1e-6, 1e6]


def zero_inflated_mixture(pi: float, count: Any) -> Mixture:
    """The mixture of a point mass at 0 (weight π) and the frozen count distribution ``count``."""
    return Mixture(np.array([pi, 1.0 - pi]), (_ZERO, count), False)


def zero_inflated_loglik(emp: Empirical, pi: float, count: Any) -> float:
    """Σ count · log P(value) under the zero-inflated model (nats); ``count`` a frozen scipy family.

    Examples
    --------
    >>> emp = Empirical.from_counts([0, 1], [3, 1])
    >>> round(zero_inflated_loglik(emp, 0.0, stats.poisson(1.0)), 6) == round(float(stats.poisson(1.0).logpmf([0, 0, 0, 1]).sum()), 6)
    True
    """
    return _loglik(emp, pi, count.logpmf(emp.support))


def _loglik(emp: Empirical, pi: float, log_f: np.ndarray) -> float:
    """The weighted log-likelihood from the count family's log mass at the support."""
    with np.errstate(divide="ignore"):
        log_keep, log_pi = math.log1p(-pi), (math.log(pi) if pi > 0 else -math.inf)
        log_mass = log_keep + np.asarray(log_f, dtype=float)
        log_mass = np.where(emp.support == 0, np.logaddexp(log_pi, log_mass), log_mass)
    return weighted_loglik(log_mass, emp.counts)


def zip_mle(emp: Empirical) -> tuple[float, float]:
    """(π, mu): the zero-inflated Poisson's maximum likelihood estimate.

    Examples
    --------
    >>> zip_mle(Empirical.from_counts([0, 1, 2], [1, 2, 1]))  # fewer zeros than a Poisson gives
    (0.0, 1.0)
    """
    mean = emp.mean()
    zeros = float(emp.probs[emp.support == 0].sum())
    if zeros <= math.exp(-mean):
        return 0.0, mean  # no excess zeros: the boundary π = 0 is the maximum
    # mu(1 − z) = m(1 − e^{−mu}) has one root above 0 when z > e^{−m}; it lies in (m, m / (1 − z)].
    equation = lambda mu: mu * (1 - zeros) - mean * -math.expm1(-mu)  # noqa: E731
    mu = optimize.brentq(equation, mean, mean / (1 - zeros), xtol=1e-14, rtol=4 * np.finfo(float).eps)
    return 1 - mean / mu, mu


def zinb_mle(emp: Empirical) -> tuple[float, float, float]:
    """(π, n, p): the zero-inflated negative binomial's maximum likelihood estimate (numerical)."""
    mean, var = emp.mean(), emp.var()
    zeros = float(emp.probs[emp.support == 0].sum())
    positive_mean = mean / max(1 - zeros, 1e-9)

    def negative_loglik(theta: np.ndarray) -> float:
        pi = expit(theta[0])
        n = math.exp(min(max(theta[1], -_LOG_CAP), _LOG_CAP))
        with np.errstate(all="ignore"):
            log_f = stats.nbinom.logpmf(emp.support, n, expit(theta[2]))
        return -_loglik(emp, pi, log_f) / emp.total

    starts = []
    for pi, centre in ((1e-3, mean), (max(zeros - 0.05, 1e-3), positive_mean), (max(zeros / 2, 1e-3), (mean + positive_mean) / 2)):
        spread = max(var, centre * 1.05)
        n = centre**2 / max(spread - centre, 1e-6)
        starts.append([logit(pi), math.log(min(max(n, 1e-3), 1e5)), logit(n / (n + centre))])
    best = min((minimize_nll(negative_loglik, start) for start in starts), key=negative_loglik)
    best = minimize_nll(negative_loglik, best)  # a restart from the best point polishes Nelder–Mead
    pi = expit(best[0])
    return (0.0 if pi < _EDGE_PI else pi), math.exp(min(max(best[1], -_LOG_CAP), _LOG_CAP)), expit(best[2])


def _check(emp: Empirical, options: Options) -> str | None:
    family = str(options.get("family") or "poisson")
    if family not in FAMILY_WORDS:
        return f"zero_inflated family must be poisson or nbinom; got {family!r}"
    reason = require_integer_support(emp, f"{FAMILY_WORDS[family]} with extra zeros", minimum=0)
    if reason:
        return reason
    if not np.any(emp.support == 0):
        return f"no zeros were observed, so {FAMILY_WORDS[family]} with extra zeros is the plain {family}; fit {family}"
    if emp.high == 0:
        return "every value is 0: extra zeros cannot be told apart from the count family's own"
    if family == "nbinom" and emp.k < 3:
        return "a negative binomial with extra zeros needs at least 3 distinct values"
    return None


def _fit(emp: Empirical, options: Options) -> MixtureModel:
    family = str(options.get("family") or "poisson")
    words = FAMILY_WORDS[family]
    if family == "poisson":
        pi, mu = zip_mle(emp)
        count, params, fitted = stats.poisson(mu), {"pi": pi, "mu": mu}, 2
    else:
        pi, n, p = zinb_mle(emp)
        count, params, fitted = stats.nbinom(n, p), {"pi": pi, "n": n, "p": p}, 3
    note = f"no more zeros than the {words} itself gives: π = 0, the plain {words}" if pi == 0 else ""
    extra = {"family": family, "components": [
        {"weight": pi, "params": {"value": 0}, "label": f"extra zeros, weight {pi:.3g}"},
        {"weight": 1 - pi, "params": {k: v for k, v in params.items() if k != "pi"}, "label": f"{words}, weight {1 - pi:.3g}"},
    ]}
    return mixture_model("zero_inflated", zero_inflated_mixture(pi, count), params, fitted,
                         f"{words} with extra zeros", note, extra)


register(ModelSpec(
    name="zero_inflated", label="Extra zeros", group="mixtures", kinds=frozenset({"discrete"}),
    parameters=("pi", "mu", "n", "p"),
    how_fitted="a share π of extra zeros mixed with a Poisson (mu; one-dimensional root of the likelihood equations) "
               "or negative binomial (n, p; Nelder–Mead from three starts); maximum likelihood on the counts",
    fitter=_fit, checker=_check, options=("family",),
))
