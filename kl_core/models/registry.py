"""The model registry: every family by name, and :func:`fit`, the one way to fit one.

The families are registered by the modules that define them (:data:`SECTIONS`), and a
module is imported the first time one of its families is needed: ranking counts with
the default families imports neither the continuous catalogue (about a hundred scipy
families) nor the mixtures. :data:`REGISTRY` is a read-only mapping, name → ModelSpec,
in the same order whatever was loaded first; looking up a name loads the sections up
to the one that holds it, listing every name loads them all, and
:meth:`Registry.matching` loads only the sections that can hold a match.
"""

from __future__ import annotations

import importlib
import math
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from kl_core.empirical import KINDS, MAX_EXACT_INTEGER, Empirical
from kl_core.errors import DataError
from kl_core.models.base import FittedModel, ModelSpec

__all__ = [
    "REGISTRY", "SECTIONS", "Registry", "Section", "applicable_models", "catalogue_split", "default_models", "family_table",
    "fit", "fit_within_support", "get_spec", "register", "whole_catalogue",
]


@dataclass(frozen=True)
class Section:
    """A module that registers families when imported, and what the registry knows of them before.

    Parameters
    ----------
    module : str
        The module whose import registers the families.
    group : str
        The :attr:`ModelSpec.group` of every family it registers.
    kinds : frozenset of str
        Every kind of data one of its families applies to.
    default_kinds : frozenset of str
        The kinds of data for which one of its families is ticked by default.
    """

    module: str
    group: str
    kinds: frozenset[str]
    default_kinds: frozenset[str] = frozenset()


SECTIONS: tuple[Section, ...] = (
    Section("kl_core.models.simple", "simple", frozenset(KINDS), frozenset(KINDS)),
    Section("kl_core.models.discrete", "discrete", frozenset({"discrete"}), frozenset({"discrete"})),
    Section("kl_core.models.continuous.registration", "continuous", frozenset({"binned", "discrete"}), frozenset({"binned"})),
    Section("kl_core.models.user", "yours", frozenset(KINDS)),
    Section("kl_core.models.mixture", "mixtures", frozenset({"binned", "discrete"})),
    Section("kl_core.models.zero_inflated", "mixtures", frozenset({"discrete"})),
)
"""Every module that registers families, in the registry's order (a test checks what each declares)."""


class Registry(Mapping[str, ModelSpec]):
    """Every registered family by name, its sections imported when first needed.

    Families are ordered by their group's first section in ``sections``, then in the order
    they were registered, so the order does not depend on which section was loaded first.

    Examples
    --------
    >>> REGISTRY["poisson"].label
    'Poisson'
    >>> "kl_core.models.discrete" in REGISTRY.loaded()
    True
    """

    def __init__(self, sections: Sequence[Section]) -> None:
        self._sections = tuple(sections)
        self._group_rank = {section.group: index for index, section in reversed(list(enumerate(self._sections)))}
        self._specs: dict[str, ModelSpec] = {}
        self._order: dict[str, tuple[int, int]] = {}
        self._loaded: set[str] = set()
        self._adding = threading.Lock()  # held while adding only: imports happen outside it

    def add(self, spec: ModelSpec) -> ModelSpec:
        """Add ``spec`` under its name (names are unique); what :func:`register` does."""
        with self._adding:
            if spec.name in self._specs:
                raise ValueError(f"model {spec.name!r} is registered twice")
            self._order[spec.name] = (self._group_rank.get(spec.group, len(self._sections)), len(self._order))
            specs = {**self._specs, spec.name: spec}
            self._specs = dict(sorted(specs.items(), key=lambda item: self._order[item[0]]))
        return spec

    def load(self, sections: Sequence[Section] | None = None) -> None:
        """Import the modules of ``sections`` (default: all) that are not imported yet."""
        for section in self._sections if sections is None else sections:
            if section.module not in self._loaded:
                importlib.import_module(section.module)
                self._loaded.add(section.module)

    def loaded(self) -> list[str]:
        """The modules of the sections loaded so far, in the sections' order."""
        return [section.module for section in self._sections if section.module in self._loaded]

    def registered(self) -> list[str]:
        """The names registered so far, in order, without loading anything."""
        return list(self._specs)

    def matching(self, kind: str | None = None, groups: Sequence[str] | None = None,
                 default: bool = False) -> list[ModelSpec]:
        """The families for ``kind`` of data (any when None), in ``groups`` (any when None), ticked by default
        when ``default``; only sections that can hold one are loaded.

        Examples
        --------
        >>> [spec.name for spec in REGISTRY.matching("discrete", default=True)]
        ['uniform', 'binomial', 'poisson']
        """
        def may_hold(section: Section) -> bool:
            kinds = section.default_kinds if default else section.kinds
            return (kind is None or kind in kinds) and (groups is None or section.group in groups)

        self.load([section for section in self._sections if may_hold(section)])
        return [spec for spec in self._specs.values()
                if (kind is None or kind in spec.kinds) and (groups is None or spec.group in groups)
                and (spec.default or not default)]

    def __getitem__(self, name: str) -> ModelSpec:
        if name not in self._specs:
            for section in self._sections:
                self.load([section])
                if name in self._specs:
                    break
        return self._specs[name]

    def __contains__(self, name: object) -> bool:
        try:
            self[name]  # type: ignore[index]
        except (KeyError, TypeError):
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        self.load()
        return iter(list(self._specs))

    def __len__(self) -> int:
        self.load()
        return len(self._specs)

    def __repr__(self) -> str:
        return f"<Registry: {len(self._specs)} families from {len(self._loaded)} of {len(self._sections)} sections loaded>"


REGISTRY: Registry = Registry(SECTIONS)


def register(spec: ModelSpec) -> ModelSpec:
    """Add ``spec`` to the registry under its name (names are unique)."""
    return REGISTRY.add(spec)


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
    """The families ticked by default for this data: those marked default that apply.

    Examples
    --------
    >>> default_models(Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7]))
    ['uniform', 'binomial', 'poisson']
    """
    return [spec.name for spec in REGISTRY.matching(emp.kind, default=True) if spec.why_not(emp) is None]


def applicable_models(emp: Empirical, groups: Sequence[str]) -> list[str]:
    """The families of ``groups`` that apply to this data, in the registry's order.

    Examples
    --------
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> applicable_models(teeth, ["simple"])
    ['uniform', 'binomial']
    """
    return [spec.name for spec in REGISTRY.matching(emp.kind, groups) if spec.why_not(emp) is None]


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
