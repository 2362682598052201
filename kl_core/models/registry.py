"""The model registry: every family by name, and :func:`fit`, the one way to fit one."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Sequence

import numpy as np

from kl_core.empirical import MAX_EXACT_INTEGER, Empirical
from kl_core.errors import DataError
from kl_core.models.base import FittedModel, ModelSpec

__all__ = [
    "REGISTRY", "catalogue_split", "default_models", "family_table", "fit", "fit_within_support", "get_spec", "register",
    "whole_catalogue",
]

REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    """Add ``spec`` to the registry under its name (names are unique)."""
    if spec.name in REGISTRY:
        raise ValueError(f"model {spec.name!r} is registered twice")
    REGISTRY[spec.name] = spec
    return spec


def get_spec(name: str) -> ModelSpec:
    """The registry entry called ``name``; DataError listing close names when unknown.

    Examples
    --------
    >>> get_spec("binomial").label
    'Binomial'
    """
    if name in REGISTRY:
        return REGISTRY[name]
    import difflib

    close = difflib.get_close_matches(name, REGISTRY, n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else " See kl_core.models.REGISTRY for the names."
    raise DataError(f"There is no model called {name!r}.{hint}")


def fit(emp: Empirical, name: str, **options: Any) -> FittedModel:
    """Fit the family ``name`` to ``emp`` by maximum likelihood on its (value, count) pairs.

    Options fix parameters or declare support (``n`` for the binomial, ``low``/``high``
    for the uniform, ...). Raises :class:`~kl_core.errors.DataError` saying why when the
    family does not apply.

    Examples
    --------
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> fit(teeth, "binomial").label
    'binomial(n=10, p=0.544)'
    """
    spec = get_spec(name)
    reason = spec.why_not(emp, options)
    if reason:
        raise DataError(reason)
    model = spec.fitter(emp, options)
    model.extra.setdefault("options", dict(options))  # what the user fixed (kl_core.uncertainty holds these)
    return model


def fit_within_support(emp: Empirical, name: str, **options: Any) -> FittedModel | None:
    """The family fitted to the observed values its support holds, when it excludes others; else None.

    A family that gives probability 0 to an observed value (``binomial`` with ``n=10`` on a
    count of 11, ``poisson`` on a -2) is not "not applicable": its KL divergence is ∞, and a
    ranking shows it so, last, with the values named. Its free parameters are fitted to the
    values it can hold. Returns None when the family has no whole-number support, the data
    is not discrete, nothing lies outside, or nothing lies inside.

    Examples
    --------
    >>> emp = Empirical.from_counts(range(12), [1] * 12)
    >>> model = fit_within_support(emp, "binomial", n=10)
    >>> model.label
    'binomial(n=10, p=0.5)'
    >>> print(model.note)
    parameters fitted to the 11 observed values in its support 0..10; binomial(n=10) gives 0 probability to 11, which was observed; declare n ≥ 11
    """
    spec = REGISTRY.get(name)
    if spec is None or spec.support is None or emp.kind != "discrete":
        return None
    try:
        low, high = spec.support(emp, options)
    except DataError:
        return None
    values = np.asarray(emp.support, dtype=float)
    held = (values == np.round(values)) & (np.abs(values) <= MAX_EXACT_INTEGER) & (values >= low) & (values <= high)
    if held.all() or not held.any():
        return None
    counts = emp.counts[held]
    inside = replace(emp, support=values[held], counts=counts, n=None if emp.n is None else float(counts.sum()))
    try:
        model = fit(inside, name, **options)
    except DataError:
        return None
    why = spec.why_not(emp, options)  # the family's own words, with its advice ("declare n ≥ 11")
    fitted = f"parameters fitted to the {int(held.sum())} observed values in its support {_support_words(low, high)}"
    notes = (model.note, fitted if model.n_params else "", why or "")
    return replace(model, note="; ".join(part for part in notes if part))


def _support_words(low: float, high: float) -> str:
    if math.isfinite(low) and math.isfinite(high):
        return f"{low:g}..{high:g}"
    if math.isfinite(low):
        return f"(whole numbers ≥ {low:g})"
    return f"(whole numbers ≤ {high:g})" if math.isfinite(high) else "(whole numbers)"


def catalogue_split(names: Sequence[str]) -> tuple[list[str], list[str]]:
    """``names`` split into those offered up front and the rest of scipy's continuous catalogue.

    Up front: the continuous shortlist and every family outside the catalogue (simple,
    discrete, your own). The rest: the catalogue's other families, for "the whole catalogue".

    Examples
    --------
    >>> catalogue_split(["uniform", "norm", "gamma", "burr12"])
    (['uniform', 'norm', 'gamma'], ['burr12'])
    """
    from kl_core.models.continuous import CATALOGUE, SHORTLIST

    up_front = [name for name in names if name in SHORTLIST or name not in CATALOGUE]
    return up_front, [name for name in names if name not in up_front]


def whole_catalogue(emp: Empirical) -> list[str]:
    """Every registered family of scipy's continuous catalogue that applies to ``emp``.

    Examples
    --------
    >>> from kl_core.samples import SAMPLES
    >>> whole = whole_catalogue(SAMPLES["waiting"].empirical())
    >>> "norm" in whole and "burr12" in whole, whole_catalogue(SAMPLES["coin"].empirical())
    (True, [])
    """
    from kl_core.models.continuous import CATALOGUE

    return [name for name in CATALOGUE if name in REGISTRY and REGISTRY[name].why_not(emp) is None]


def default_models(emp: Empirical) -> list[str]:
    """The families ticked by default for this data: those marked default that apply."""
    return [name for name, spec in REGISTRY.items() if spec.default and spec.why_not(emp) is None]


def family_table() -> str:
    """Every registered family as a Markdown table: name, label, data kinds, how it is fitted.

    The README's family list is this table (a test keeps the two in step).

    Examples
    --------
    >>> family_table().splitlines()[0]
    '| name | family | data | how the parameters are found |'
    """
    lines = ["| name | family | data | how the parameters are found |", "| --- | --- | --- | --- |"]
    for spec in REGISTRY.values():
        kinds = ", ".join(sorted(spec.kinds))
        lines.append(f"| `{spec.name}` | {spec.label} | {kinds} | {spec.how_fitted} |")
    return "\n".join(lines)
