"""The two models of the worm-teeth story: the discrete uniform and the binomial.

Uniform: equal mass on every integer of [low, high] (default the observed min..max;
the user may declare, e.g., 0..10), equal mass per category for labels, and the
continuous uniform on [min, max] for binned data. Binomial: ``n`` is the declared
number of trials (default the largest observed value) and p = mean / n, its maximum
likelihood estimate.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from kl_core.empirical import Empirical
from kl_core.models.base import FittedModel, Options, integer_option, number_option, require_integer_support
from kl_core.models.base import ModelSpec
from kl_core.models.registry import register
from kl_core.errors import DataError

__all__ = ["BINOMIAL", "UNIFORM"]


def _uniform_check(emp: Empirical, options: Options) -> str | None:
    if options.get("over") == "observed" and {"low", "high"} & set(options):
        return "uniform over the observed values takes no low/high; drop them or use over='range'"
    if emp.kind != "discrete" or not emp.is_integer:
        if emp.kind == "discrete" and not {"low", "high"} & set(options):
            return None  # non-integer discrete values: equal mass on the observed points
        return None if emp.kind != "discrete" else "a declared range low..high needs whole-number data"
    low = integer_option(options, "low", int(emp.low))
    high = integer_option(options, "high", int(emp.high))
    if low > high:
        return f"uniform needs low ≤ high; got low={low}, high={high}"
    if high - low > 10_000_000:
        return f"uniform over {high - low + 1:,} integers is too wide to be useful; declare a narrower range"
    return None


def _fit_uniform(emp: Empirical, options: Options) -> FittedModel:
    if emp.kind == "categorical":
        categories = set(emp.support.tolist())
        mass = 1.0 / len(categories)
        return FittedModel(
            "uniform", {"categories": len(categories)}, 0,
            pmf_function=lambda values: np.array([mass if v in categories else 0.0 for v in values]),
        )
    if emp.kind == "binned":
        low, high = emp.low, emp.high
        frozen = stats.uniform(loc=low, scale=high - low)
        return FittedModel("uniform", {"low": low, "high": high}, 2, cdf_function=frozen.cdf, continuous=True,
                           logcdf_function=frozen.logcdf, logsf_function=frozen.logsf)
    over = options.get("over", "range")
    if over not in ("range", "observed"):
        raise DataError(f"uniform option over must be 'range' (every integer low..high) or 'observed' (the observed values); got {over!r}")
    if not emp.is_integer or over == "observed":
        points = emp.support.copy()
        return FittedModel(
            "uniform", {"points": points.size}, 0,
            pmf_function=lambda values: np.where(np.isin(values, points), 1.0 / points.size, 0.0),
            label=f"uniform over the {points.size} observed values",
        )
    declared = {"low", "high"} & set(options)
    low = integer_option(options, "low", int(emp.low))
    high = integer_option(options, "high", int(emp.high))
    frozen = stats.randint(low, high + 1)
    # Whole-number bounds are fixed from the data or declared, never fitted: 0 free parameters.
    note = "" if declared else "range taken from the observed minimum and maximum"
    return FittedModel("uniform", {"low": low, "high": high}, 0, frozen.pmf, frozen.cdf, note=note, logpmf_function=frozen.logpmf)


UNIFORM = register(ModelSpec(
    name="uniform", label="Uniform", group="simple",
    kinds=frozenset({"discrete", "categorical", "binned"}), parameters=("low", "high"),
    how_fitted="equal mass on every integer of [low, high] (default: observed min..max; over='observed': on each "
               "observed value), on every category, or the continuous uniform on [min, max] for binned data",
    fitter=_fit_uniform, checker=_uniform_check, default=True, options=("low", "high", "over"),
))


def _binomial_check(emp: Empirical, options: Options) -> str | None:
    reason = require_integer_support(emp, "binomial", minimum=0)
    if reason:
        return reason
    n = integer_option(options, "n", int(emp.high))
    p = number_option(options, "p")
    if p is not None and not 0 <= p <= 1:
        return f"binomial p must be between 0 and 1; got {p}"
    if n < emp.high:
        return f"binomial(n={n}) gives 0 probability to {emp.high:g}, which was observed; declare n ≥ {emp.high:g}"
    if n < 1:
        return "binomial needs at least one trial; every observed value is 0, so declare n"
    return None


def _binomial_support(emp: Empirical, options: Options) -> tuple[float, float]:
    return 0.0, float(integer_option(options, "n", int(emp.high)))


def _fit_binomial(emp: Empirical, options: Options) -> FittedModel:
    n = integer_option(options, "n", int(emp.high))
    p = number_option(options, "p")
    if p is not None:
        if not 0 <= p <= 1:
            raise DataError(f"binomial p must be between 0 and 1; got {p}")
        fitted = 0
    else:
        p, fitted = emp.mean() / n, 1
    frozen = stats.binom(n, p)
    note = "" if "n" in options else f"n = {n}, the largest observed value"
    return FittedModel("binomial", {"n": n, "p": p}, fitted, frozen.pmf, frozen.cdf, note=note, logpmf_function=frozen.logpmf)


BINOMIAL = register(ModelSpec(
    name="binomial", label="Binomial", group="simple", kinds=frozenset({"discrete"}), parameters=("n", "p"),
    how_fitted="n is declared (default: the largest observed value); p = mean / n, the maximum likelihood estimate",
    fitter=_fit_binomial, checker=_binomial_check, default=True, options=("n", "p"), support=_binomial_support,
))
