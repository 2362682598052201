"""The ranking table, model names and the data summary formatted for people (pure: no Streamlit).

Used by the app's pages, the verdict and the HTML report. Every number is shown to 4
significant digits, infinities as "∞", missing values as "—", parameters through
:func:`kl_core.models.format_params`, and each header names its unit.

Model names: :func:`family_label` turns a registry key into the words people read
("nbinom" -> "negative binomial", "custom" -> "your table"); :func:`display_label`
does it for a ranking row, :func:`fitted_label` for a fitted model (figure legends).
Internal keys stay in exports that need them (CSV, JSON, the Python snippet). The data
itself is always "the data" or its name, never "empirical", so the word cannot name
both the data and a model.

>>> from kl_core import Empirical, rank
>>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
>>> shown = ranking_display(rank(teeth, ["uniform", "binomial"]))
>>> shown[["Rank", "Model", "KL (bits/obs)", "ΔAIC (nats)"]].values.tolist()
[['1', 'uniform', '0.1972', '0'], ['2', 'binomial', '0.6165', '60.13']]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from kl_core.vocabulary import bits_or_nats
from kl_core.models import REGISTRY, FittedModel, format_params

__all__ = [
    "DATA_LABEL", "DELTA_NOTE", "GOF_NOTE", "INFINITY", "MISSING", "RANK_BY_WORDS", "EdgeLimit", "capitalised",
    "columns_named", "display_label", "displayed_params", "edge_limit", "family_label", "fitted_label", "format_count",
    "format_dropped", "format_estimate", "format_interval", "format_number", "header_name", "headers", "model_label",
    "not_ranked", "params_with_errors", "ranked_notes", "ranking_display", "request_text", "summary_rows",
]

DIGITS = 4
INFINITY = "∞"
MISSING = "—"
_PLAIN_RANGE = (1e-4, 1e6)  # magnitudes shown without an exponent
DATA_LABEL = "data"  # what figures and tables call the observed distribution
DELTA_NOTE = ("ΔAIC and ΔBIC: each model's AIC or BIC minus the best (smallest) one, in nats on the −2 log L "
              "scale (2 × the log-likelihood gap plus the penalty for free parameters); 0 is the best, "
              "differences above about 10 are decisive.")
GOF_NOTE = ("KS, CvM and AD: Kolmogorov–Smirnov, Cramér–von Mises and Anderson–Darling statistics on the raw values "
            "(smaller is closer). Their classical p-values assume a model fixed in advance; these parameters were "
            "fitted to the same data, which makes the p-values conservative (too large). Anderson–Darling has no "
            "p-value for an arbitrary model, so none is shown.")
# What the ranking can be ordered by (kl_core.ranking.RANK_BY), in words for a caption.
RANK_BY_WORDS = {"kl": "KL divergence (the same order as the log-likelihood)", "aic": "AIC (log-likelihood penalised "
                 "by 2 per free parameter)", "bic": "BIC (log-likelihood penalised by log N per free parameter)"}

# Registry keys whose label people should not read as is.
_FAMILY_WORDS = {
    "geom": "geometric",
    "custom": "your table",
    "expression": "your formula",
    "empirical": "second dataset",
}
# First words of family labels that are names (kept capitalised): "Poisson", "Student's t".
_EPONYMS = frozenset({
    "Poisson", "Bernoulli", "Zipf", "Zipfian", "Yule", "Skellam", "Boltzmann", "Planck", "Fisher's", "Wallenius'",
    "Weibull", "Laplace", "Student's", "Kolmogorov", "Bradford", "Burr", "Fisk", "Cauchy", "Pareto", "Gompertz",
    "Gumbel", "Gibrat", "Maxwell", "Mielke", "Moyal", "Nakagami", "Lomax", "Pearson", "Rayleigh", "Rice", "Tukey",
    "Wald", "Landau", "Lévy", "Johnson", "Jones", "Crystal", "Gaussian",
})
_FIRST_WORD = re.compile(r"[ \-–(]")
_DEFAULT_TABLE_LABELS = ("custom table", "custom")
_REFERENCE_LABEL = re.compile(r"^dataset '(.*)'$", re.DOTALL)


def format_number(value: Any, digits: int = DIGITS) -> str:
    """A number to ``digits`` significant digits, "∞" for infinity, "—" when missing.

    Examples
    --------
    >>> [format_number(v) for v in (0.19718714117722502, 1234.56, 7, float("inf"), float("-inf"), None)]
    ['0.1972', '1,235', '7', '∞', '−∞', '—']
    >>> format_number(3.2e-9), format_number(0.0), format_number(2.5e7)
    ('3.2e-09', '0', '2.5e+07')
    """
    if value is None or isinstance(value, str):
        return MISSING if not value else value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return MISSING
    if math.isinf(number):
        return INFINITY if number > 0 else f"−{INFINITY}"
    if number == 0:
        return "0"
    if isinstance(value, (int, np.integer)) and abs(number) < 1e15:
        return f"{int(value):,}"
    magnitude = abs(number)
    if not _PLAIN_RANGE[0] <= magnitude < _PLAIN_RANGE[1]:
        return f"{number:.{digits}g}"
    exponent = math.floor(math.log10(magnitude))
    places = digits - 1 - exponent  # negative for 10,000 and above: round to tens, hundreds, ...
    rounded = round(number, places)
    if abs(rounded) >= 10 ** (exponent + 1):  # 0.99996 -> 1.000: one place fewer
        places -= 1
        rounded = round(number, places)
    decimals = max(places, 0)
    text = f"{rounded:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", "−") if number < 0 else text


def format_count(value: Any) -> str:
    """A count (N, support size) as a whole number with thousands separators, or "—".

    Examples
    --------
    >>> format_count(100.0), format_count(2.5), format_count(None)
    ('100', '2.5', '—')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    number = float(value)
    return f"{int(number):,}" if number == round(number) else format_number(number)


