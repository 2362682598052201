"""The model registry: every family by name, and :func:`fit`, the one way to fit one."""

from __future__ import annotations

from typing import Any

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.models.base import FittedModel, ModelSpec

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
    return spec.fitter(emp, options)


def applicable(emp: Empirical, group: str | None = None) -> dict[str, str | None]:
    """Every registered family (optionally one group) mapped to why it does not apply, or None."""
    return {name: spec.why_not(emp) for name, spec in REGISTRY.items() if group is None or spec.group == group}


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
