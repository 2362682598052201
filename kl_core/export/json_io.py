"""The comparison as strict JSON, both ways: write it, read it back, rerun it.

* :func:`comparison_json`: everything needed to check or redo the comparison.
* :func:`comparison_from_json`: the export back to Python values (measures as floats, options exact).
* :func:`rerun_from_json`: rebuild the data and rank the same requests again.

Non-finite numbers. JSON has no infinity or NaN, so the export is written with
``allow_nan=False`` and: ``+inf`` and ``-inf`` become the strings ``"inf"`` and
``"-inf"`` (an infinite KL is a result, not a gap); NaN ("not available", e.g. the
log-likelihood of probability input) becomes ``null``. Inside model *options*, which
must round-trip exactly, a non-finite float is tagged ``{"__float__": "inf"}`` and an
:class:`~kl_core.empirical.Empirical` (the "another dataset" model) is tagged
``{"__empirical__": {...}}``. :func:`json_leaf` is the one leaf rule (the CSV writer's too).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from functools import partial
from typing import Any, Mapping

import numpy as np

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.export.provenance import BOOTSTRAP_SEED, bootstrap_count, versions
from kl_core.plain import plain
from kl_core.ranking import RANK_BY, Comparison, compare, verdict
from kl_core.sketch import ValueSketch
from kl_core.vocabulary import EPSILON

__all__ = [
    "FORMAT", "FORMAT_VERSION", "comparison_from_json", "comparison_json", "json_leaf", "json_value", "rerun_from_json",
]

FORMAT = "kl-model-lab/comparison"
FORMAT_VERSION = 1
_MEASURES = (
    "kl", "reverse_kl", "js", "cross_entropy", "loglik", "aic", "bic", "g_stat", "dof", "p_value",
    "kl_low", "kl_high", "p_best",
)


def json_leaf(value: Any, *, exact: bool = False) -> Any:
    """One JSON value for a number, text or :class:`~kl_core.empirical.Empirical` (the leaf rule of every export).

    Finite numbers stay numbers; ``exact=False`` (measures, params, CSV cells) writes
    ±inf as ``"inf"``/``"-inf"``, NaN as ``null`` and anything else as text;
    ``exact=True`` (model options, which must decode to the same Python values)
    tags a non-finite float as ``{"__float__": "inf"}`` and refuses anything else.

    Examples
    --------
    >>> json_leaf(float("inf")), json_leaf(float("nan")), json_leaf(np.int64(3)), json_leaf(float("-inf"), exact=True)
    ('inf', None, 3, {'__float__': '-inf'})
    """
    if isinstance(value, Empirical):
        return {"__empirical__": _empirical_plain(value)}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isfinite(number):
            return number
        if exact:
            return {"__float__": repr(number)}
        return None if math.isnan(number) else ("inf" if number > 0 else "-inf")
    if value is None or isinstance(value, str):
        return value
    if exact:
        raise DataError(f"A model option of type {type(value).__name__} cannot be exported; use numbers, text, lists or dicts")
    return str(value)


def json_value(value: Any) -> Any:
    """Measures, params and summaries as JSON values (non-finite as strings, NaN as null).

    Examples
    --------
    >>> json_value({"p": np.float64(0.5), "kl": [float("inf")]})
    {'p': 0.5, 'kl': ['inf']}
    """
    return plain(value, json_leaf)


def _unnumber(value: Any) -> float:
    """A measure read back: ``"inf"``/``"-inf"`` to ±inf, ``null`` to NaN."""
    if value is None:
        return math.nan
    return float(value)  # a number, or "inf" / "-inf"


def _exact(value: Any) -> Any:
    """Model options as JSON values that decode to exactly the same Python values."""
    return plain(value, partial(json_leaf, exact=True))


def _unexact(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__float__"}:
            return float(value["__float__"])
        if set(value) == {"__empirical__"}:
            return _empirical_from_plain(value["__empirical__"])
        return {key: _unexact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unexact(item) for item in value]
    return value


def _empirical_plain(emp: Empirical) -> dict[str, Any]:
    support = [str(v) for v in emp.support] if emp.kind == "categorical" else [_short(float(v)) for v in emp.support]
    return {
        "name": emp.name,
        "kind": emp.kind,
        "n": None if emp.n is None else _short(float(emp.n)),
        "support": support,
        "counts": [_short(float(c)) for c in emp.counts],
        "edges": None if emp.edges is None else [_short(float(e)) for e in emp.edges],
        "dropped": {str(k): int(v) for k, v in dict(emp.dropped).items()},
        "warnings": list(emp.warnings),
        "sketch": None if emp.sketch is None else emp.sketch.to_plain(),
    }


def _empirical_from_plain(data: Mapping[str, Any]) -> Empirical:
    kind = data.get("kind")
    if kind not in ("discrete", "categorical", "binned"):
        raise DataError(f"The exported data has an unknown kind {kind!r}")
    support = np.array([str(v) for v in data["support"]], dtype=object) if kind == "categorical" \
        else np.asarray(data["support"], dtype=float)
    counts = np.asarray(data["counts"], dtype=float)
    edges = None if data.get("edges") is None else np.asarray(data["edges"], dtype=float)
    if support.ndim != 1 or counts.shape != support.shape or (edges is not None and edges.size != support.size + 1):
        raise DataError("The exported data is inconsistent: support, counts (and edges) do not line up")
    n = data.get("n")
    try:
        sketch = None if not data.get("sketch") else ValueSketch.from_plain(data["sketch"])
    except (KeyError, TypeError, ValueError) as error:
        raise DataError(f"The exported data's values (its sketch) are inconsistent: {error}") from None
    return Empirical(
        support, counts, kind, edges=edges, n=None if n is None else float(n), name=str(data.get("name") or ""),
        dropped=dict(data.get("dropped") or {}), warnings=tuple(data.get("warnings") or ()), sketch=sketch,
    )



# ------------------------------------------------------------------------- JSON
def comparison_json(comparison: Comparison, *, source: str | None = None) -> str:
    """Everything about a comparison as strict JSON text (see the module notes on ∞ and NaN).

    Holds the data (fingerprint, support, counts, kind, edges, N, name), the settings,
    the model requests in their original order, each model's fit and every measure in
    ranking order, the verdict and the library versions.

    Examples
    --------
    >>> from kl_core import Empirical, compare
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> data = comparison_from_json(comparison_json(compare(teeth, ["uniform", "binomial"])))
    >>> [(m["key"], round(m["kl"], 5)) for m in data["models"]]
    [('uniform', 0.19719), ('binomial', 0.61654)]
    """
    table = comparison.table
    emp = comparison.emp
    models = []
    position = 0
    for _, row in table.iterrows():
        key = str(row["model"])
        kl = float(row["kl"])
        position += math.isfinite(kl)
        spec = comparison.requests.get(key)
        measures = {column: json_value(row[column]) for column in _MEASURES if column in table.columns}
        models.append({
            "key": key,
            "name": spec[0] if spec else (comparison.fitted[key].name if key in comparison.fitted else key),
            "options": _exact(spec[1]) if spec else None,
            "rerunnable": spec is not None,
            "label": str(row["label"]),
            "params": json_value(row["params"] if isinstance(row["params"], Mapping) else {}),
            "n_params": json_value(row["n_params"]),
            "rank": position if math.isfinite(kl) else None,
            "fitted": key in comparison.fitted,
            **measures,
            "note": str(row["note"] or "") if not (isinstance(row["note"], float) and math.isnan(row["note"])) else "",
        })
    summary = emp.summary(comparison.base)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_utc": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "source": source,
        "non_finite": 'Infinite numbers are the strings "inf" and "-inf"; null means not available (NaN).',
        "data": {"fingerprint": emp.fingerprint(), **_empirical_plain(emp), "summary": json_value(summary)},
        "settings": {
            "base": json_leaf(comparison.base),
            "unit": comparison.unit,
            "zero_policy": comparison.zero_policy,
            "epsilon": json_leaf(comparison.epsilon),
            "rank_by": comparison.rank_by,
            "bootstrap": bootstrap_count(comparison),
            "bootstrap_seed": BOOTSTRAP_SEED if bootstrap_count(comparison) else None,
        },
        "requests": [{"key": key, "name": name, "options": _exact(options)} for key, (name, options) in comparison.requests.items()],
        "models": models,
        "best": comparison.best,
        "verdict": verdict(table, comparison.base),
        "versions": versions(),
    }
    return _dumps(document)


def _dumps(value: Any, level: int = 0) -> str:
    """Strict JSON, indented, with lists of plain values on one line (support and counts stay readable)."""
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(str(key), ensure_ascii=False)}: {_dumps(item, level + 1)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return "[" + ", ".join(json.dumps(item, ensure_ascii=False, allow_nan=False) for item in value) + "]"
        return "[\n" + ",\n".join(f"{inner}{_dumps(item, level + 1)}" for item in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _short(number: float) -> float | int:
    """A whole float as an int (``100`` rather than ``100.0``); JSON readers give back the same number."""
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def comparison_from_json(text: str) -> dict[str, Any]:
    """Parse :func:`comparison_json` output: measures back to floats (``inf``, NaN), options exact.

    Raises :class:`~kl_core.errors.DataError` for text that is not such an export.
    """
    try:
        document = json.loads(text)
    except (TypeError, ValueError) as error:
        raise DataError(f"This is not valid JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DataError(f"This JSON is not a KL Model Lab comparison (no \"format\": \"{FORMAT}\")")
    if int(document.get("format_version", 0)) > FORMAT_VERSION:
        raise DataError(f"This comparison was written by a newer KL Model Lab (format {document['format_version']})")
    for model in document.get("models", []):
        for column in _MEASURES:
            if column in model:
                model[column] = _unnumber(model[column])
        if model.get("options") is not None:
            model["options"] = _unexact(model["options"])
    for request in document.get("requests", []):
        request["options"] = _unexact(request.get("options") or {})
    settings = document.get("settings", {})
    settings["base"] = _unnumber(settings.get("base", 2))
    settings["epsilon"] = _unnumber(settings.get("epsilon", EPSILON))
    settings["rank_by"] = settings.get("rank_by") or "kl"  # files written before rank_by existed were ranked by KL
    if settings["rank_by"] not in RANK_BY:
        raise DataError(f"This comparison's rank_by is {settings['rank_by']!r}; it must be one of {', '.join(RANK_BY)}")
    return document


def _empirical_of(document: Mapping[str, Any]) -> Empirical:
    data = document.get("data")
    if not isinstance(data, Mapping):
        raise DataError("The comparison has no data section")
    emp = _empirical_from_plain(data)
    expected = data.get("fingerprint")
    if expected and emp.fingerprint() != expected:
        raise DataError("The data in this file does not match its fingerprint: it was changed after export")
    return emp


def rerun_from_json(text: str) -> Comparison:
    """Rebuild the data from a :func:`comparison_json` export and rank the same requests again.

    Models that were passed as ready-made ``FittedModel`` objects (not by name) cannot
    be rebuilt from JSON and are left out (they are marked ``"rerunnable": false``).

    Examples
    --------
    >>> from kl_core import Empirical, compare
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> again = rerun_from_json(comparison_json(compare(teeth, ["uniform", ("binomial", {"n": 10})])))
    >>> again.table["model"].tolist()
    ['uniform', 'binomial']
    """
    document = comparison_from_json(text)
    emp = _empirical_of(document)
    settings = document["settings"]
    requests = [(request["name"], request["options"]) for request in document.get("requests", [])]
    if not requests:
        raise DataError("The comparison lists no models requested by name, so there is nothing to rerun")
    return compare(
        emp, requests, base=settings["base"], zero_policy=settings.get("zero_policy", "strict"),
        epsilon=settings["epsilon"], bootstrap=int(settings.get("bootstrap") or 0),
        seed=int(settings.get("bootstrap_seed") or BOOTSTRAP_SEED), rank_by=settings["rank_by"],
    )

