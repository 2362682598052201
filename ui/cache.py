"""Expensive work cached by content, with bounded size.

* Reading an upload: ``st.cache_data`` keyed on the sha256 of the bytes (the bytes
  themselves are an underscore argument, so they are never hashed by Streamlit).
* A fitted model: ``st.cache_resource`` keyed on the data's fingerprint and the one
  request, so a change of zero policy, ε or the set of models refits nothing already fitted.
* A comparison: ``st.cache_resource`` (a ``Comparison`` holds closures and cannot be
  pickled) keyed on the data's fingerprint, a canonical string of the requests, the zero
  policy, ε and bootstrap size, but never the units: it is computed once in nats and
  converted on display (KL in bits = KL in nats / ln 2). The cached resource is a small
  slot filled outside the cached function, so the progress callback can drive an
  ``st.progress`` bar (elements called inside a cached function would be replayed).
* A KL-versus-parameter sweep: ``st.cache_data`` on the same kind of key, in nats too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import threading
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import streamlit as st

from kl_core import Empirical, vocabulary
from kl_core.io import read_table_bounded
from kl_core.plain import plain
from kl_core.models import FittedModel, fit
from kl_core.ranking import Comparison, compare, kl_sweep, named_requests, request_specs

MAX_UPLOADS = 16
MAX_COMPARISONS = 32
MAX_FITS = 256  # a fitted model is small, but may hold on to its data (user tables, a second dataset)
MAX_SWEEPS = 64
# Ranking columns in the unit of the log base; the others are in nats (log-likelihood, AIC, BIC, G) or have no unit.
UNIT_COLUMNS = ("kl", "reverse_kl", "js", "cross_entropy", "kl_low", "kl_high", "kl_binned")


def digest(data: bytes) -> str:
    """sha256 of some bytes, as hex."""
    return hashlib.sha256(data).hexdigest()


@st.cache_data(max_entries=MAX_UPLOADS, show_spinner="Reading the file…")
def _read_cached(sha256: str, filename: str, _data: bytes, sheet: str | None = None) -> pd.DataFrame:
    return read_table_bounded(_data, filename, **({"sheet": sheet} if sheet is not None else {}))


def read_upload(data: bytes, filename: str, sheet: str | None = None) -> pd.DataFrame:
    """``kl_core.io.read_table_bounded`` on an upload (a worker with memory and time caps), cached on its
    sha256 (DataError passes through)."""
    return _read_cached(digest(data), filename, data, sheet)


def canonical(value: Any) -> str:
    """A stable text for model requests and options (an Empirical by its fingerprint).

    Examples
    --------
    >>> canonical([("binomial", {"p": 0.5, "n": 10})]) == canonical([("binomial", {"n": 10, "p": 0.5})])
    True
    """
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"))


def _plain(value: Any) -> Any:
    return plain(value, _key_leaf)


def _key_leaf(value: Any) -> Any:
    if isinstance(value, Empirical):
        return {"empirical": value.fingerprint(), "name": value.name}  # the name labels the model ("second dataset: …")
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if value is None or isinstance(value, str):
        return value
    return repr(value)


def comparison_key(emp: Empirical, requests: Sequence[Any], base: float | None = None, zero_policy: str = "strict",
                   epsilon: float = vocabulary.EPSILON, bootstrap: int = 0) -> str:
    """The cache key of a comparison; ``base`` is accepted and left out (units are converted, never refitted)."""
    settings = {"policy": zero_policy, "epsilon": epsilon if zero_policy == "epsilon" else None, "B": bootstrap}
    return f"{emp.fingerprint()}|{canonical(list(requests))}|{canonical(settings)}"


def in_base(result: Comparison, base: float) -> Comparison:
    """``result`` with its information columns in the unit of ``base`` (a cheap copy; nothing refitted).

    Examples
    --------
    >>> from kl_core.samples import SAMPLES
    >>> nats = compare(SAMPLES["worms"].empirical(), ["uniform"], base=math.e)
    >>> round(float(in_base(nats, 2).table["kl"].iloc[0]), 5), in_base(nats, 2).unit
    (0.19719, 'bits')
    """
    if base == result.base:
        return result
    factor = math.log(result.base) / math.log(base)
    table = result.table.copy()
    for column in UNIT_COLUMNS:
        if column in table.columns:
            table[column] = table[column].astype(float) * factor
    return dataclasses.replace(result, table=table, base=base)


@st.cache_resource(max_entries=MAX_COMPARISONS, show_spinner=False)
def _slot(key: str) -> dict[str, Any]:
    return {"lock": threading.Lock()}


def cached_comparison(key: str, base: float = 2) -> Comparison | None:
    """The comparison under ``key`` in the unit of ``base`` if it has been computed, else None (never computes)."""
    slot = _slot(key)
    return None if slot.get("comparison") is None else _shown_in(slot, base)


def _shown_in(slot: dict[str, Any], base: float) -> Comparison:
    """The slot's comparison in ``base``, converted once per unit (reruns then cost nothing here)."""
    shown = slot.setdefault("in_base", {})
    if base not in shown:
        shown[base] = in_base(slot["comparison"], base)
    return shown[base]


