"""Compare's checks of continuous fits: goodness-of-fit statistics and how the binned KL depends on the bins.

Both are computed once per data, model and parameters (``st.cache_resource``: a fitted
model holds closures), so a tab switch or a change of units recomputes nothing.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import pandas as pd
import streamlit as st

from kl_core import DataError, Empirical
from kl_core.continuous_kl import binned_winner_warning, kl_binned_at
from kl_core.diagnostics import gof_statistics
from kl_core.display import format_number
from kl_core.vocabulary import bits_or_nats
from kl_core.models import FittedModel
from ui.cache import canonical

__all__ = ["BINNED_SHOWN", "binned_frame", "binned_resolutions", "gof_by_model"]

BINNED_SHOWN = 5  # models in the bins table: the best few are what a reader compares
_MAX_CACHED = 512


def _model_key(emp: Empirical, key: str, model: FittedModel) -> str:
    return f"{emp.fingerprint()}|{key}|{model.name}|{canonical(dict(model.params))}"


@st.cache_resource(max_entries=_MAX_CACHED, show_spinner=False)
def _gof_cached(key: str, _emp: Empirical, _model: FittedModel) -> dict[str, Any] | None:
    try:
        return gof_statistics(_emp, _model)
    except (DataError, ValueError, FloatingPointError):
        return None


def gof_by_model(emp: Empirical, fitted: Mapping[str, FittedModel]) -> dict[str, dict[str, Any]] | None:
    """KS, CvM and AD of every continuous model on continuous data (None for other data)."""
    if emp.kind != "binned":
        return None
    out = {}
    for key, model in fitted.items():
        if model.continuous:
            row = _gof_cached(_model_key(emp, key, model), emp, model)
            if row is not None:
                out[key] = row
    return out


@st.cache_resource(max_entries=_MAX_CACHED, show_spinner=False)
def _binned_cached(key: str, _emp: Empirical, _model: FittedModel) -> dict[int, float] | None:
    try:
        return kl_binned_at(_emp, _model, base=math.e)
    except (DataError, ValueError, FloatingPointError):
        return None


def binned_frame(emp: Empirical, models: Mapping[str, FittedModel], labels: Mapping[str, str],
                 kl: Mapping[str, float], base: float) -> pd.DataFrame | None:
    """One row per model: its bin-free KL (D̂) and its binned KL at half, the display and double bin counts."""
    unit = bits_or_nats(base)
    rows = []
    for key, model in models.items():
        at = _binned_cached(_model_key(emp, key, model), emp, model)
        if at is None:
            continue
        row = {"Model": labels[key], f"KL (D̂, {unit}/obs)": format_number(kl.get(key))}
        for count, value in at.items():
            row[f"{count} bins{' (these bins)' if count == emp.k else ''}"] = format_number(value / math.log(base))
        rows.append(row)
    return pd.DataFrame(rows) if rows else None


@st.cache_resource(max_entries=_MAX_CACHED, show_spinner=False)
def _warning_cached(key: str, _emp: Empirical, _models: Mapping[str, FittedModel]) -> str:
    try:
        return binned_winner_warning(_emp, _models)
    except (DataError, ValueError, FloatingPointError):
        return ""


def _binned_disagreement(emp: Empirical, models: Mapping[str, FittedModel], labels: Mapping[str, str],
                         kl: Mapping[str, float]) -> str:
    """A warning when every bin count agrees on a winner that is not D̂'s ('' otherwise)."""
    at = {key: _binned_cached(_model_key(emp, key, model), emp, model) for key, model in models.items()}
    at = {key: values for key, values in at.items() if values and math.isfinite(kl.get(key, math.nan))}
    if len(at) < 2:
        return ""
    counts = list(next(iter(at.values())))
    winners = {min(at, key=lambda key: at[key][count]) for count in counts}
    best = min(at, key=lambda key: kl[key])
    if len(winners) != 1 or best in winners:
        return ""
    binned = labels[winners.pop()]
    return (f"At {', '.join(str(c) for c in counts)} bins the binned KL ranks {binned} first; the bin-free KL (D̂), "
            f"from the raw values, ranks {labels[best]} first. The ranking follows D̂.")


def binned_resolutions(emp: Empirical, models: Mapping[str, FittedModel], labels: Mapping[str, str],
                       kl: Mapping[str, float], base: float) -> None:
    """The expander "How the binned KL depends on the bins" and, when the binned winner moves, a warning."""
    if emp.kind != "binned" or emp.sketch is None or not models:
        return
    shown = dict(list(models.items())[:BINNED_SHOWN])
    cache_key = "||".join(f"{_model_key(emp, key, model)}|{labels[key]}" for key, model in shown.items())
    warning = _warning_cached(cache_key, emp, {labels[key]: model for key, model in shown.items()}) or _binned_disagreement(
        emp, shown, labels, kl)
    if warning:
        st.warning(warning, icon=":material/warning:")
    expander = st.expander("How the binned KL depends on the bins", key="x_binned", on_change="rerun")
    if expander.open is False:  # drawn only when open (None: state not tracked, then always)
        return
    with expander:
        frame = binned_frame(emp, shown, labels, kl, base)
        if frame is None:
            st.caption("No binned KL for these models.")
            return
        st.dataframe(frame, hide_index=True, width="stretch", key="binned_kl_table")
        st.caption("The ranking's KL is D̂, from the raw values: it does not depend on bins. The binned KL compares "
                   "bin frequencies with the model's bin probabilities, so it changes with the bin count; the column "
                   "\"at these bins\" in All statistics is the one at the display bins.")
