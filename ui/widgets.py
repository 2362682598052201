"""Widgets whose values survive page switches, and small display helpers.

``st.radio(..., **bind("w_units", state.UNITS))`` restores the widget from the plain
session-state key when Streamlit has dropped the widget's own key (its page was not
rendered), and copies every change back to the plain key in ``on_change``.
"""

from __future__ import annotations

from typing import Any, Iterable, MutableMapping

import pandas as pd
import streamlit as st

from ui import state
from ui.text import escape_markdown


def bind(widget_key: str, plain_key: str, choices: Iterable[Any] | None = None) -> dict[str, Any]:
    """Keyword arguments tying a widget to a plain key (``key``, ``on_change``, ``args``).

    ``choices``: for a select widget, a stored value that is not among them is replaced
    by the first choice, so a restored value is always valid.
    """
    _restore(widget_key, state.get(plain_key), choices)
    if choices is not None:
        state.put(plain_key, st.session_state[widget_key])
    return {"key": widget_key, "on_change": _copy_to_plain, "args": (widget_key, plain_key)}


def bind_item(widget_key: str, mapping: MutableMapping[str, Any], item: str, choices: Iterable[Any] | None = None,
              default: Any = None) -> dict[str, Any]:
    """Like :func:`bind`, for one entry of a dict kept in session state (a form)."""
    _restore(widget_key, mapping.get(item, default), choices)
    mapping[item] = st.session_state[widget_key]
    return {"key": widget_key, "on_change": _copy_to_item, "args": (widget_key, mapping, item)}


def _restore(widget_key: str, value: Any, choices: Iterable[Any] | None) -> None:
    if choices is not None:
        options = list(choices)
        if options and value not in options:
            value = options[0]
        if widget_key in st.session_state and st.session_state[widget_key] not in options and options:
            st.session_state[widget_key] = value
    if widget_key not in st.session_state:
        st.session_state[widget_key] = value


def _copy_to_plain(widget_key: str, plain_key: str) -> None:
    if widget_key in st.session_state:  # a new source may have forgotten it while this change was on its way
        state.put(plain_key, st.session_state[widget_key])


def _copy_to_item(widget_key: str, mapping: MutableMapping[str, Any], item: str) -> None:
    if widget_key in st.session_state:  # a new source may have forgotten it while this change was on its way
        mapping[item] = st.session_state[widget_key]


def forget(*widget_keys: str) -> None:
    """Drop widget keys so the widgets are restored from their plain keys next time."""
    for key in widget_keys:
        st.session_state.pop(key, None)


def pairs_table(rows: list[tuple[str, str]], first: str = "", second: str = "") -> None:
    """Show (label, value) pairs as a two-column table whose cells wrap (a long "Dropped rows" reason is read whole,
    where a grid cuts it at the column's edge); user text is shown as typed, never as Markdown."""
    shown = [(escape_markdown(label), escape_markdown(value)) for label, value in rows]
    st.table(pd.DataFrame(shown, columns=[first or " ", second or "  "]), hide_index=True)
