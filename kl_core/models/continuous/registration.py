"""Registry entries: every catalogue family, the ``_3p`` forms, and the discretised families."""

from __future__ import annotations

from typing import Callable

import numpy as np

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.models.base import FittedModel, ModelSpec, Options, require_integer_support, time_limit
from kl_core.models.continuous.catalogue import CATALOGUE, LABELS, SHORTLIST, THREE_PARAMETER, Family, family, positive_support
from kl_core.models.continuous.closed_forms import CLOSED_FORMS
from kl_core.models.continuous.fitting import continuous_checker, continuous_fitter, fixed_parameters
from kl_core.models.continuous.search import cells, frozen_cell_mass, search
from kl_core.models.registry import register

__all__ = ["DISCRETISED", "DISCRETISED_BASES"]

_HOW_CLOSED = "maximum likelihood on the raw values (weighted by their counts): a closed form, or Newton's method on the score equations"
_HOW_SEARCH = (
    "maximum likelihood on the raw values (weighted by their counts; beyond 5,000 distinct values on a weighted summary whose "
    "log-likelihood is theirs to ~1e-9), searched by Nelder–Mead from robust starts with a budget of likelihood evaluations"
)
_LOC_ZERO = "; loc = 0 on positive data (R's 2-parameter form)"


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def _register(name: str, default: bool) -> None:
    fam = family(name)
    positive = positive_support(fam)
    register(ModelSpec(
        name=name, label=_label(name), group="continuous", kinds=frozenset({"binned"}), parameters=fam.parameters,
        how_fitted=(_HOW_CLOSED if name in CLOSED_FORMS else _HOW_SEARCH) + (_LOC_ZERO if positive else ""),
        fitter=continuous_fitter(fam, name), checker=continuous_checker(fam), default=default,
        options=(*fam.parameters, "time_limit"),
    ))


def _register_three_parameter(base: str) -> None:
    fam = family(base)
    name = f"{base}_3p"
    register(ModelSpec(
        name=name, label=f"{_label(base)} (3-parameter)", group="continuous", kinds=frozenset({"binned"}),
        parameters=fam.parameters, how_fitted=_HOW_SEARCH + "; the threshold loc is fitted too",
        fitter=continuous_fitter(fam, name, threshold=True), checker=continuous_checker(fam, threshold=True),
        default=False, options=(*fam.parameters, "time_limit"),
    ))


for _name in CATALOGUE:
    _register(_name, default=_name in SHORTLIST)
for _base in THREE_PARAMETER:
    _register_three_parameter(_base)


# --------------------------------------------------------- discretised families
DISCRETISED_BASES: tuple[str, ...] = ("norm", "lognorm", "gamma", "expon")
DISCRETISED: tuple[str, ...] = tuple(f"{base}_discretised" for base in DISCRETISED_BASES)


def _discretised_fitter(fam: Family, name: str) -> Callable[[Empirical, Options], FittedModel]:
    def fit(emp: Empirical, options: Options) -> FittedModel:
        fixed = fixed_parameters(fam, options, threshold=True)
        data = cells(emp.support - 0.5, emp.support + 0.5, emp.counts, emp.n)
        params = search(fam, data, fixed, time_limit(options)).params
        frozen = fam.dist(*[params[s] for s in fam.shape_names], loc=params["loc"], scale=params["scale"])

        def pmf(k: np.ndarray) -> np.ndarray:
            k = np.asarray(k, dtype=float)
            return np.where(k == np.round(k), frozen_cell_mass(frozen, k - 0.5, k + 0.5), 0.0)

        def cdf(x: np.ndarray) -> np.ndarray:
            return frozen.cdf(np.floor(np.asarray(x, dtype=float)) + 0.5)

        note = f"fixed: {', '.join(f'{k}={v:g}' for k, v in fixed.items())}" if fixed else ""
        model = FittedModel(
            name, params, len(fam.parameters) - len(fixed), pmf_function=pmf, cdf_function=cdf, note=note,
            extra={"frozen": frozen},
        )
        with np.errstate(all="ignore"):
            mass = model.mass(emp)
        if not np.all(np.isfinite(mass)) or float(mass[emp.counts > 0].sum()) <= 0:
            raise DataError(f"{name}: the fitted distribution gives the observed values no finite positive probability")
        return model

    return fit


def _discretised_checker(fam: Family, name: str) -> Callable[[Empirical, Options], str | None]:
    def check(emp: Empirical, options: Options) -> str | None:
        reason = require_integer_support(emp, name)
        if reason:
            return reason
        if emp.k < 2:
            return f"{name} needs at least two distinct values to fit its location and scale"
        try:
            fixed_parameters(fam, options, threshold=True)
            time_limit(options)
        except DataError as error:
            return str(error)
        return None

    return check


for _base in DISCRETISED_BASES:
    _fam = family(_base)
    register(ModelSpec(
        name=f"{_base}_discretised", label=f"{LABELS[_base]} (discretised)", group="continuous",
        kinds=frozenset({"discrete"}), parameters=_fam.parameters,
        how_fitted=f"P(k) = F(k + ½) − F(k − ½) for the {LABELS[_base].lower()} F; maximum likelihood on the counts "
                   "over every shape, loc and scale, searched by Nelder–Mead with a budget of evaluations",
        fitter=_discretised_fitter(_fam, f"{_base}_discretised"),
        checker=_discretised_checker(_fam, f"{_base}_discretised"), default=False,
        options=(*_fam.parameters, "time_limit"),
    ))
