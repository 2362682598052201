"""The Models page's choices (a form kept in session state) turned into model requests.

A request is ``(name, options)`` as ``kl_core.ranking.compare`` takes it. Typed
parameter values (``p=0.5, n=10``) are read by :func:`kl_core.options.read_assignments`, never ``eval``.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd

from kl_core import DataError, Empirical
from kl_core.models import REGISTRY, default_models
from kl_core.options import read_assignments

GROUP_TITLES = {
    "simple": "Simple models",
    "discrete": "Discrete families",
    "continuous": "Continuous families",
    "yours": "Your own models",
}
DECLARED = {"uniform": ("low", "high"), "binomial": ("n",)}  # support declarations with their own inputs


def fixable_parameters(name: str) -> list[str]:
    """Parameters of family ``name`` that a user may fix (they are also options)."""
    spec = REGISTRY[name]
    return [p for p in spec.parameters if p in spec.options]


def groups() -> dict[str, list[str]]:
    """Registry names by group, in the registry's order (read live, never hard-coded)."""
    grouped: dict[str, list[str]] = {group: [] for group in GROUP_TITLES}
    for name, spec in REGISTRY.items():
        grouped.setdefault(spec.group, []).append(name)
    return {group: names for group, names in grouped.items() if names}


def why_not(name: str, emp: Empirical) -> str | None:
    """Why family ``name`` cannot be ticked for ``emp`` (your own models: only the kind matters)."""
    spec = REGISTRY[name]
    if spec.group == "yours":
        return None if emp.kind in spec.kinds else f"{spec.label} applies to {' or '.join(sorted(spec.kinds))} data; this data is {emp.kind}"
    return spec.why_not(emp)


def new_form(emp: Empirical, requests: Sequence[tuple[str, Mapping[str, Any]]] | None) -> dict[str, Any]:
    """The Models page's choices for ``emp``: ticked as ``requests`` say, else the defaults."""
    ticked = [name for name, _ in requests] if requests else default_models(emp)
    form: dict[str, Any] = {
        "ticked": {name: True for name in ticked if name in REGISTRY},
        "fixed": {},
        "declared": {},
        "extra": {},  # options the page has no input for (e.g. a sample's uniform over="observed")
        "pinned": [],  # further requests of an already requested family, kept as they came
        "pinned_on": [],
        "custom_table": None,
        "formula": "",
        "formula_start": "",
        "reference": None,
        "reference_name": "",
        "whole_catalogue": False,
    }
    seen: set[str] = set()
    for name, options in requests or []:
        if name == "custom" and "custom" not in seen and options.get("values"):
            form["custom_table"] = pd.DataFrame({"value": [str(v) for v in options["values"]],
                                                 "weight": [float(w) for w in options["weights"]]})
        if name == "expression" and "expression" not in seen:
            form["formula"] = str(options.get("formula") or "")
            form["formula_start"] = ", ".join(f"{k}={v}" for k, v in dict(options.get("start") or {}).items())
        if name in seen:
            form["pinned"].append((name, dict(options)))
            form["pinned_on"].append(True)
            continue
        seen.add(name)
        handled = set(DECLARED.get(name, ())) | set(fixable_parameters(name) if name in REGISTRY else ())
        extra = {k: v for k, v in dict(options).items() if k not in handled}
        if extra and name in REGISTRY and REGISTRY[name].group != "yours":
            form["extra"][name] = extra
        for key, value in dict(options).items():
            if key in DECLARED.get(name, ()):
                form["declared"][f"{name}.{key}"] = value
        fixed = {k: v for k, v in dict(options).items() if k not in DECLARED.get(name, ()) and name in REGISTRY and k in fixable_parameters(name)}
        if fixed:
            form["fixed"][name] = ", ".join(f"{k}={v}" for k, v in fixed.items())
    return form


def build_requests(form: Mapping[str, Any], emp: Empirical) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, str]]:
    """The ticked families as requests, and a problem message per family whose input is unusable.

    A family with a problem is still requested, without the unusable option, except
    your own models, which are left out until their input is complete.
    """
    requests: list[tuple[str, dict[str, Any]]] = []
    problems: dict[str, str] = {}
    for name in REGISTRY:
        if not form["ticked"].get(name) or why_not(name, emp) is not None:
            continue
        if REGISTRY[name].group == "yours":
            options, problem = _own_model_options(name, form, emp)
            if problem:
                problems[name] = problem
            if options is not None:
                requests.append((name, options))
            continue
        options: dict[str, Any] = dict(form.get("extra", {}).get(name, {}))
        for key in DECLARED.get(name, ()):
            value = form["declared"].get(f"{name}.{key}")
            if value is not None:
                options[key] = int(value) if float(value) == int(value) else value
        try:
            options.update(read_assignments(form["fixed"].get(name, ""), fixable_parameters(name)))
        except DataError as error:
            problems[name] = f"{error} Fitted without fixed parameters until this is fixed."
        requests.append((name, options))
    for (name, options), on in zip(form.get("pinned", []), form.get("pinned_on", [])):
        if on and name in REGISTRY and REGISTRY[name].why_not(emp, options) is None:
            requests.append((name, dict(options)))
    return requests, problems


