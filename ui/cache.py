"""Expensive work cached by content, with bounded size.

* Reading an upload: ``st.cache_data`` keyed on the sha256 of the bytes (the bytes
  themselves are an underscore argument, so they are never hashed by Streamlit).
* A comparison: ``st.cache_resource`` (a ``Comparison`` holds closures and cannot be
  pickled) keyed on the data's fingerprint, a canonical string of the requests, and the
  units, zero policy, ε and bootstrap size. The cached resource is a small slot filled
  outside the cached function, so ``compare``'s progress callback can drive an
  ``st.progress`` bar (elements called inside a cached function would be replayed).
* A KL-versus-parameter sweep: ``st.cache_data`` on the same kind of key.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import streamlit as st

from kl_core import Empirical
from kl_core.io import read_table_bounded
from kl_core.plain import plain
from kl_core.ranking import Comparison, compare, kl_sweep

MAX_UPLOADS = 16
MAX_COMPARISONS = 32
MAX_SWEEPS = 64


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
        return {"empirical": value.fingerprint()}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if value is None or isinstance(value, str):
        return value
    return repr(value)


def comparison_key(emp: Empirical, requests: Sequence[Any], base: float, zero_policy: str, epsilon: float, bootstrap: int) -> str:
    """The cache key of a comparison."""
    settings = {"base": base, "policy": zero_policy, "epsilon": epsilon if zero_policy == "epsilon" else None, "B": bootstrap}
    return f"{emp.fingerprint()}|{canonical(list(requests))}|{canonical(settings)}"


@st.cache_resource(max_entries=MAX_COMPARISONS, show_spinner=False)
def _slot(key: str) -> dict[str, Any]:
    return {"lock": threading.Lock()}


def cached_comparison(key: str) -> Comparison | None:
    """The comparison under ``key`` if it has been computed, else None (never computes)."""
    return _slot(key).get("comparison")


def comparison(
    emp: Empirical,
    requests: Sequence[Any],
    base: float,
    zero_policy: str,
    epsilon: float,
    bootstrap: int = 0,
    progress: Callable[[int, int, str], None] | None = None,
) -> Comparison:
    """``kl_core.ranking.compare``, computed once per key (DataError passes through)."""
    slot = _slot(comparison_key(emp, requests, base, zero_policy, epsilon, bootstrap))
    with slot["lock"]:
        if "comparison" not in slot:
            slot["comparison"] = compare(
                emp, list(requests), base=base, zero_policy=zero_policy, epsilon=epsilon,
                bootstrap=bootstrap, progress=progress,
            )
        return slot["comparison"]


@st.cache_data(max_entries=MAX_SWEEPS, show_spinner="Refitting along the parameter…")
def _sweep_cached(key: str, name: str, parameter: str, values: tuple[float, ...], base: float,
                  _emp: Empirical, _options: Mapping[str, Any]) -> pd.DataFrame:
    return kl_sweep(_emp, name, parameter, list(values), base, **dict(_options))


def sweep(emp: Empirical, name: str, parameter: str, values: Sequence[float], base: float,
          options: Mapping[str, Any]) -> pd.DataFrame:
    """``kl_core.ranking.kl_sweep`` cached on the data's fingerprint and the options."""
    key = f"{emp.fingerprint()}|{canonical(dict(options))}"
    return _sweep_cached(key, name, parameter, tuple(float(v) for v in values), float(base), emp, dict(options))

