"""Exports of a comparison: ranking CSV, JSON, a runnable Python snippet, a self-contained HTML report.

Everything here is pure (no Streamlit, no files): each function takes a
:class:`~kl_core.ranking.Comparison` and returns text, ready for a download button.

* :func:`ranking_csv`: the ranking table as CSV, safe to open in a spreadsheet (text
  cells that a spreadsheet would run as a formula are prefixed with ``'``; numbers stay
  numbers, ``inf`` for ∞, an empty cell for "not available").
* :func:`comparison_json` / :func:`comparison_from_json` / :func:`rerun_from_json`:
  everything needed to check or redo the comparison, as strict JSON.
* :func:`python_snippet`: a script that rebuilds the data and reruns the ranking with
  ``kl_core``.
* :func:`html_report`: one HTML file with the figures, readable offline (plotly.js is
  inlined once; there is no external URL, font or MathJax).

Non-finite numbers in the JSON. JSON has no infinity or NaN, so the export is written
with ``allow_nan=False`` and: ``+inf`` and ``-inf`` become the strings ``"inf"`` and
``"-inf"`` (an infinite KL is a result, not a gap); NaN ("not available", e.g. the
log-likelihood of probability input) becomes ``null``. Inside model *options*, which
must round-trip exactly, a non-finite float is tagged ``{"__float__": "inf"}`` and an
:class:`~kl_core.empirical.Empirical` (the "another dataset" model) is tagged
``{"__empirical__": {...}}``.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import math
import platform
from typing import Any, Mapping

import numpy as np
import pandas as pd

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.export.csv import ranking_csv
from kl_core.plain import plain
from kl_core.ranking import Comparison, compare, display_name, verdict
from kl_core.sketch import ValueSketch
from kl_core.vocabulary import DEFAULT_PLOTTED, EPSILON, bits_or_nats

__all__ = [
    "FORMAT", "FORMAT_VERSION", "MAX_PLOTTED", "comparison_from_json", "comparison_json", "html_report", "python_snippet",
    "ranking_csv", "report_figures", "rerun_from_json", "versions",
]

FORMAT = "kl-model-lab/comparison"
FORMAT_VERSION = 1
_MEASURES = (
    "kl", "reverse_kl", "js", "cross_entropy", "loglik", "aic", "bic", "g_stat", "dof", "p_value",
    "kl_low", "kl_high", "p_best",
)
MAX_PLOTTED = DEFAULT_PLOTTED  # models drawn in the side-by-side figures, as the app's Compare page by default (the ranking chart shows all)
_BOOTSTRAP_SEED = 0  # the seed kl_core.compare uses by default (and the app never changes)


# -------------------------------------------------------------------------- CSV
# ranking_csv lives in kl_core.export.csv, the one CSV writer of the CLI and the app.


# ------------------------------------------------------------------- plain values
def _number(value: Any) -> Any:
    """A float for JSON: finite as is, ±inf as "inf"/"-inf", NaN as None."""
    number = float(value)
    if math.isnan(number):
        return None
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    return number


def _unnumber(value: Any) -> float:
    """The inverse of :func:`_number` for a measure."""
    if value is None:
        return math.nan
    if isinstance(value, str):
        return float(value)  # "inf", "-inf"
    return float(value)


def _plain(value: Any) -> Any:
    """Measures, params and summaries as JSON values (non-finite as strings, NaN as null)."""
    return plain(value, _plain_leaf)


def _plain_leaf(value: Any) -> Any:
    if isinstance(value, Empirical):
        return {"__empirical__": _empirical_plain(value)}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer, float, np.floating)):
        return _number(value)
    if value is None or isinstance(value, str):
        return value
    return str(value)


def _exact(value: Any) -> Any:
    """Model options as JSON values that decode to exactly the same Python values."""
    return plain(value, _exact_leaf)


def _exact_leaf(value: Any) -> Any:
    if isinstance(value, Empirical):
        return {"__empirical__": _empirical_plain(value)}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else {"__float__": repr(number)}
    if value is None or isinstance(value, str):
        return value
    raise DataError(f"A model option of type {type(value).__name__} cannot be exported; use numbers, text, lists or dicts")


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


def versions() -> dict[str, str]:
    """Versions of kl_core and the libraries that computed the numbers.

    Examples
    --------
    >>> sorted(versions())
    ['kl_core', 'numpy', 'pandas', 'plotly', 'python', 'scipy']
    """
    import scipy

    import kl_core

    try:
        import plotly

        plotly_version = plotly.__version__
    except ImportError:  # pragma: no cover - plotly is a dependency
        plotly_version = "not installed"
    return {
        "kl_core": kl_core.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
        "pandas": pd.__version__, "plotly": plotly_version, "python": platform.python_version(),
    }


def _bootstrap_resamples(comparison: Comparison) -> int | None:
    table = comparison.table
    if "kl_low" not in table.columns:
        return None
    done = table.attrs.get("bootstrap_resamples")
    return int(done) if done is not None else None


def _ordered_models(comparison: Comparison) -> dict[str, Any]:
    """Fitted models in ranking order (the order every figure gets them in)."""
    return {str(key): comparison.fitted[key] for key in comparison.table["model"] if key in comparison.fitted}


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
        measures = {column: _plain(row[column]) for column in _MEASURES if column in table.columns}
        models.append({
            "key": key,
            "name": spec[0] if spec else (comparison.fitted[key].name if key in comparison.fitted else key),
            "options": _exact(spec[1]) if spec else None,
            "rerunnable": spec is not None,
            "label": str(row["label"]),
            "params": _plain(row["params"] if isinstance(row["params"], Mapping) else {}),
            "n_params": _plain(row["n_params"]),
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
        "data": {"fingerprint": emp.fingerprint(), **_empirical_plain(emp), "summary": _plain(summary)},
        "settings": {
            "base": _number(comparison.base),
            "unit": comparison.unit,
            "zero_policy": comparison.zero_policy,
            "epsilon": _number(comparison.epsilon),
            "bootstrap": _bootstrap_resamples(comparison),
            "bootstrap_seed": _BOOTSTRAP_SEED if _bootstrap_resamples(comparison) else None,
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
        seed=int(settings.get("bootstrap_seed") or _BOOTSTRAP_SEED),
    )


# ----------------------------------------------------------------- Python snippet
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
    bootstrap = _bootstrap_resamples(comparison)
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
        settings += [f"bootstrap={bootstrap}", f"seed={_BOOTSTRAP_SEED}"]
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


# ------------------------------------------------------------------------- HTML
_CSS = """
:root { color-scheme: light; }
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2328;
       margin: 0; background: #fafafa; line-height: 1.5; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; box-sizing: border-box; }
