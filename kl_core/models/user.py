"""The user's own models: a typed PMF table, a formula, and another dataset (drift).

* ``custom``: a table of (value, weight), normalised; values the table does not list
  get probability 0 (so a missing observed value makes the KL infinite, honestly).
* ``expression``: an unnormalised mass in ``x`` with free parameters, e.g.
  ``p*(1-p)**x``, parsed by :mod:`kl_core.formula` (never ``eval``), normalised over
  the declared support (default: every integer from the observed min to max, or the
  observed points for non-integer data) and fitted by maximum likelihood.
* ``empirical``: another :class:`~kl_core.empirical.Empirical` as the model, to measure
  drift between two samples. Build it with :func:`reference_for` so its cells line up.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.formula import Formula, mass_from_formula, parse_formula
from kl_core.models.base import FittedModel, ModelSpec, Options, integer_option, minimize_nll, option_mapping, real_number, time_limit
from kl_core.models.registry import register

__all__ = ["CUSTOM", "EMPIRICAL", "EXPRESSION", "MAX_EXPRESSION_SUPPORT", "reference_for", "reference_from_table"]

MAX_EXPRESSION_SUPPORT = 1_000_000


# ------------------------------------------------------------------- custom table
def _custom_table(emp: Empirical, options: Options) -> tuple[np.ndarray, np.ndarray]:
    values, weights = options.get("values"), options.get("weights")
    if values is None or weights is None:
        raise DataError("custom needs a table: values=[...] and weights=[...] of the same length")
    if isinstance(values, (str, bytes, Mapping)) or np.ndim(values) != 1 or np.ndim(weights) != 1:
        raise DataError("custom values and weights must be two lists of the same length, e.g. values=[0, 1], weights=[3, 1]")
    try:
        weight_array = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"custom weights must be numbers; got {weights!r}"[:200]) from None
    if len(values) != weight_array.size or weight_array.size == 0:
        raise DataError(f"custom needs as many weights as values; got {len(values)} values and {weight_array.size} weights")
    if not np.all(np.isfinite(weight_array)) or np.any(weight_array < 0):
        raise DataError("custom weights must be finite numbers ≥ 0")
    if weight_array.sum() <= 0:
        raise DataError("custom weights are all 0; give at least one value a positive weight")
    keys = _table_keys(emp, values)
    if len(set(keys.tolist())) != keys.size:
        raise DataError("custom lists a value more than once; give each value one weight")
    return keys, weight_array / weight_array.sum()


def _table_keys(emp: Empirical, values: Any) -> np.ndarray:
    if emp.kind == "categorical":
        return np.array([str(v).strip() for v in values], dtype=object)
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise DataError("custom values must be numbers for numeric data") from None


def _custom_check(emp: Empirical, options: Options) -> str | None:
    try:
        _custom_table(emp, options)
    except DataError as error:
        return str(error)
    return None


def _fit_custom(emp: Empirical, options: Options) -> FittedModel:
    keys, probs = _custom_table(emp, options)
    lookup = dict(zip(keys.tolist(), probs.tolist()))

    def pmf(values: np.ndarray) -> np.ndarray:
        cast = (str(v) for v in values) if emp.kind == "categorical" else (float(v) for v in values)
        return np.fromiter((lookup.get(v, 0.0) for v in cast), dtype=float, count=len(values))

    return FittedModel("custom", {"values": keys.size}, 0, pmf_function=pmf, label=str(options.get("label") or "custom table"))


CUSTOM = register(ModelSpec(
    name="custom", label="Your PMF table", group="yours", kinds=frozenset({"discrete", "categorical"}),
    parameters=(), how_fitted="nothing is fitted: your (value, weight) table, normalised",
    fitter=_fit_custom, checker=_custom_check, options=("values", "weights", "label"),
))


# ---------------------------------------------------------------------- formula
def _expression_support(emp: Empirical, options: Options) -> np.ndarray:
    if not emp.is_integer:
        if {"low", "high"} & set(options):
            raise DataError("a declared support low..high needs whole-number data")
        return emp.support
    low = integer_option(options, "low", int(emp.low))
    high = integer_option(options, "high", int(emp.high))
    if low > emp.low or high < emp.high:
        raise DataError(f"the declared support {low}..{high} must contain the observed values {emp.low:g}..{emp.high:g}")
    if high - low + 1 > MAX_EXPRESSION_SUPPORT:
        raise DataError(f"the declared support has {high - low + 1:,} values; the limit is {MAX_EXPRESSION_SUPPORT:,}")
    return np.arange(low, high + 1, dtype=float)


def _expression_parts(emp: Empirical, options: Options) -> tuple[Formula, np.ndarray, dict[str, float], list[str]]:
    text = options.get("formula")
    if not isinstance(text, str):
        raise DataError("expression needs formula='...' in x, e.g. formula='p*(1-p)**x'")
    formula = parse_formula(text)
    fixed = {key: real_number(value, f"the fixed value of {key}") for key, value in option_mapping(options, "fixed").items()}
    unknown = set(fixed) - set(formula.parameters)
    if unknown:
        raise DataError(f"fixed names {', '.join(sorted(unknown))} are not parameters of the formula ({', '.join(formula.parameters) or 'none'})")
    free = [name for name in formula.parameters if name not in fixed]
    return formula, _expression_support(emp, options), fixed, free


def _expression_check(emp: Empirical, options: Options) -> str | None:
    try:
        _expression_parts(emp, options)
    except DataError as error:
        return str(error)
    return None


def _normalised_mass(formula: Formula, grid: np.ndarray, params: Mapping[str, float]) -> np.ndarray:
    raw = mass_from_formula(formula, grid, params)
    total = float(raw.sum())
    if not math.isfinite(total) or total <= 0:
        shown = ", ".join(f"{k}={v:.4g}" for k, v in params.items())
        raise DataError(f"the formula's values over the support sum to {total:g} with {shown}; they must have a positive, finite sum")
    return raw / total


def _fit_expression(emp: Empirical, options: Options) -> FittedModel:
    formula, grid, fixed, free = _expression_parts(emp, options)
    start = option_mapping(options, "start")
    start_vector = [real_number(start.get(name, 0.5), f"the start value of {name}") for name in free]
    index = np.searchsorted(grid, emp.support)

    def params_for(theta: np.ndarray) -> dict[str, float]:
        return {**fixed, **dict(zip(free, map(float, theta)))}

    def negative_loglik(theta: np.ndarray) -> float:
        try:
            mass = _normalised_mass(formula, grid, params_for(theta))[index]
        except DataError:
            return math.inf
        with np.errstate(divide="ignore"):
            return -float(np.dot(emp.counts, np.log(mass)))

    if free:
        _normalised_mass(formula, grid, params_for(np.array(start_vector)))  # a bad start says why
        theta = minimize_nll(negative_loglik, start_vector, time_limit=time_limit(options))
    else:
        theta = np.array([])
    params = params_for(theta)
    mass = _normalised_mass(formula, grid, params)
    lookup = dict(zip(grid.tolist(), mass.tolist()))

    def pmf(values: np.ndarray) -> np.ndarray:
        return np.fromiter((lookup.get(float(v), 0.0) for v in values), dtype=float, count=len(values))

    return FittedModel(
        "expression", params, len(free), pmf_function=pmf,
        label=f"{formula.text} ({', '.join(f'{k}={v:.4g}' for k, v in params.items())})" if params else formula.text,
        note=f"normalised over {grid.size:,} support values from {grid[0]:g} to {grid[-1]:g}",
    )


EXPRESSION = register(ModelSpec(
    name="expression", label="Your formula", group="yours", kinds=frozenset({"discrete"}), parameters=(),
    how_fitted="your formula in x, normalised over the support; its free parameters by maximum likelihood (Nelder–Mead)",
    fitter=_fit_expression, checker=_expression_check, options=("formula", "start", "fixed", "low", "high", "time_limit"),
))


# -------------------------------------------------------------- another dataset
def reference_for(emp: Empirical, values: Any, name: str = "reference") -> Empirical:
    """Reduce a second sample so that its cells line up with ``emp``'s (for drift).

    For binned ``emp`` the reference is binned on the same edges, plus one bin on each
    side for values outside them (that mass is the model's 'elsewhere').

    Examples
    --------
    >>> base = Empirical.from_samples([0.1, 0.4, 0.6, 0.9], bins=[0, 0.5, 1.0])
    >>> reference_for(base, [0.2, 0.7, 3.0]).counts.tolist()
    [0.0, 1.0, 1.0, 1.0]
    """
    if emp.kind != "binned":
        return Empirical.from_samples(values, kind=emp.kind, name=name)
    numbers = np.asarray(values, dtype=float)
    numbers = numbers[np.isfinite(numbers)]
    if numbers.size == 0:
        raise DataError(f"The {name} has no finite numbers to compare with.")
    low = min(float(numbers.min()), emp.edges[0]) - 1.0
    high = max(float(numbers.max()), emp.edges[-1]) + 1.0
    edges = np.concatenate([[low], emp.edges, [high]])
    return Empirical.from_samples(numbers, kind="binned", bins=edges, name=name)


def reference_from_table(emp: Empirical, frame: Any, column: str, name: str = "reference") -> Empirical:
    """Column ``column`` of a second table as the reference for ``emp`` (see :func:`reference_for`).

    Numbers are read as the Data page reads them (:func:`kl_core.io.numeric_column`:
    blanks and ``NA`` dropped, decimal commas understood) when ``emp`` is numeric; labels as they are.

    Examples
    --------
    >>> import pandas as pd
    >>> base = Empirical.from_counts([0, 1, 2], [1, 2, 1])
    >>> reference_from_table(base, pd.DataFrame({"x": ["0", "1", " 1", "NA", "2"]}), "x").counts.tolist()
    [1.0, 2.0, 1.0]
    """
    from kl_core.io import numeric_column

    values = numeric_column(frame, column) if emp.is_numeric else frame[column]
    return reference_for(emp, values, name=name)


def _reference(options: Options) -> Empirical:
    reference = options.get("reference")
    if not isinstance(reference, Empirical):
        raise DataError("empirical needs reference=<an Empirical> (another dataset) as the model")
    return reference


def _reference_mass(emp: Empirical, reference: Empirical) -> np.ndarray:
    if emp.kind == "binned":
        if reference.kind != "binned":
            raise DataError("binned data needs a binned reference: build it with kl_core.models.user.reference_for")
        start = _edge_offset(reference.edges, emp.edges)
        return reference.probs[start:start + emp.k]
    if reference.kind != emp.kind:
        raise DataError(f"the reference is {reference.kind} but the data is {emp.kind}; compare like with like")
    lookup = dict(zip(reference.support.tolist(), reference.probs.tolist()))
    return np.fromiter((lookup.get(v, 0.0) for v in emp.support.tolist()), dtype=float, count=emp.k)


def _edge_offset(reference_edges: np.ndarray, edges: np.ndarray) -> int:
    """Where ``edges`` start inside ``reference_edges``; DataError if they are not a run of them."""
    candidates = np.flatnonzero(np.isclose(reference_edges, edges[0], rtol=0, atol=1e-12 * max(1.0, abs(edges[0]))))
    for start in candidates:
        window = reference_edges[start:start + edges.size]
        if window.size == edges.size and np.allclose(window, edges, rtol=1e-12, atol=0):
            return int(start)
    raise DataError("the reference was binned differently; build it with kl_core.models.user.reference_for(data, values)")


def _empirical_check(emp: Empirical, options: Options) -> str | None:
    try:
        _reference_mass(emp, _reference(options))
    except DataError as error:
        return str(error)
    return None


def _fit_empirical(emp: Empirical, options: Options) -> FittedModel:
    reference = _reference(options)
    frozen_mass = _reference_mass(emp, reference)
    label = f"dataset '{reference.name}'" if reference.name else "reference dataset"
    if emp.kind == "binned":
        cumulative = np.concatenate([[0.0], np.cumsum(frozen_mass)])
        edges = emp.edges.copy()
        start = _edge_offset(reference.edges, edges)
        below = float(reference.probs[:start].sum())

        def cdf(x: np.ndarray) -> np.ndarray:
            return below + np.interp(x, edges, cumulative, left=0.0 - below, right=cumulative[-1])

        return FittedModel("empirical", {"reference_n": reference.n}, 0, cdf_function=cdf, continuous=True, label=label)
    lookup = dict(zip(reference.support.tolist(), reference.probs.tolist()))

    def pmf(values: np.ndarray) -> np.ndarray:
        return np.fromiter((lookup.get(v, 0.0) for v in np.asarray(values).tolist()), dtype=float, count=len(values))

    return FittedModel("empirical", {"reference_n": reference.n}, 0, pmf_function=pmf, label=label)


EMPIRICAL = register(ModelSpec(
    name="empirical", label="Another dataset", group="yours", kinds=frozenset({"discrete", "categorical", "binned"}),
    parameters=(), how_fitted="nothing is fitted: the other dataset's empirical distribution is the model (drift)",
    fitter=_fit_empirical, checker=_empirical_check, options=("reference",),
))
