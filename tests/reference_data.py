"""Read the real public datasets and R's reference fits on them, for the tests.

The files live in ``tests/data/real/`` (the datasets, as R's ``write.csv`` saved them) and
``tests/data/reference/`` (``mle_fits.csv``, ``zero_inflated.csv``, ``mixtures.csv``,
``gof_stats.csv``, written by ``make_reference_mle.R``; see the README there). R is never
needed: these functions only read CSV files.

Examples
--------
>>> real_dataset("faithful").shape
(272, 2)
>>> ref = mle_reference("precip", "precip", "gamma")
>>> round(ref["params"]["shape"], 4), ref["n"]
(4.7171, 70)
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "REAL", "REFERENCE", "SCIPY", "gof_reference", "mixture_reference", "mle_reference", "real_dataset",
    "real_datasets", "real_values", "zero_inflated_reference",
]

REAL = Path(__file__).parent / "data" / "real"
REFERENCE = Path(__file__).parent / "data" / "reference"

# R's parametrisation -> the scipy distribution it names (fitdistrplus's `distr` names).
SCIPY: dict[str, Callable[[dict[str, float]], Any]] = {
    "norm": lambda p: stats.norm(p["mean"], p["sd"]),
    "lnorm": lambda p: stats.lognorm(p["sdlog"], scale=math.exp(p["meanlog"])),
    "gamma": lambda p: stats.gamma(p["shape"], scale=1 / p["rate"]),
    "weibull": lambda p: stats.weibull_min(p["shape"], scale=p["scale"]),
    "exp": lambda p: stats.expon(scale=1 / p["rate"]),
    "logis": lambda p: stats.logistic(p["location"], p["scale"]),
    "pois": lambda p: stats.poisson(p["lambda"]),
    "nbinom": lambda p: stats.nbinom(p["size"], p["size"] / (p["size"] + p["mu"])),
    "geom": lambda p: stats.geom(p["prob"], loc=-1),
}


def real_datasets() -> list[str]:
    """Names of the real datasets, one per CSV file in ``tests/data/real/``.

    Examples
    --------
    >>> "rivers" in real_datasets() and "airquality" in real_datasets()
    True
    """
    return sorted(path.stem for path in REAL.glob("*.csv"))


def real_dataset(name: str) -> pd.DataFrame:
    """The real dataset ``name`` as a DataFrame, empty cells read as NaN.

    Examples
    --------
    >>> air = real_dataset("airquality")
    >>> len(air), int(air["Ozone"].isna().sum())
    (153, 37)
    """
    path = REAL / f"{name}.csv"
    if not path.is_file():
        raise KeyError(f"no real dataset {name!r}; there are {', '.join(real_datasets())}")
    return pd.read_csv(path)


def real_values(dataset: str, variable: str) -> np.ndarray:
    """The non-missing values of one column, as float64: exactly what R fitted.

    Examples
    --------
    >>> real_values("airquality", "Ozone").size
    116
    """
    return real_dataset(dataset)[variable].dropna().to_numpy(dtype=float)


@cache
def _table(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name)


def _rows(name: str, **keys: Any) -> pd.DataFrame:
    table = _table(name)
    mask = np.ones(len(table), dtype=bool)
    for column, value in keys.items():
        mask &= (table[column] == value).to_numpy()
    rows = table[mask]
    if rows.empty:
        raise KeyError(f"{name} has no rows for {keys}")
    return rows


def _fit(rows: pd.DataFrame) -> dict[str, Any]:
    first = rows.iloc[0]
    return {
        "params": dict(zip(rows["param"], rows["estimate"].astype(float))),
        "sd": dict(zip(rows["param"], rows["sd"].astype(float))),
        "loglik": float(first["loglik"]),
        "aic": float(first["aic"]),
        "bic": float(first["bic"]),
        "n": int(first["n"]),
    }


def mle_reference(dataset: str, variable: str, distr: str) -> dict[str, Any]:
    """R ``fitdistrplus::fitdist(x, distr, method="mle")`` of one column of a real dataset.

    Parameters
    ----------
    dataset, variable : str
        The file stem in ``tests/data/real/`` and its column.
    distr : str
        R's distribution name: norm, lnorm, gamma, weibull, exp, logis, pois, nbinom, geom.

    Returns
    -------
    dict
        ``params`` and ``sd`` (dicts keyed by R's parameter names), ``loglik``, ``aic``,
        ``bic`` (floats) and ``n`` (int).

    Examples
    --------
    >>> ref = mle_reference("rivers", "length", "pois")
    >>> round(ref["loglik"], 2), ref["params"].keys() == {"lambda"}
    (-20522.58, True)
    """
    return _fit(_rows("mle_fits.csv", dataset=dataset, variable=variable, distr=distr))


def zero_inflated_reference(dataset: str, variable: str, distr: str) -> dict[str, Any]:
    """R's zero-inflated fit (``zipois`` or ``zinbinom``), as :func:`mle_reference` plus ``note``.

    Examples
    --------
    >>> ref = zero_inflated_reference("toxocara", "number", "zipois")
    >>> round(ref["params"]["pstr0"], 4), ref["note"]
    (0.2641, 'interior MLE')
    """
    rows = _rows("zero_inflated.csv", dataset=dataset, variable=variable, distr=distr)
    return {**_fit(rows), "note": str(rows.iloc[0]["note"])}


def mixture_reference(dataset: str, variable: str, k: int, family: str = "norm") -> dict[str, Any]:
    """R's k-component mixture: ``weights``, ``means``, ``sds`` (ordered by mean), ``loglik``, ``n``.

    Examples
    --------
    >>> ref = mixture_reference("faithful", "eruptions", 2)
    >>> round(ref["loglik"], 1), [round(m, 3) for m in ref["means"]]
    (-276.4, [2.019, 4.273])
    """
    rows = _rows("mixtures.csv", dataset=dataset, variable=variable, k=k, family=family)
    value = dict(zip(rows["param"], rows["estimate"].astype(float)))
    return {
        "weights": [value[f"weight{j}"] for j in range(1, k + 1)],
        "means": [value[f"mean{j}"] for j in range(1, k + 1)],
        "sds": [value[f"sd{j}"] for j in range(1, k + 1)],
        "loglik": float(rows.iloc[0]["loglik"]),
        "n": int(rows.iloc[0]["n"]),
    }


def gof_reference(dataset: str, variable: str, distr: str) -> dict[str, float]:
    """R ``fitdistrplus::gofstat`` statistics of a continuous fit: ``ks``, ``cvm``, ``ad``.

    ``ad`` is gofstat's own (``inf`` where 1 − F(max) rounds to 0); ``ad_log`` is the same
    statistic computed in log space by the script, finite everywhere.

    Examples
    --------
    >>> sorted(gof_reference("faithful", "eruptions", "norm"))
    ['ad', 'ad_log', 'cvm', 'ks']
    >>> gof_reference("danishuni", "Loss", "norm")["ad"]
    inf
    """
    row = _rows("gof_stats.csv", dataset=dataset, variable=variable, distr=distr).iloc[0]
    return {name: float(row[name]) for name in ("ks", "cvm", "ad", "ad_log")}
