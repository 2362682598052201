"""Showing a kl_core figure on a page: its title and notes as page text, the plot between them."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from kl_core.plots import detach_text
from ui.styles import PRESENT_FONT
from ui.text import escape_markdown

__all__ = ["chart"]

_CONFIG = {"displayModeBar": "hover", "responsive": True}


def chart(figure: go.Figure, key: str, *, present: bool = False) -> None:
    """``figure`` with its title and subtitle as page text above it, its notes below it.

    Page text wraps at any width and never sits under the plotly toolbar; a plotly
    title or note is one line, cut at a phone's edge (:func:`kl_core.plots.detach_text`).
    ``present`` draws the larger type of Compare's presentation view.
    """
    heading, subtitle, notes = detach_text(figure)
    if heading:
        text = escape_markdown(heading)
        st.markdown(f"#### {text}" if present else f"**{text}**")
    if subtitle:
        st.caption(escape_markdown(subtitle))
    if present:  # Streamlit's chart theme sets tick and axis-title sizes, so they are set here too
        figure.update_layout(font={"size": PRESENT_FONT}, legend={"font": {"size": PRESENT_FONT}},
                             height=(figure.layout.height or 450) + 40)
        for update in (figure.update_xaxes, figure.update_yaxes):
            update(tickfont={"size": PRESENT_FONT - 2}, title={"font": {"size": PRESENT_FONT}})
        figure.update_annotations(font={"size": PRESENT_FONT - 2})
    st.plotly_chart(figure, key=key, config=_CONFIG)
    for note in notes:
        st.caption(escape_markdown(note))