@st.cache_resource(max_entries=MAX_FITS, show_spinner=False)
def _fit_cached(key: str, _emp: Empirical, name: str, _options: Mapping[str, Any]) -> FittedModel | None:
    try:
        return fit(_emp, name, **dict(_options))
    except Exception:  # noqa: BLE001 - compare() refits it and reports why, as a row
        return None


def fitted(emp: Empirical, request: Any) -> Any:
    """The request's fitted model, computed once per data and request; the request itself when the fit fails."""
    if isinstance(request, FittedModel):
        return request
    name, options = (request, {}) if isinstance(request, str) else (request[0], dict(request[1]))
    model = _fit_cached(f"{emp.fingerprint()}|{canonical([name, options])}", emp, name, options)
    return model if model is not None and model.name == name else request


def comparison(
    emp: Empirical,
    requests: Sequence[Any],
    base: float,
    zero_policy: str,
    epsilon: float,
    bootstrap: int = 0,
    progress: Callable[[int, int, str], None] | None = None,
) -> Comparison:
    """``kl_core.ranking.compare``, computed once per key in nats and shown in ``base`` (DataError passes through).

    Each model is fitted once per dataset (:func:`fitted`); a bootstrap refits the
    requests on every resample, so it gets them as requests.
    """
    slot = _slot(comparison_key(emp, requests, base, zero_policy, epsilon, bootstrap))
    with slot["lock"]:
        if "comparison" not in slot:
            slot["comparison"] = _compare_in_nats(emp, list(requests), zero_policy, epsilon, bootstrap, progress)
        return _shown_in(slot, base)


def _compare_in_nats(emp: Empirical, requests: list[Any], zero_policy: str, epsilon: float, bootstrap: int,
                     progress: Callable[[int, int, str], None] | None) -> Comparison:
    if bootstrap:
        return compare(emp, requests, base=math.e, zero_policy=zero_policy, epsilon=epsilon, bootstrap=bootstrap,
                       progress=progress)
    ready = []
    for index, (key, request) in enumerate(named_requests(requests).items()):
        if progress:
            progress(index, len(requests), key)
        ready.append(fitted(emp, request))
    result = compare(emp, ready, base=math.e, zero_policy=zero_policy, epsilon=epsilon)
    return dataclasses.replace(result, requests=request_specs(requests))


@st.cache_data(max_entries=MAX_SWEEPS, show_spinner="Refitting along the parameter…")
def _sweep_cached(key: str, name: str, parameter: str, values: tuple[float, ...],
                  _emp: Empirical, _options: Mapping[str, Any]) -> pd.DataFrame:
    return kl_sweep(_emp, name, parameter, list(values), math.e, **dict(_options))


def sweep(emp: Empirical, name: str, parameter: str, values: Sequence[float], base: float,
          options: Mapping[str, Any]) -> pd.DataFrame:
    """``kl_core.ranking.kl_sweep`` cached on the data's fingerprint and the options (in nats), shown in ``base``."""
    key = f"{emp.fingerprint()}|{canonical(dict(options))}"
    curve = _sweep_cached(key, name, parameter, tuple(float(v) for v in values), emp, dict(options))
    return curve.assign(kl=curve["kl"] / math.log(base))