def headers(base: float = 2) -> dict[str, str]:
    """Column name in the ranking table -> header shown to people, with units.

    Examples
    --------
    >>> headers(2)["kl"], headers(math.e)["kl"]
    ('KL (bits/obs)', 'KL (nats/obs)')
    """
    unit = bits_or_nats(base)
    return {
        "rank": "Rank",
        "model": "Model",
        "params": "Parameters",
        "n_params": "Free parameters",
        "kl": f"KL ({unit}/obs)",
        "kl_binned": f"KL at these bins ({unit}/obs)",
        "kl_interval": f"KL 95% interval ({unit})",
        "p_best": "P(best)",
        "reverse_kl": f"Reverse KL ({unit})",
        "js": f"JS ({unit})",
        "cross_entropy": f"Cross-entropy ({unit}/obs)",
        "loglik": "log L (nats)",
        "aic": "ΔAIC (nats)",
        "bic": "ΔBIC (nats)",
        "g_stat": "G (nats)",
        "dof": "dof",
        "p_value": "p-value",
        "akaike_weight": "Akaike weight",
        "ks": "KS",
        "ks_pvalue": "KS p (classical)",
        "cvm": "CvM",
        "cvm_pvalue": "CvM p (classical)",
        "ad": "AD",
        "note": "Note",
    }


_NUMERIC_COLUMNS = ("kl_binned", "reverse_kl", "js", "cross_entropy", "loglik", "aic", "bic", "akaike_weight", "g_stat",
                    "p_value")
_ORDER_AFTER_KL = ("kl_binned", "reverse_kl", "js", "cross_entropy", "loglik", "aic", "bic", "akaike_weight", "g_stat",
                   "dof", "p_value")
_GOF_COLUMNS = ("ks", "ks_pvalue", "cvm", "cvm_pvalue", "ad")


