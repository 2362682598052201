"""The ranking table and the data summary formatted for people (pure: no Streamlit).

Used by the app's Compare and Data pages and by the HTML report. Every number is
shown to 4 significant digits, infinities as "∞", missing values as "—", parameters
through :func:`kl_core.models.format_params`, and each header names its unit.

>>> from kl_core import Empirical, rank
>>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
>>> shown = ranking_display(rank(teeth, ["uniform", "binomial"]))
>>> shown[["Rank", "Model", "KL (bits/obs)"]].values.tolist()
[['1', 'uniform', '0.1972'], ['2', 'binomial', '0.6165']]
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from kl_core.empirical import bits_or_nats
from kl_core.models import format_params
from kl_core.ranking import display_name

DIGITS = 4
INFINITY = "∞"
MISSING = "—"
_PLAIN_RANGE = (1e-4, 1e6)  # magnitudes shown without an exponent


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
        "n_params": "Fitted parameters",
        "kl": f"KL ({unit}/obs)",
        "kl_interval": f"KL 95% interval ({unit})",
        "p_best": "P(best)",
        "reverse_kl": f"Reverse KL ({unit})",
        "js": f"JS ({unit})",
        "cross_entropy": f"Cross-entropy ({unit}/obs)",
        "loglik": "log L (nats)",
        "aic": "AIC (nats)",
        "bic": "BIC (nats)",
        "g_stat": "G (nats)",
        "dof": "dof",
        "p_value": "p-value",
        "note": "Note",
    }


_NUMERIC_COLUMNS = ("reverse_kl", "js", "cross_entropy", "loglik", "aic", "bic", "g_stat", "p_value")
_ORDER_AFTER_KL = ("reverse_kl", "js", "cross_entropy", "loglik", "aic", "bic", "g_stat", "dof", "p_value")


def ranking_display(table: pd.DataFrame, base: float = 2) -> pd.DataFrame:
    """The ranking table as strings for people: one row per model, best first.

    Rank counts the models with a finite KL; ∞ and failed fits get "—" and keep their
    reason in the Note column. The bootstrap columns appear when ``table`` has them.

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
    """
    names = headers(base)
    rows = []
    position = 0
    for _, row in table.iterrows():
        kl = _as_float(row.get("kl"))
        finite = math.isfinite(kl)
        position += finite
        shown: dict[str, str] = {
            names["rank"]: str(position) if finite else MISSING,
            names["model"]: display_name(row),
            names["params"]: _params_text(row.get("params")),
            names["n_params"]: format_count(row.get("n_params")),
            names["kl"]: format_number(kl),
        }
        if "kl_low" in table.columns:
            shown[names["kl_interval"]] = format_interval(row.get("kl_low"), row.get("kl_high"))
            shown[names["p_best"]] = format_number(row.get("p_best"), 3)
        for column in _NUMERIC_COLUMNS:
            if column in table.columns:
                shown[names[column]] = format_number(row.get(column))
        if "dof" in table.columns:
            shown[names["dof"]] = format_count(row.get("dof"))
        shown[names["note"]] = str(row.get("note") or "")
        rows.append(shown)
    wanted = ["rank", "model", "params", "n_params", "kl", "kl_interval", "p_best", *_ORDER_AFTER_KL, "note"]
    columns = [names[key] for key in wanted if names[key] in rows[0]] if rows else [names[key] for key in ("rank", "model", "kl", "note")]
    return pd.DataFrame(rows, columns=columns)


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
            out.append((display_name(row), str(row.get("note") or "no reason given")))
    return out


def summary_rows(summary: Mapping[str, Any], base: float = 2) -> list[tuple[str, str]]:
    """An ``Empirical.summary()`` as (label, text) pairs for a two-column table.

    Examples
    --------
    >>> from kl_core import Empirical
    >>> dict(summary_rows(Empirical.from_counts([0, 1], [1, 3]).summary()))["Entropy (bits)"]
    '0.8113'
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
    for key, label in (("mean", "Mean"), ("variance", "Variance"), ("min", "Min"), ("max", "Max")):
        if summary.get(key) is not None:
            rows.append((label, format_number(summary[key])))
    rows.append((f"Entropy ({unit})", format_number(summary.get("entropy"))))
    return rows


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


def _params_text(params: Any) -> str:
    if isinstance(params, Mapping):
        return format_params(params)
    return "" if params is None or (isinstance(params, float) and math.isnan(params)) else str(params)


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
