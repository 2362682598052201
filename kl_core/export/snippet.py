"""A runnable Python script that rebuilds the data and reruns the ranking with ``kl_core``.

User text (names, labels, formulas) only ever appears inside ``repr`` string literals,
so the script never runs what a user typed.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.export.provenance import BOOTSTRAP_SEED, bootstrap_count, versions
from kl_core.ranking import Comparison
from kl_core.sketch import ValueSketch

__all__ = ["python_snippet"]


def _py(value: Any, empiricals: dict[str, str]) -> str:
    """Python source for a plain value (user text only ever through ``repr``)."""
    if isinstance(value, Empirical):
        return empiricals[value.fingerprint()]
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_py(str(k), empiricals)}: {_py(v, empiricals)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        inner = ", ".join(_py(v, empiricals) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, (list, np.ndarray)):
        items = value.tolist() if isinstance(value, np.ndarray) else value
        return "[" + ", ".join(_py(v, empiricals) for v in items) + "]"
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return 'float("nan")'
        if math.isinf(number):
            return "math.inf" if number > 0 else "-math.inf"
        return repr(number)
    if value is None or isinstance(value, str):
        return repr(value)
    raise DataError(f"A model option of type {type(value).__name__} cannot be written as Python")


def _number_list(values: np.ndarray) -> str:
    """Floats as short exact literals: whole numbers without '.0'."""
    parts = []
    for value in np.asarray(values, dtype=float).tolist():
        parts.append(str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value))
    return "[" + ", ".join(parts) + "]"


def _empirical_source(emp: Empirical) -> str:
    """Code that builds exactly ``emp`` (same fingerprint): from_counts / from_probabilities when they do."""
    name = repr(emp.name)
    support = repr([str(v) for v in emp.support]) if emp.kind == "categorical" else _number_list(emp.support)
    counts = _number_list(emp.counts)
    candidates = []
    if emp.kind != "binned":
        if emp.n is not None:
            candidates.append((
                f"Empirical.from_counts({support}, {counts}, kind={emp.kind!r}, name={name})",
                lambda: Empirical.from_counts(_support_values(emp), emp.counts, kind=emp.kind, name=emp.name),
            ))
        else:
            candidates.append((
                f"Empirical.from_probabilities({support}, {counts}, kind={emp.kind!r}, name={name})",
                lambda: Empirical.from_probabilities(_support_values(emp), emp.counts, kind=emp.kind, name=emp.name),
            ))
    for code, build in candidates:
        try:
            if build().fingerprint() == emp.fingerprint():
                return code
        except DataError:
            pass
    support_array = f"np.array({support}, dtype=object)" if emp.kind == "categorical" else f"np.array({support}, dtype=float)"
    edges = "None" if emp.edges is None else f"np.array({_number_list(emp.edges)}, dtype=float)"
    n = "None" if emp.n is None else _py(float(emp.n), {})
    sketch = "" if emp.sketch is None else f"    sketch=ValueSketch.from_plain({_sketch_source(emp.sketch)}),\n"
    return (f"Empirical(\n    {support_array},\n    np.array({counts}, dtype=float),\n    {emp.kind!r},\n"
            f"    edges={edges},\n    n={n},\n    name={name},\n{sketch})")


def _sketch_source(sketch: ValueSketch) -> str:
    """The sketch's plain form as Python source, every float exact (repr)."""
    plain = sketch.to_plain()
    parts = []
    for key, value in plain.items():
        if key == "moments":
            text = "[" + ", ".join("None" if v is None else repr(float(v)) for v in value) + "]"
        else:
            text = _number_list(value) if isinstance(value, list) else repr(value)
        parts.append(f"{key!r}: {text}")
    return "{" + ", ".join(parts) + "}"


def _support_values(emp: Empirical) -> list[Any]:
    return [str(v) for v in emp.support] if emp.kind == "categorical" else [float(v) for v in emp.support]


def _collect_empiricals(value: Any, found: dict[str, Empirical]) -> None:
    if isinstance(value, Empirical):
        found.setdefault(value.fingerprint(), value)
    elif isinstance(value, Mapping):
        for item in value.values():
            _collect_empiricals(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect_empiricals(item, found)


def python_snippet(comparison: Comparison) -> str:
    """A standalone Python script that rebuilds the data and reruns the ranking with ``kl_core``.

    It prints the data's fingerprint (which must match), one line per model with its KL
    divergence at full precision, the verdict and the full table. User text (names,
    labels, formulas) only ever appears inside ``repr`` string literals.

    Examples
    --------
    >>> from kl_core import Empirical, compare
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7], name="teeth")
    >>> print(python_snippet(compare(teeth, ["uniform"])).split("emp = ")[1].splitlines()[0])
    Empirical.from_counts([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7], kind='discrete', name='teeth')
    """
    emp = comparison.emp
    found: dict[str, Empirical] = {}
    for _, options in comparison.requests.values():
        _collect_empiricals(options, found)
    names = {fingerprint: f"reference_{index + 1}" for index, fingerprint in enumerate(found)}
    skipped = [key for key in comparison.table["model"] if key not in comparison.requests]
    bootstrap = bootstrap_count(comparison)
    lines = [
        '"""Reproduce a KL Model Lab ranking with kl_core (generated; run it with the same kl_core version).',
        "",
        f"kl_core {versions()['kl_core']}: this data's fingerprint is {emp.fingerprint()}.",
        '"""',
        "import math",
        "",
        "import numpy as np",
        "import pandas as pd",
        "",
        "from kl_core import Empirical, compare, verdict",
        "from kl_core.sketch import ValueSketch",
        "",
    ]
    for fingerprint, name in names.items():
        lines.append(f"{name} = {_empirical_source(found[fingerprint])}")
    lines.append(f"emp = {_empirical_source(emp)}")
    lines.append('print("data fingerprint:", emp.fingerprint())')
    lines.append("")
    lines.append("models = [")
    for name, options in comparison.requests.values():
        lines.append(f"    ({_py(name, names)}, {_py(dict(options), names)}),")
    lines.append("]")
    if skipped:
        lines.append("# Not included: models that were passed as ready-made FittedModel objects, not by name:")
        lines.append(f"# {_py(skipped, {})}".replace("\n", " ").replace("\r", " "))
    settings = [f"base={_py(float(comparison.base), {})}", f"zero_policy={comparison.zero_policy!r}",
                f"epsilon={_py(float(comparison.epsilon), {})}"]
    if bootstrap:
        settings += [f"bootstrap={bootstrap}", f"seed={BOOTSTRAP_SEED}"]
    if comparison.rank_by != "kl":
        settings.append(f"rank_by={comparison.rank_by!r}")
    lines += [
        f"result = compare(emp, models, {', '.join(settings)})",
        "table = result.table",
        "",
        "for _, row in table.iterrows():",
        '    print(f"{row[\'model\']}\\tKL = {row[\'kl\']!r} {result.unit}")',
        "",
        "print(verdict(table, result.base))",
        'with pd.option_context("display.max_columns", None, "display.width", 200):',
        '    print(table.drop(columns=["params"]).to_string(index=False))',
        "",
    ]
    return "\n".join(lines)