def ranking_display(
    table: pd.DataFrame,
    base: float = 2,
    *,
    stderr: Mapping[str, Mapping[str, float]] | None = None,
    gof: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """The ranking table as strings for people: one row per model, in the table's order.

    Rank counts the models with a finite KL; ∞ and failed fits get "—" and keep their
    reason in the Note column. The bootstrap columns appear when ``table`` has them, the
    binned KL ("at these bins") when it has a value. AIC and BIC are shown as ΔAIC / ΔBIC:
    the gap to the smallest finite one (see :data:`DELTA_NOTE`); the raw values stay in
    the exports.

    Parameters
    ----------
    table : DataFrame
        A ranking table (:func:`kl_core.ranking.rank`).
    base : float
        The log base the KL columns are in (for their headers).
    stderr : mapping, optional
        Model key -> {parameter: standard error}: the Parameters column then shows
        ``p=0.544 ± 0.016`` wherever a finite standard error exists (the estimate alone elsewhere).
    gof : mapping, optional
        Model key -> :func:`kl_core.diagnostics.gof_statistics` result: adds the KS, CvM
        and AD columns (p-values only where the result has them; see :data:`GOF_NOTE`).

    Examples
    --------
    >>> table = pd.DataFrame([
    ...     {"model": "poisson", "label": "poisson(mu=5.44)", "params": {"mu": 5.44}, "n_params": 1,
    ...      "kl": 0.13, "note": ""},
    ...     {"model": "geom", "label": "geom", "params": {"p": 0.5}, "n_params": 1,
    ...      "kl": float("inf"), "note": "∞: gives 0 probability to 3"},
    ... ])
    >>> ranking_display(table, math.e)[["Rank", "KL (nats/obs)", "Note"]].values.tolist()
    [['1', '0.13', ''], ['—', '∞', '∞: gives 0 probability to 3']]
    >>> ranking_display(table, stderr={"poisson": {"mu": 0.2332}})["Parameters"].tolist()
    ['mu=5.44 ± 0.23', 'p=0.5']
    """
    names = headers(base)
    rows = []
    position = 0
    best = {column: _smallest_finite(table[column]) for column in ("aic", "bic") if column in table.columns}
    numeric = [column for column in _NUMERIC_COLUMNS if column in table.columns and _has_value(table[column])]
    for _, row in table.iterrows():
        key = str(row.get("model", ""))
        kl = _as_float(row.get("kl"))
        finite = math.isfinite(kl)
        position += finite
        shown: dict[str, str] = {
            names["rank"]: str(position) if finite else MISSING,
            names["model"]: display_label(row),
            names["params"]: _params_text(displayed_params(row.get("params"), row.get("note"), key), (stderr or {}).get(key)),
            names["n_params"]: format_count(row.get("n_params")),
            names["kl"]: format_number(kl),
        }
        if "kl_low" in table.columns:
            shown[names["kl_interval"]] = format_interval(row.get("kl_low"), row.get("kl_high"))
            shown[names["p_best"]] = format_number(row.get("p_best"), 3)
        for column in numeric:
            value = _as_float(row.get(column)) - best[column] if column in best else row.get(column)
            shown[names[column]] = format_number(value, 3 if column == "akaike_weight" else DIGITS)
        if "dof" in table.columns:
            shown[names["dof"]] = format_count(row.get("dof"))
        if gof is not None:
            statistics = gof.get(key) or {}
            for column in _GOF_COLUMNS:
                shown[names[column]] = format_number(statistics.get(column), 3 if column.endswith("pvalue") else DIGITS)
        shown[names["note"]] = str(row.get("note") or "")
        rows.append(shown)
    wanted = ["rank", "model", "params", "n_params", "kl", "kl_interval", "p_best", *_ORDER_AFTER_KL, *_GOF_COLUMNS, "note"]
    columns = [names[key] for key in wanted if names[key] in rows[0]] if rows else [names[key] for key in ("rank", "model", "kl", "note")]
    return pd.DataFrame(rows, columns=columns)


def _has_value(values: pd.Series) -> bool:
    return bool(pd.to_numeric(values, errors="coerce").notna().any())


def header_name(header: str) -> str:
    """A column header without its unit: ``"KL (bits/obs)"`` -> ``"KL"``.

    Examples
    --------
    >>> header_name("KL (bits/obs)"), header_name("Rank"), header_name("KL 95% interval (nats)")
    ('KL', 'Rank', 'KL 95% interval')
    """
    return header.split(" (")[0]


def columns_named(columns: Iterable[str], names: Sequence[str]) -> list[str]:
    """The headers among ``columns`` whose name (:func:`header_name`) is in ``names``, in the order of ``names``.

    Examples
    --------
    >>> columns_named(["Rank", "Model", "KL (bits/obs)", "Note", "JS (bits)"], ["Model", "Rank", "KL"])
    ['Model', 'Rank', 'KL (bits/obs)']
    """
    chosen = [column for column in columns if header_name(column) in names]
    return sorted(chosen, key=lambda column: list(names).index(header_name(column)))


def params_with_errors(params: Mapping[str, Any], stderr: Mapping[str, float] | None = None) -> str:
    """``n=10, p=0.544 ± 0.016``: each parameter with its standard error where one exists.

    A parameter without a finite standard error (fixed, declared, at the edge of its range,
    or a model with no Hessian) is shown alone, as :func:`kl_core.models.format_params` shows it.

    Examples
    --------
    >>> params_with_errors({"n": 10, "p": 0.54400001}, {"p": 0.01575})
    'n=10, p=0.544 ± 0.016'
    >>> params_with_errors({"low": 0.0, "high": 10.0}, {"low": float("nan"), "high": float("nan")})
    'low=0, high=10'
    """
    errors = stderr or {}
    return ", ".join(
        f"{key}={format_estimate(value, errors[key])}" if _finite_error(errors.get(key)) else format_params({key: value})
        for key, value in params.items()
    )


def _finite_error(value: Any) -> bool:
    error = _as_float(value)
    return math.isfinite(error) and error > 0


def format_interval(low: Any, high: Any) -> str:
    """``[0.1234, 0.2345]``, or "—" when either end is missing.

    Examples
    --------
    >>> format_interval(0.12345, float("inf")), format_interval(float("nan"), 1.0)
    ('[0.1235, ∞]', '—')
    """
    low_value, high_value = _as_float(low), _as_float(high)
    if math.isnan(low_value) or math.isnan(high_value):
        return MISSING
    return f"[{format_number(low_value)}, {format_number(high_value)}]"


def format_estimate(value: Any, stderr: Any) -> str:
    """``1.234 ± 0.016``: an estimate to the decimal place of its standard error (2 significant digits).

    Without a finite standard error the value alone, as :func:`format_number` shows it.

    Examples
    --------
    >>> format_estimate(1.23412, 0.01575), format_estimate(591.18, 41.44), format_estimate(1252.73, 353.5)
    ('1.234 ± 0.016', '591 ± 41', '1,250 ± 350')
    >>> format_estimate(0.0997, 0.0996), format_estimate(-2.5, 0.25), format_estimate(0.544, float("nan"))
    ('0.10 ± 0.10', '−2.50 ± 0.25', '0.544')
    >>> format_estimate(0.00079762, 0.00011508), format_estimate(3.2e-9, 1.1e-10)
    ('0.00080 ± 0.00012', '3.20e-09 ± 1.1e-10')
    """
    number, error = _as_float(value), _as_float(stderr)
    if math.isnan(number) or math.isinf(number) or not math.isfinite(error) or error <= 0:
        return format_number(value)
    exponent = math.floor(math.log10(error))
    if round(error, 1 - exponent) >= 10 ** (exponent + 1):  # 0.0996 -> 0.10: one decade up
        exponent += 1
    places = 1 - exponent  # the second significant digit of the error
    if error < _PLAIN_RANGE[0] or max(abs(number), error) >= _PLAIN_RANGE[1]:
        digits = max(math.floor(math.log10(abs(number))) + places, 0) if number else 0
        text = f"{number:.{digits}e} ± {error:.1e}"
    else:
        decimals = max(places, 0)
        text = f"{round(number, places):,.{decimals}f} ± {round(error, places):,.{decimals}f}"
    return text.replace("-", "−") if number < 0 and "e" not in text else text


def not_ranked(table: pd.DataFrame) -> list[tuple[str, str]]:
    """(model, reason) for every row whose KL is infinite or missing (a failed fit).

    Examples
    --------
    >>> table = pd.DataFrame({"model": ["a", "b", "c"], "label": ["a", "b", "c"],
    ...                       "kl": [0.1, float("inf"), float("nan")], "note": ["", "∞: zero at 3", "fit failed: x"]})
    >>> not_ranked(table)
    [('b', '∞: zero at 3'), ('c', 'fit failed: x')]
    """
    out = []
    for _, row in table.iterrows():
        if not math.isfinite(_as_float(row.get("kl"))):
            out.append((display_label(row), str(row.get("note") or "no reason given")))
    return out


def ranked_notes(table: pd.DataFrame) -> list[tuple[list[str], str]]:
    """(models, note) for every note a ranked model (finite KL) carries: each note once, with its models in rank order.

    The notes of the models :func:`not_ranked` lists are left to that list. A note several models
    share (the fits a large sample makes on its fine sketch) is given once, naming them all.

    Examples
    --------
    >>> table = pd.DataFrame({"model": ["norm", "gamma", "t", "geom"], "label": ["norm", "gamma", "t", "geom"],
    ...                       "kl": [0.1, 0.2, 0.3, float("inf")],
    ...                       "note": ["on the sketch", "on the sketch", "", "∞: zero at 3"]})
    >>> ranked_notes(table)
    [(['normal', 'gamma'], 'on the sketch')]
    """
    models: dict[str, list[str]] = {}
    for _, row in table.iterrows():
        note = str(row.get("note") or "").strip()
        if note and math.isfinite(_as_float(row.get("kl"))):
            models.setdefault(note, []).append(display_label(row))
    return [(names, note) for note, names in models.items()]


def summary_rows(summary: Mapping[str, Any], base: float = 2) -> list[tuple[str, str]]:
    """An ``Empirical.summary()`` as (label, text) pairs for a two-column table.

    Examples
    --------
    >>> from kl_core import Empirical
    >>> rows = dict(summary_rows(Empirical.from_counts([0, 1], [1, 3]).summary()))
    >>> rows["Entropy (bits)"], rows["Variance (sample, ÷ N − 1)"], rows["Variance (population, ÷ N)"]
    ('0.8113', '0.25', '0.1875')

    The sample variance divides by N − 1 (numpy's ``ddof=1``); the population one by N.
    Probabilities without N have only the distribution's variance.
    """
    unit = bits_or_nats(base)
    n = summary.get("n")
    dropped = summary.get("dropped") or {}
    rows = [
        ("Observations (N)", format_count(n) if n is not None else "unknown (probabilities)"),
        ("Support size" if summary.get("kind") != "binned" else "Bins", format_count(summary.get("support_size"))),
        ("Kind", str(summary.get("kind", MISSING))),
        ("Dropped rows", format_dropped(dropped)),
    ]
    if summary.get("mean") is not None:
        rows.append(("Mean", format_number(summary["mean"])))
    rows += _variance_rows(summary.get("variance"), n, summary.get("sample_variance"))
    for key, label in (("min", "Min"), ("max", "Max")):
        if summary.get(key) is not None:
            rows.append((label, format_number(summary[key])))
    rows.append((f"Entropy ({unit})", format_number(summary.get("entropy"))))
    return rows


def _variance_rows(population: Any, n: Any, sample: Any = None) -> list[tuple[str, str]]:
    """The sample variance (÷ N − 1) and the population variance (÷ N), each labelled; [] when absent."""
    if population is None:
        return []
    if n is None:
        return [("Variance (of the given probabilities)", format_number(population))]
    count = float(n)
    if sample is None:
        sample = float(population) * count / (count - 1) if count > 1 else math.nan
    return [("Variance (sample, ÷ N − 1)", format_number(sample)), ("Variance (population, ÷ N)", format_number(population))]


def format_dropped(dropped: Mapping[str, int]) -> str:
    """``none`` or ``3 missing, 1 infinite``.

    Examples
    --------
    >>> format_dropped({}), format_dropped({"missing": 1200, "infinite": 1})
    ('none', '1,200 missing, 1 infinite')
    """
    if not dropped:
        return "none"
    return ", ".join(f"{int(count):,} {reason}" for reason, count in dropped.items())


def _params_text(params: Any, stderr: Mapping[str, float] | None = None) -> str:
    if isinstance(params, Mapping):
        return params_with_errors(params, stderr) if stderr else format_params(params)
    return "" if params is None or (isinstance(params, float) and math.isnan(params)) else str(params)


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _smallest_finite(values: Any) -> float:
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    finite = numbers[np.isfinite(numbers)]
    return float(finite.min()) if finite.size else math.nan


# ------------------------------------------------------------------ model names
def family_label(name: str) -> str:
    """The words people read for a registry key: lower case unless the family is named after someone.

    Examples
    --------
    >>> [family_label(n) for n in ("nbinom", "geom", "poisson", "expression", "custom", "empirical", "lognorm")]
    ['negative binomial', 'geometric', 'Poisson', 'your formula', 'your table', 'second dataset', 'log-normal']
    >>> family_label("no_such_family")
    'no_such_family'
    """
    if name in _FAMILY_WORDS:
        return _FAMILY_WORDS[name]
    spec = REGISTRY.get(name)
    if spec is None:
        return name
    return _lower_first(spec.label)


def _lower_first(label: str) -> str:
    """``label`` with its first letter lowered, unless its first word is a name, an acronym or one letter."""
    first = _FIRST_WORD.split(label, maxsplit=1)[0]
    if first in _EPONYMS or len(first) <= 1 or sum(ch.isupper() for ch in first) > 1:
        return label
    return label[:1].lower() + label[1:]


_SELF_DESCRIBED = frozenset({"mixture", "zero_inflated"})  # families whose fitted label says what was fitted


def model_label(key: str, label: str = "", params: Any = None, note: str = "") -> str:
    """A model's display name from its ranking key (``nbinom``, ``binomial#2``) and its own label.

    A second dataset names its file; a family requested twice or more shows its
    parameters so the rows can be told apart. A fit that ran to the edge of its family
    (its ``note`` says so, see :func:`edge_limit`) is named as its limit.

    Examples
    --------
    >>> model_label("nbinom"), model_label("empirical", "dataset 'teeth_2025.csv'")
    ('negative binomial', 'second dataset: teeth_2025.csv')
    >>> model_label("binomial#2", "binomial(n=12, p=0.45)", {"n": 12, "p": 0.45})
    'binomial (n=12, p=0.45)'
    >>> model_label("expression", "p*(1-p)**x (p=0.5)")
    'your formula'
    >>> model_label("t", "t(df=7.2e+10, loc=3.488, scale=1.139)", {}, "df=7.2e+10 ran to the edge of its range: "
    ...             "here Student's t tends to a normal; treated as that limit, the normal (loc=3.488, scale=1.139)")
    "Student's t → normal (df → ∞)"
    """
    name, _, occurrence = str(key).partition("#")
    words = family_label(name)
    edge = edge_limit(note, key, params)
    if edge is not None:
        words = edge.name(words)
        params = displayed_params(params, note, key)
    if name == "empirical":
        match = _REFERENCE_LABEL.match(str(label or ""))
        if match and match.group(1):
            words = f"{words}: {match.group(1)}"
    elif name in _SELF_DESCRIBED and label:
        words = str(label)  # "two normal groups mixed", "Poisson with extra zeros": the fit names itself
    elif name == "custom" and label and label not in _DEFAULT_TABLE_LABELS and not label.startswith("custom("):
        words = f"{words}: {label}"  # a table the user named
    if occurrence:
        text = _params_text(params)
        words = f"{words} ({text})" if text else f"{words} #{occurrence}"
    return words


def display_label(row: Mapping[str, Any]) -> str:
    """The display name of a ranking row (a mapping with ``model``, ``label`` and ``params``).

    For verdicts, tables and reports; :func:`capitalised` starts a sentence with it.

    Examples
    --------
    >>> display_label({"model": "geom", "label": "geom(p=0.2)", "params": {"p": 0.2}})
    'geometric'
    """
    return model_label(str(row.get("model", "")), str(row.get("label") or ""), row.get("params"), _note_text(row.get("note")))


def fitted_label(key: str, model: FittedModel) -> str:
    """The display name of a fitted model under its ranking key (figure legends, panel titles).

    Examples
    --------
    >>> from kl_core import Empirical
    >>> from kl_core.models import fit
    >>> fitted_label("nbinom", fit(Empirical.from_counts([0, 1, 2, 5], [4, 3, 2, 1]), "nbinom"))
    'negative binomial'
    """
    return model_label(key, model.label, model.params, model.note or "")


# ------------------------------------------------------------ fits at an edge of their family
_EDGE = re.compile(r"(?P<parameter>\w+)=(?P<value>[-+0-9.eE]+|inf) ran to the edge of its range: (?P<why>[^;]*)")
_TENDS = re.compile(r"tends to (?:an? )?(?P<limit>.+?)(?: distribution| limit)?$")
_TREATED = re.compile(r"treated as that limit, the (?P<limit>[\w' -]+?) \((?P<params>[^)]*)\)")


# (family, parameter that ran off) -> (the limit in words, its parameters from the fit's): the same random
# variable as the parameter runs off, e.g. gamma: loc + scale·G(a) ≈ N(loc + a·scale, √a·scale) as a → ∞.
_LIMIT_FORMS: dict[tuple[str, str], tuple[str, Any]] = {
    ("t", "df"): ("normal", lambda p: {"loc": p["loc"], "scale": p["scale"]}),
    ("gamma", "a"): ("normal", lambda p: {"loc": p["loc"] + p["a"] * p["scale"], "scale": math.sqrt(p["a"]) * p["scale"]}),
    ("lognorm", "s"): ("normal", lambda p: {"loc": p["loc"] + p["scale"], "scale": p["s"] * p["scale"]}),
    ("invgauss", "mu"): ("normal", lambda p: {"loc": p["loc"] + p["mu"] * p["scale"], "scale": p["mu"] ** 1.5 * p["scale"]}),
    ("weibull_min", "c"): ("Gumbel (minimum)", lambda p: {"loc": p["loc"] + p["scale"], "scale": p["scale"] / p["c"]}),
}


@dataclass(frozen=True)
class EdgeLimit:
    """A fit that ran to the edge of its family's parameter space, as its fitter's note describes it.

    Parameters
    ----------
    parameter : str
        The parameter that ran off (``df``, ``a``, ``c``).
    towards : str
        Where it went: "∞", "−∞" or "0".
    limit : str
        The family it tends to ("normal", "Gumbel (minimum)"), or "" when the note names none.
    params : dict
        The limit's parameters (empty when they are not known).
    """

    parameter: str
    towards: str
    limit: str
    params: dict[str, float]

    def name(self, family_words: str) -> str:
        """``Student's t → normal (df → ∞)``, or ``Weibull at an edge (c → ∞)`` without a named limit."""
        where = f"({self.parameter} → {self.towards})"
        return f"{family_words} → {self.limit} {where}" if self.limit else f"{family_words} at an edge {where}"


def edge_limit(note: Any, key: str = "", params: Any = None) -> EdgeLimit | None:
    """The edge a fit ran to, read from its note (:func:`kl_core.models.continuous.fitting.edge_notes`), or None.

    With the model's ranking ``key`` and fitted ``params``, the limit's parameters are
    computed from them where the limit is known (gamma, Student's t, log-normal, inverse
    Gaussian → normal; Weibull → Gumbel); otherwise they are read from the note's
    "treated as that limit" clause, if any.

    Examples
    --------
    >>> edge = edge_limit("df=7.2e+10 ran to the edge of its range: here Student's t tends to a normal; "
    ...                   "treated as that limit, the normal (loc=3.488, scale=1.139)")
    >>> edge.parameter, edge.towards, edge.limit, edge.params
    ('df', '∞', 'normal', {'loc': 3.488, 'scale': 1.139})
    >>> note = "c=4.73e+08 ran to the edge of its range: here the Weibull tends to a Gumbel (minimum) distribution"
    >>> edge = edge_limit(note, "weibull_min_3p", {"c": 4.73e8, "loc": -4.168e8, "scale": 4.168e8 + 4.0})
    >>> edge.limit, {k: round(v, 6) for k, v in edge.params.items()}
    ('Gumbel (minimum)', {'loc': 4.0, 'scale': 0.881184})
    >>> edge_limit("range taken from the observed minimum and maximum") is None
    True
    """
    text = _note_text(note)
    found = _EDGE.search(text)
    if found is None:
        return None
    parameter, value = found.group("parameter"), float(found.group("value"))
    towards = "0" if abs(value) < 1 else ("∞" if value > 0 else "−∞")
    tends = _TENDS.search(found.group("why").strip())
    limit = tends.group("limit") if tends else ""
    family = re.sub(r"(_3p)?(#\d+)?$", "", str(key))
    form = _LIMIT_FORMS.get((family, parameter))
    if form is not None and isinstance(params, Mapping) and all(k in params for k in (parameter, "loc", "scale")):
        limit, rule = form
        with np.errstate(all="ignore"):
            return EdgeLimit(parameter, towards, limit, {k: float(v) for k, v in rule(params).items()})
    treated = _TREATED.search(text)
    limit_params: dict[str, float] = {}
    if treated:
        limit = treated.group("limit")
        for pair in treated.group("params").split(","):
            name, _, number = pair.strip().partition("=")
            limit_params[name] = float(number)
    return EdgeLimit(parameter, towards, limit, limit_params)


def displayed_params(params: Any, note: Any = "", key: str = "") -> Any:
    """The parameters people see: a fit at an edge shows its limit's (or leaves out the one that ran off).

    Examples
    --------
    >>> displayed_params({"df": 7.2e10, "loc": 3.49, "scale": 1.14},
    ...                  "df=7.2e+10 ran to the edge of its range: here Student's t tends to a normal", "t")
    {'loc': 3.49, 'scale': 1.14}
    >>> displayed_params({"c": 6.7e7, "scale": 3.9}, "c=6.7e+07 ran to the edge of its range: the fit is at a limit")
    {'scale': 3.9}
    """
    edge = edge_limit(note, key, params)
    if edge is None or not isinstance(params, Mapping):
        return params
    if edge.params:
        return dict(edge.params)
    return {name: value for name, value in params.items() if name != edge.parameter}


def _note_text(note: Any) -> str:
    return note if isinstance(note, str) else ""


def capitalised(text: str) -> str:
    """``text`` with its first letter upper case, for the start of a sentence.

    Examples
    --------
    >>> capitalised("negative binomial loses"), capitalised("")
    ('Negative binomial loses', '')
    """
    return text[:1].upper() + text[1:]


def request_text(name: str, options: Mapping[str, Any]) -> str:
    """A model request as a person reads it: the family in words and its options as text, never raw JSON.

    Examples
    --------
    >>> request_text("binomial", {"n": 12})
    'binomial (n=12)'
    >>> request_text("custom", {"values": [0, 1, 2], "weights": [1, 2, 1], "label": "custom table"})
    'your table: 3 values (0, 1, 2) with weights 1, 2, 1'
    >>> request_text("expression", {"formula": "p*(1-p)^x", "start": {"p": 0.3}})
    'your formula: p*(1-p)^x (start p=0.3)'
    >>> request_text("uniform", {})
    'uniform'
    """
    words = family_label(name)
    options = dict(options or {})
    if name == "custom":
        values, weights = list(options.get("values") or []), list(options.get("weights") or [])
        return f"{words}: {len(values):,} values ({_some(values)}) with weights {_some(weights)}"
    if name == "expression":
        start = dict(options.get("start") or {})
        extra = f" (start {format_params(start)})" if start else ""
        return f"{words}: {options.get('formula', '')}{extra}"
    if name == "empirical":
        reference = options.get("reference")
        label = getattr(reference, "name", "") or ""
        n = getattr(reference, "n", None)
        size = f" ({format_count(n)} observations)" if n is not None else ""
        return f"{words}{': ' + label if label else ''}{size}"
    return f"{words} ({format_params(options)})" if options else words


def _some(items: list[Any], shown: int = 6) -> str:
    """The first few items as text, with how many more."""
    text = ", ".join(format_number(item) if not isinstance(item, str) else item for item in items[:shown])
    return text + (f", … ({len(items) - shown:,} more)" if len(items) > shown else "")
