"""How sure the fits are of their parameters, on Compare: ± standard errors and bootstrap intervals.

Standard errors (:func:`kl_core.uncertainty.standard_errors`) are cached by that module per
data and model; for continuous families they need a numerical Hessian (a few seconds per
model), so the ± is a toggle, on by default only for counts, where it is quick.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd
import streamlit as st

from kl_core import DataError, Empirical
from kl_core.display import format_interval, format_number
from kl_core.models import FittedModel
from kl_core.uncertainty import MAX_RESAMPLES, parameter_intervals, standard_errors
from ui.cache import canonical

__all__ = ["INTERVAL_LEVEL", "STDERR_WIDGET", "bootstrap_intervals", "errors_wanted", "standard_errors_by_model"]

STDERR_WIDGET = "w_stderr"
INTERVAL_LEVEL = 0.95
_MAX_INTERVALS = 64


def errors_wanted(emp: Empirical) -> bool:
    """The "± standard errors" toggle (on by default for counts, off for continuous data)."""
    if STDERR_WIDGET not in st.session_state:
        st.session_state[STDERR_WIDGET] = emp.kind != "binned"
    return bool(st.toggle("± standard errors", key=STDERR_WIDGET,
                          help="Each parameter with its standard error from the observed information (the curvature of "
                               "the log-likelihood at the fit), as R's fitdistrplus reports it. For continuous families "
                               "this takes a few seconds per model, once."))


def standard_errors_by_model(emp: Empirical, fitted: Mapping[str, FittedModel]) -> dict[str, dict[str, float]]:
    """Model key -> {parameter: standard error} (NaN or absent where none exists; never raises)."""
    out: dict[str, dict[str, float]] = {}
    with st.spinner("Computing standard errors…"):
        for key, model in fitted.items():
            try:
                out[key] = standard_errors(emp, model)
            except Exception:  # noqa: BLE001 - a model without a Hessian shows its estimate alone
                out[key] = {}
    return out


@st.cache_data(max_entries=_MAX_INTERVALS, show_spinner=False)
def _intervals_cached(key: str, _emp: Empirical, name: str, _options: Mapping[str, Any], resamples: int) -> pd.DataFrame:
    return parameter_intervals(_emp, (name, dict(_options)), resamples, level=INTERVAL_LEVEL)


def bootstrap_intervals(emp: Empirical, requests: Mapping[str, tuple[str, dict[str, Any]]], labels: Mapping[str, str],
                        order: Sequence[str], resamples: int) -> None:
    """The 95 % bootstrap intervals of one chosen model's parameters (fitdistrplus ``bootdist``)."""
    if resamples < 2 or emp.n is None:
        return
    keys = [key for key in order if key in requests]
    if not keys:
        return
    st.markdown(f"**{INTERVAL_LEVEL:.0%} bootstrap intervals of the parameters** ({min(resamples, MAX_RESAMPLES):,} resamples)")
    column, _ = st.columns([1, 2])
    with column:
        key = st.selectbox("Model", keys, format_func=lambda k: labels.get(k, k), key="w_interval_model")
    name, options = requests[key]
    with st.spinner(f"Refitting {labels.get(key, key)} on {resamples:,} resamples…"):
        try:
            table = _intervals_cached(f"{emp.fingerprint()}|{canonical([name, options])}|{resamples}", emp, name,
                                      dict(options), min(resamples, MAX_RESAMPLES))
        except DataError as error:
            st.caption(f"No bootstrap intervals for this model: {error}")
            return
    if table.empty:
        st.caption("This model has no free parameters: nothing to resample.")
        return
    shown = pd.DataFrame({
        "Parameter": table["parameter"],
        "Estimate": [format_number(v) for v in table["estimate"]],
        f"{INTERVAL_LEVEL:.0%} bootstrap interval": [format_interval(lo, hi) for lo, hi in zip(table["low"], table["high"])],
        "Resamples fitted": [f"{int(v):,}" for v in table["resamples"]],
    })
    st.dataframe(shown, hide_index=True, width="stretch", key="parameter_intervals")
    st.caption("Percentile intervals: the family refitted on resamples of the data (N observations drawn with "
               "replacement); the middle 95 % of the refitted values.")