h1 { font-size: 1.8rem; margin: 0.2rem 0 0.2rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; padding-bottom: 0.25rem; border-bottom: 1px solid #e5e7eb; }
.meta { color: #57606a; font-size: 0.9rem; margin: 0 0 1rem; }
.verdict { background: #eef6fc; border-left: 4px solid #0072B2; padding: 0.75rem 1rem; font-size: 1.05rem; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 0.5rem 0; max-width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f6f8fa; overflow-wrap: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ranking { width: 100%; table-layout: auto; }
.swatch { font-size: 1.2em; line-height: 1; }
.wide { max-width: 100%; }
.figure { margin: 0.75rem 0 1.5rem; }
.note { color: #57606a; font-size: 0.9rem; }
code { background: #f6f8fa; padding: 0 3px; border-radius: 3px; font-size: 0.9em; word-break: break-all; }
.pair { display: flex; flex-wrap: wrap; gap: 32px; }
.pair table { flex: 1 1 320px; }
@media (max-width: 700px) {
  main { padding: 12px 10px 32px; }
  table { font-size: 0.8rem; }
  th, td { padding: 3px 4px; }
  th { overflow-wrap: anywhere; font-size: 0.75rem; }
}
"""
# The ranking in two tables that each fit a page: what decides, then every other statistic.
_MAIN_COLUMNS = ("Colour", "Rank", "Model", "KL", "KL 95% interval", "P(best)", "ΔAIC", "p-value", "Parameters",
                 "Free parameters", "Note")
_MORE_COLUMNS = ("Rank", "Model", "Reverse KL", "JS", "Cross-entropy", "log L", "ΔBIC", "G", "dof")
_TEXT_COLUMNS = ("Model", "Parameters", "Note")


def _pairs_html(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th scope='row'>{html.escape(str(a))}</th><td>{html.escape(str(b))}</td></tr>" for a, b in rows)
    return f"<table>{body}</table>"


def _frame_html(frame: pd.DataFrame, css_class: str = "", colors: Mapping[int, str] | None = None) -> str:
    """A table of text cells (escaped); ``colors`` maps a row position to the colour of its "Colour" dot."""
    head = "".join(f"<th scope='col'>{'' if column == 'Colour' else html.escape(str(column))}</th>" for column in frame.columns)
    rows = []
    for position, (_, row) in enumerate(frame.iterrows()):
        cells = []
        for column in frame.columns:
            if column == "Colour":
                color = (colors or {}).get(position)
                cells.append(f"<td class='swatch' style='color: {color}'>●</td>" if color else "<td></td>")
            elif column.split(" (")[0] in _TEXT_COLUMNS:
                cells.append(f"<td>{html.escape(str(row[column]))}</td>")
            else:
                cells.append(f"<td class='num'>{html.escape(str(row[column]))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<div class='wide'><table class='{css_class}'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"


def _ranking_html(comparison: Comparison, max_models: int) -> str:
    """The ranking as two tables that fit a page, the drawn models marked with their figure colours."""
    from kl_core import plots
    from kl_core.display import ranking_display

    shown = ranking_display(comparison.table, comparison.base)
    shown.insert(0, "Colour", "")
    ranked = list(_ordered_models(comparison))
    colors = plots.model_colors(ranked)
    drawn = set(ranked[:max_models])
    keys = [str(key) for key in comparison.table["model"]]
    dots = {position: colors[key] for position, key in enumerate(keys) if key in drawn}

    def columns(names: tuple[str, ...]) -> list[str]:
        return [column for name in names for column in shown.columns if column.split(" (")[0] == name]

    return (_frame_html(shown[columns(_MAIN_COLUMNS)], "ranking", dots)
            + "<p class='note'>Every other statistic:</p>"
            + _frame_html(shown[columns(_MORE_COLUMNS)], "ranking"))


def report_figures(comparison: Comparison, max_models: int = MAX_PLOTTED) -> list[tuple[str, Any]]:
    """(heading, plotly figure) for each figure of the report, in order.

    The models keep one colour each (their ranking position) across all figures. The
    ranking chart shows every fitted model; the other figures the best ``max_models``
    (more make side-by-side plots unreadable), as the app's Compare page does.
    """
    from kl_core import plots

    emp, base = comparison.emp, comparison.base
    ranked = _ordered_models(comparison)
    models = dict(list(ranked.items())[:max_models])
    if not models:
        return [("The data", plots.empirical_figure(emp, base))]
    kl = {key: float(value) for key, value in zip(comparison.table["model"], comparison.table["kl"]) if key in models}
    colors = plots.model_colors(list(models))
    return [
        ("Ranking", plots.ranking_figure(comparison.table, base, colors=plots.model_colors(list(ranked)))),
        ("Data and models", plots.distribution_bars(emp, models, colors=colors)),
        ("Each model against the data", plots.small_multiples(emp, models, kl=kl, base=base, colors=colors)),
        ("Where the information is lost", plots.contributions_figure(emp, models, base, colors=colors)),
        ("Cumulative distributions", plots.cdf_figure(emp, models, colors=colors)),
    ]


def _why_kl(comparison: Comparison) -> str:
    emp, unit = comparison.emp, comparison.unit
    text = (
        "<p>For N observations whose empirical distribution is P̂, a model Q has log-likelihood "
        "<b>log L = −N · (H(P̂) + D<sub>KL</sub>(P̂ ‖ Q))</b> (in nats). The entropy H(P̂) is a property of the data, "
        "the same for every model, so the model with the smallest KL divergence is exactly the model with the "
        "largest likelihood. The KL divergence is the information lost per observation when the data is described "
        "by the model instead of by itself: the extra bits (or nats) a code built for Q pays on data from P̂.</p>"
    )
    table = comparison.table
    finite = table[np.isfinite(table["kl"].astype(float))]
    if emp.n is not None and not finite.empty:
        best = finite.iloc[0]
        h_nats = emp.entropy(math.e)
        kl_nats = float(best["kl"]) * math.log(comparison.base)
        check = -emp.n * (h_nats + kl_nats)
        text += (
            f"<p>Here N = {emp.n:,.10g} and H(P̂) = {emp.entropy(comparison.base):.4f} {html.escape(unit)}. "
            f"For the best model, {html.escape(display_name(best))}, D<sub>KL</sub> = {float(best['kl']):.4f} {html.escape(unit)}, so "
            f"−N · (H + KL) = {check:,.2f} nats, which is its log-likelihood ({float(best['loglik']):,.2f}).</p>"
        )
    elif emp.n is None:
        text += ("<p>This data was given as probabilities, so N is unknown: the KL ranking still holds, but the "
                 "log-likelihood, AIC, BIC and the G-test need N and are not available.</p>")
    return text


def html_report(comparison: Comparison, *, title: str = "KL Model Lab report", source: str | None = None,
                max_models: int = MAX_PLOTTED) -> str:
    """A self-contained HTML report: summary, verdict, ranking, figures, settings, versions.

    The figures draw the best ``max_models`` models, each in the colour it has in the
    app (its rank); the ranking table marks them with that colour.

    plotly.js is inlined once in ``<head>``; the figures use it (``include_plotlyjs=False``)
    and MathJax is off, so the file opens offline and makes no network request. Every
    piece of user text is HTML-escaped.
    """
    import plotly.offline

    from kl_core.display import DELTA_NOTE, not_ranked, request_text, summary_rows

    emp, base, table = comparison.emp, comparison.base, comparison.table
    figures = report_figures(comparison, max_models)
    figure_html = []
    for index, (heading, fig) in enumerate(figures):
        body = fig.to_html(
            full_html=False, include_plotlyjs=False, include_mathjax=False, div_id=f"figure-{index + 1}",
            config={"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]},
            default_width="100%",
        )
        figure_html.append(f"<section class='figure'><h3>{html.escape(heading)}</h3>{body}</section>")
    settings_rows = [
        ("Unit", f"{bits_or_nats(base)} (log base {base:.6g})"),
        ("Zero policy", "strict: a model giving 0 probability to an observed value has KL = ∞"
         if comparison.zero_policy == "strict" else f"ε-floor, ε = {comparison.epsilon:g}: (1−ε)·q + ε/cells"),
    ]
    bootstrap = _bootstrap_resamples(comparison)
    if bootstrap:
        settings_rows.append(("Bootstrap", f"{bootstrap:,} multinomial resamples (seed {_BOOTSTRAP_SEED})"))
    for key, (name, options) in comparison.requests.items():
        settings_rows.append((f"Model {key}", request_text(name, options)))
    dataset_rows = [("Name", emp.name or "(unnamed)")] + summary_rows(emp.summary(base), base)
    if source:
        dataset_rows.append(("Source", source))
    dataset_rows.append(("Fingerprint (SHA-256)", emp.fingerprint()))
    unranked = not_ranked(table)
    notes = ""
    if unranked:
        items = "".join(f"<li><b>{html.escape(name)}</b>: {html.escape(reason)}</li>" for name, reason in unranked)
        notes += f"<p class='note'>Not ranked:</p><ul class='note'>{items}</ul>"
    left_out = len(_ordered_models(comparison)) - max_models
    if left_out > 0:
        notes += (f"<p class='note'>The figures other than the ranking chart draw the best {max_models}, "
                  f"and {left_out:,} more are in the table.</p>")
    if emp.warnings:
        items = "".join(f"<li>{html.escape(w)}</li>" for w in emp.warnings)
        notes += f"<p class='note'>About the data:</p><ul class='note'>{items}</ul>"
    created = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    version_rows = list(versions().items())
    return "\n".join([
        "<!DOCTYPE html>",
        "<html lang='en'>",
        "<head>",
        "<meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style>",
        f"<script type='text/javascript'>{plotly.offline.get_plotlyjs()}</script>",
        "</head>",
        "<body><main>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='meta'>{html.escape(emp.name or 'Unnamed data')} · generated {created} by KL Model Lab "
        f"(kl_core {html.escape(versions()['kl_core'])})</p>",
        f"<p class='verdict'>{html.escape(verdict(table, base))}</p>",
        "<h2>The data</h2>",
        _pairs_html(dataset_rows),
        "<h2>Ranking</h2>",
        f"<p class='note'>Best first, by D<sub>KL</sub>(data ‖ model) in {html.escape(comparison.unit)} per observation. "
        f"log L and G are in nats. {html.escape(DELTA_NOTE)}</p>",
        _ranking_html(comparison, max_models),
        notes,
        "<h2>Figures</h2>",
        *figure_html,
        "<h2>Why KL ranks models</h2>",
        _why_kl(comparison),
        "<h2>Settings and versions</h2>",
        "<div class='pair'>",
        _pairs_html(settings_rows),
        _pairs_html(version_rows),
        "</div>",
        "</main></body>",
        "</html>",
    ])
