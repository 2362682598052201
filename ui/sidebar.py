"""The sidebar on every page: the dataset at a glance, units and the zero policy."""

from __future__ import annotations

import streamlit as st

from kl_core.display import format_count
from ui import state
from ui.widgets import bind

UNIT_CHOICES = ("bits", "nats")
POLICY_CHOICES = ("strict", "epsilon")
POLICY_LABELS = {"strict": "strict (a zero gives ∞)", "epsilon": "ε-floor"}
_SHOWN = "_sidebar_dataset_shown"  # the dataset lines the sidebar drew in this run


def render() -> None:
    """Draw the sidebar (call once per run, from app.py)."""
    with st.sidebar:
        _dataset()
        st.divider()
        _settings()


def refresh_if_stale() -> None:
    """Rerun when the page changed the dataset after the sidebar was drawn.

    app.py draws the sidebar before the page runs, so a dataset loaded by the page itself
    (an upload, pasted values, a typed table, a new reading option) would otherwise leave
    "No data yet" or the previous dataset in the sidebar until the next interaction.
    """
    shown = st.session_state.get(_SHOWN)
    if shown is not None and shown != _dataset_lines():
        st.rerun()


def _dataset_lines() -> tuple[str, ...]:
    emp = state.emp()
    if emp is None:
        return ()
    n = "unknown" if emp.n is None else format_count(emp.n)
    size = "Bins" if emp.kind == "binned" else "Support"
    return (state.get(state.DATASET_NAME) or emp.name or "(unnamed)", f"N {n} · {size} {emp.k:,} · {emp.kind}")


def _dataset() -> None:
    st.subheader("Dataset")
    lines = _dataset_lines()
    st.session_state[_SHOWN] = lines
    if not lines:
        st.caption("No data yet. Load a sample on Home, or bring your own on Data.")
        return
    for line in lines:
        st.text(line)


def _settings() -> None:
    st.subheader("Settings")
    st.radio("Information unit", UNIT_CHOICES, horizontal=True, **bind("w_units", state.UNITS, UNIT_CHOICES),
             help="bits: log base 2; nats: natural log. 1 bit = ln 2 ≈ 0.693 nats.")
    st.radio(
        "Zero policy", POLICY_CHOICES, format_func=POLICY_LABELS.get, **bind("w_zero_policy", state.ZERO_POLICY, POLICY_CHOICES),
        help="strict: a model that gives 0 probability to an observed value has KL = ∞. "
             "ε-floor: every model is mixed with a little uniform mass, (1-ε)·q + ε/cells, and the table says so.",
    )
    if state.get(state.ZERO_POLICY) == "epsilon":
        st.number_input("ε", min_value=1e-12, max_value=0.5, step=1e-6, format="%.2e", **bind("w_epsilon", state.EPSILON))
