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
from kl_core.display import edge_limit, format_interval, format_number
from kl_core.models import FittedModel
from kl_core.uncertainty import MAX_RESAMPLES, covariance, parameter_intervals
from ui.cache import canonical

__all__ = ["INTERVAL_LEVEL", "STDERR_CHOICE", "STDERR_WIDGET", "bootstrap_intervals", "errors_wanted", "standard_errors_by_model"]

STDERR_WIDGET = "w_stderr"
STDERR_CHOICE = "show_stderr"  # the reader's choice, kept while the toggle is not drawn (None: the default for the data)
_MAX_MEMO = 4_096
INTERVAL_LEVEL = 0.95
_MAX_INTERVALS = 64


def errors_wanted(emp: Empirical, show: bool = True) -> bool:
    """Whether the table shows ± standard errors: the reader's choice, else on for counts and off for continuous data.

    ``show=False`` reads the choice without drawing the toggle (the presentation view).
    """
    chosen = st.session_state.get(STDERR_CHOICE)
    wanted = bool(chosen) if chosen is not None else emp.kind != "binned"
    if not show:
        return wanted
    st.session_state[STDERR_WIDGET] = wanted  # restored from the plain key: the widget's own key dies with its page

    def remember() -> None:
        st.session_state[STDERR_CHOICE] = bool(st.session_state[STDERR_WIDGET])

    return bool(st.toggle("± standard errors", key=STDERR_WIDGET, on_change=remember,
                          help="Each parameter with its standard error from the observed information (the curvature of "
                               "the log-likelihood at the fit), as R's fitdistrplus reports it. For continuous families "
                               "this takes a few seconds per model, once per dataset."))


@st.cache_resource(show_spinner=False)
def _memo() -> dict[str, tuple[dict[str, float], str]]:
    """Standard errors already computed, by data, model and parameters (shared by sessions, bounded)."""
    return {}


def standard_errors_by_model(emp: Empirical, fitted: Mapping[str, FittedModel]) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Model key -> {parameter: standard error}, and model key -> why it has none (never raises).

    A covariance that comes with a note (a parameter at a limit, a Hessian that is singular or
    did not converge) gives no ± at all, and neither does a fit that ran to the edge of its
    family: an approximate or meaningless ± would look as sure as a good one. A progress bar
    names each model while its Hessian is computed; models done before cost nothing.
    """
    memo = _memo()
    keys = {key: f"{emp.fingerprint()}|{key}|{model.name}|{canonical(dict(model.params))}" for key, model in fitted.items()}
    missing = [key for key in fitted if keys[key] not in memo]
    bar = st.progress(0.0, text="Computing standard errors…") if missing else None
    for index, key in enumerate(missing):
        if bar is not None:
            bar.progress(index / len(missing), text=f"Standard errors of {key} ({index + 1} of {len(missing)})…")
        memo[keys[key]] = _errors_or_reason(emp, fitted[key])
        if len(memo) > _MAX_MEMO:
            memo.pop(next(iter(memo)))
    if bar is not None:
        bar.empty()
    found = {key: memo[keys[key]] for key in fitted if keys[key] in memo}
    return ({key: errors for key, (errors, _) in found.items()},
            {key: reason for key, (_, reason) in found.items() if reason})


def _errors_or_reason(emp: Empirical, model: FittedModel) -> tuple[dict[str, float], str]:
    if edge_limit(model.note) is not None:
        return {}, "the fit ran to the edge of its family"
    try:
        found = covariance(emp, model)
    except Exception as error:  # noqa: BLE001 - a model without a Hessian shows its estimate alone
        return {}, f"no standard errors: {error}"
    if found.note:
        return {}, found.note
    if len(found.names) > model.n_params:  # the Hessian moved a parameter the fit held (a default loc = 0)
        return {}, f"the Hessian would include {len(found.names) - model.n_params} parameter(s) the fit held fixed"
    return found.stderr, ""


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

