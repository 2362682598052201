"""The sidebar on every page: the dataset at a glance, units and the zero policy."""

from __future__ import annotations

import streamlit as st

from dataclasses import dataclass
from typing import Any, Mapping

from kl_core import share, vocabulary
from kl_core.display import format_count
from ui import state, url
from ui.widgets import bind

UNIT_CHOICES = vocabulary.UNITS
POLICY_CHOICES = vocabulary.ZERO_POLICIES
POLICY_LABELS = {"strict": "strict (a zero gives ∞)", "epsilon": "ε-floor"}
_SHOWN = "_sidebar_dataset_shown"  # the dataset lines the sidebar drew in this run


def render(pages: Mapping[str, Any]) -> Menu:
    """Draw the sidebar (call once per run, from app.py): page links, dataset, settings.

    Returns the menu, for :func:`refresh_menu` once the page has run.
    """
    with st.sidebar:
        with st.container(key="app_nav"):
            menu = Menu(st.empty(), pages, {})
        _draw_menu(menu)
        st.divider()
        _dataset()
        st.divider()
        _settings()
    return menu


def refresh_if_stale() -> None:
    """Rerun when the page changed the dataset after the sidebar was drawn.

    app.py draws the sidebar before the page runs, so a dataset loaded by the page itself
    (an upload, pasted values, a typed table, a new reading option) would otherwise leave
    "No data yet" or the previous dataset in the sidebar until the next interaction.
    """
    shown = st.session_state.get(_SHOWN)
    if shown is not None and shown != _dataset_lines():
        st.rerun()


@dataclass
class Menu:
    """The page links in the sidebar, and the query string they carry."""

    slot: Any
    pages: Mapping[str, Any]
    params: dict[str, str]


def _draw_menu(menu: Menu) -> None:
    """Links to every page that already carry the comparison in their address.

    Streamlit's own menu drops the query string on a page switch, and writing it back
    afterwards pushed a second browser-history entry (Back then needed two presses).
    """
    menu.params = share.to_params(url.current())
    with menu.slot.container():
        for page in menu.pages.values():
            st.page_link(page, query_params=menu.params)


def refresh_menu(menu: Menu) -> None:
    """Redraw the links when the page changed the comparison after they were drawn.

    Not after ``st.stop()``: Streamlit draws nothing more then, and a page that stops
    early has changed nothing the links carry.
    """
    if share.to_params(url.current()) != menu.params:
        _draw_menu(menu)


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
        st.number_input("ε", min_value=vocabulary.EPSILON_RANGE[0], max_value=vocabulary.EPSILON_RANGE[1], step=vocabulary.EPSILON, format="%.2e", **bind("w_epsilon", state.EPSILON))
