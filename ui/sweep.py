"""The Compare page's "Try a parameter" tab: KL against one parameter, and a slider in a fragment.

The curve refits the model at every point (31 to 81 fits), so it is computed only when
asked: the tab's button, or a change of its model or parameter (issue 11). Curves are
cached per data and model in nats (:func:`ui.cache.sweep`), so units never refit them.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from kl_core import Empirical
from kl_core.display import fitted_label, format_number
from kl_core.models import REGISTRY
from kl_core.plots import sweep_figure
from kl_core.ranking import Comparison, kl_sweep, sweep_grid
from ui import cache
from ui.requests import DECLARED, fixable_parameters

POINTS_DISCRETE = 81
POINTS_CONTINUOUS = 31  # each point refits the other parameters: keep binned sweeps quick
ASKED = "sweep_asked"  # session key: the (data fingerprint, model key, parameter) curves the user asked for


def candidates(result: Comparison) -> dict[str, list[str]]:
    """Fitted model key -> parameters that can be varied with the others fitted.

    A parameter qualifies when the family lets it be fixed, it was fitted (not fixed or
    declared by the user), and its value is a real number (not a whole-number count).
    """
    found: dict[str, list[str]] = {}
    ranked = [str(k) for k in result.table["model"] if str(k) in result.fitted]
    for key in ranked:
        model = result.fitted[key]
        spec = REGISTRY.get(model.name)
        if spec is None or spec.group == "yours":
            continue
        options = result.requests.get(key, (model.name, {}))[1]
        parameters = [
            p for p in fixable_parameters(model.name)
            if p not in DECLARED.get(model.name, ()) and p not in options
            and isinstance(model.params.get(p), float) and math.isfinite(model.params[p])
        ]
        if parameters and model.n_params >= 1:
            found[key] = parameters
    return found


def sweep_section(emp: Empirical, result: Comparison, base: float) -> None:
    """Render the tab (the interactive part runs as a fragment)."""
    found = candidates(result)
    if not found:
        st.caption("None of the fitted models has a parameter to vary here (your own models and fixed parameters are not swept).")
        return
    _sweep_fragment(emp, result, base, found)


@st.fragment
def _sweep_fragment(emp: Empirical, result: Comparison, base: float, found: dict[str, list[str]]) -> None:
    unit = result.unit
    pick_col, param_col = st.columns(2)
    with pick_col:
        key = st.selectbox("Model", list(found), format_func=lambda k: fitted_label(k, result.fitted[k]), key="w_sweep_model",
                           on_change=_ask_current, args=(emp, found))
    with param_col:
        parameter = st.selectbox("Parameter", found[key], key=f"w_sweep_param_{key}", on_change=_ask_current, args=(emp, found))
    model = result.fitted[key]
    options: dict[str, Any] = dict(result.requests.get(key, (model.name, {}))[1])
    fitted_value = float(model.params[parameter])
    points = POINTS_CONTINUOUS if emp.kind == "binned" else POINTS_DISCRETE
    if (emp.fingerprint(), key, parameter) not in st.session_state.get(ASKED, set()):
        st.button(f"Draw the KL as {parameter} varies", key="w_sweep_draw", type="primary", icon=":material/show_chart:",
                  on_click=_ask, args=(emp.fingerprint(), key, parameter))
        st.caption(f"Refits {model.label} at {points} values of {parameter}, the other parameters fitted at each.")
        return
    values = sweep_grid(emp, parameter, fitted_value, points)
    curve = cache.sweep(emp, model.name, parameter, values, base, options)
    low, high = float(values[0]), float(values[-1])
    chosen = st.slider(f"Try {parameter} by hand", min_value=low, max_value=high, value=min(max(fitted_value, low), high),
                       step=(high - low) / 400, format="%.4g", key=f"w_sweep_value_{key}_{parameter}")
    chosen_kl = float(kl_sweep(emp, model.name, parameter, [chosen], base, **options)["kl"].iloc[0])
    table_kl = float(result.table.loc[result.table["model"] == key, "kl"].iloc[0])
    fitted_kl = table_kl if result.zero_policy == "strict" else None
    metric_col, note_col = st.columns([1, 2])
    with metric_col:
        delta = chosen_kl - table_kl if math.isfinite(chosen_kl) and math.isfinite(table_kl) else None
        delta = None if delta is not None and abs(delta) < 5e-5 * max(abs(table_kl), 1e-12) + 1e-12 else delta
        st.metric(f"KL at {parameter} = {format_number(chosen)}", f"{format_number(chosen_kl)} {unit}",
                  delta=None if delta is None else f"{format_number(delta)} vs fitted", delta_color="inverse")
    with note_col:
        st.caption(f"Fitted (maximum likelihood): {parameter} = {format_number(fitted_value)}, KL {format_number(table_kl)} {unit}. "
                   "Other parameters are refitted at each value. The curve uses the strict zero policy.")
    st.plotly_chart(sweep_figure(curve, parameter, base, fitted_value=fitted_value, chosen_value=chosen,
                                 model_label=model.label, fitted_kl=fitted_kl, chosen_kl=chosen_kl), key="fig_sweep")


def _ask(fingerprint: str, key: str, parameter: str) -> None:
    st.session_state[ASKED] = st.session_state.get(ASKED, set()) | {(fingerprint, key, parameter)}


def _ask_current(emp: Empirical, found: dict[str, list[str]]) -> None:
    """Using the tab's controls asks for the curve they show."""
    key = st.session_state.get("w_sweep_model")
    if key in found:
        parameter = st.session_state.get(f"w_sweep_param_{key}", found[key][0])
        _ask(emp.fingerprint(), key, parameter if parameter in found[key] else found[key][0])