def untouched(name: str, form: Mapping[str, Any]) -> bool:
    """Whether your own model ``name`` still waits for its first input (then the page shows no error).

    Examples
    --------
    >>> untouched("expression", {"formula": " "}), untouched("expression", {"formula": "p^x"}), untouched("poisson", {})
    (True, False, False)
    """
    if name == "expression":
        return not str(form.get("formula") or "").strip()
    if name == "empirical":
        return form.get("reference") is None
    if name == "custom":
        table = form.get("custom_table")
        return table is None or len(table.dropna(how="all")) == 0
    return False


def _own_model_options(name: str, form: Mapping[str, Any], emp: Empirical) -> tuple[dict[str, Any] | None, str | None]:
    if name == "custom":
        return _custom_options(form.get("custom_table"), emp)
    if name == "expression":
        formula = (form.get("formula") or "").strip()
        if not formula:
            return None, "Type a formula in x first."
        try:
            start = read_assignments(form.get("formula_start", ""), _formula_parameters(formula))
        except DataError as error:
            return None, str(error)
        return {"formula": formula, "start": start}, None
    if name == "empirical":
        reference = form.get("reference")
        if reference is None:
            return None, "Upload a second dataset first."
        return {"reference": reference}, None
    return {}, None


def own_request(name: str, options: Mapping[str, Any], emp: Empirical) -> tuple[dict[str, Any] | None, str | None]:
    """Your table or formula from a link, checked as the Models page checks typed input.

    Returns the options the model takes (or None) and what is wrong (or None).

    Examples
    --------
    >>> from kl_core.samples import SAMPLES
    >>> own_request("custom", {"values": [0, 1, 2], "weights": [1, 2, 1]}, SAMPLES["worms"].empirical())[0]["values"]
    [0.0, 1.0, 2.0]
    >>> own_request("expression", {"formula": "p*(1-p)^x", "start": {"q": 1}}, SAMPLES["worms"].empirical())[1]
    "'q' is not a parameter here; the parameters are: p."
    """
    if name == "custom":
        values, weights = list(options.get("values") or []), list(options.get("weights") or [])
        table = pd.DataFrame({"value": [str(v) for v in values], "weight": weights})
        return _custom_options(table, emp)
    if name == "expression":
        start = ", ".join(f"{k}={v}" for k, v in dict(options.get("start") or {}).items())
        return _own_model_options(name, {"formula": options.get("formula"), "formula_start": start}, emp)
    return None, f"{name} cannot come from a link."


def usable_requests(requests: Any, empirical: Empirical, problems: list[str] | None = None) -> list[tuple[str, dict]]:
    """The requests that apply to ``empirical``; your table and formula checked as the Models page checks them.

    The one filter for requests made before the data was known: a sample's models, a link's
    models (then ``problems`` collects one line per request left out, saying why).

    Examples
    --------
    >>> from kl_core.samples import SAMPLES
    >>> problems = []
    >>> usable_requests([("binomial", {}), ("norm", {}), ("nonsense", {})], SAMPLES["worms"].empirical(), problems)
    [('binomial', {})]
    >>> len(problems)
    1
    """
    from kl_core.display import capitalised, family_label

    usable = []
    for name, options in requests or []:
        if name not in REGISTRY:
            continue
        if name in ("custom", "expression"):
            checked, problem = own_request(name, options, empirical)
            reason = problem if checked is None else REGISTRY[name].why_not(empirical, checked)
            options = checked if checked is not None else options
        else:
            reason = REGISTRY[name].why_not(empirical, options)
        if reason:
            if problems is not None:
                problems.append(f"{capitalised(family_label(name))} is left out: {reason}")
            continue
        usable.append((name, dict(options)))
    return usable


def _formula_parameters(formula: str) -> list[str]:
    from kl_core.formula import parse_formula

    return list(parse_formula(formula).parameters)


def _custom_options(table: pd.DataFrame | None, emp: Empirical) -> tuple[dict[str, Any] | None, str | None]:
    if table is None or len(table) == 0:
        return None, "Type at least one value with its weight."
    rows = table.dropna(how="all")
    values = rows.iloc[:, 0]
    weights = pd.to_numeric(rows.iloc[:, 1], errors="coerce")
    if values.isna().any() or weights.isna().any():
        return None, "Every row needs a value and a weight (a number ≥ 0); fill in or delete the incomplete rows."
    keys = values.astype(str).str.strip().tolist() if emp.kind == "categorical" else pd.to_numeric(values, errors="coerce")
    if emp.kind != "categorical":
        if keys.isna().any():
            return None, "The values must be numbers for numeric data."
        keys = keys.astype(float).tolist()
    return {"values": keys, "weights": weights.astype(float).tolist(), "label": "custom table"}, None
