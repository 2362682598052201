"""Compare's "Density", "Q-Q" and "P-P" tabs: the data against each model's density, quantiles or probabilities."""

from __future__ import annotations

from typing import Callable, Mapping

import plotly.graph_objects as go
import streamlit as st

from kl_core import DataError, Empirical
from kl_core.models import FittedModel
from kl_core.plots import density_figure, pp_figure, qq_figure

__all__ = ["agreement_tab", "density_tab"]

_READING = {
    "Q-Q": "Points on the dashed line: the model's quantiles are the data's. Points bending away at the ends: "
           "the model's tails are too light (or too heavy) for the data.",
    "P-P": "Points on the dashed line: the model's cumulative probabilities are the data's. P-P plots show "
           "misfit in the middle of the distribution best; Q-Q plots show the tails.",
}


def agreement_tab(
    emp: Empirical, models: Mapping[str, FittedModel], colors: Mapping[str, str], which: str,
    chart: Callable[[go.Figure, str], None],
) -> None:
    """Draw the Q-Q (``which="Q-Q"``) or P-P plot of the drawn models with the page's ``chart``."""
    if emp.kind == "categorical":
        st.caption(f"A {which} plot needs numbers: categories have no order to compare.")
        return
    build = qq_figure if which == "Q-Q" else pp_figure
    try:
        figure = build(emp, models, colors=colors)
    except DataError as error:
        st.caption(f"No {which} plot for this data: {error}")
        return
    chart(figure, f"fig_{which.lower().replace('-', '')}")
    st.caption(_READING[which])


def density_tab(
    emp: Empirical, models: Mapping[str, FittedModel], colors: Mapping[str, str], chart: Callable[[go.Figure, str], None],
) -> None:
    """Draw the data with each drawn model's density (continuous) or probabilities (discrete) with the page's ``chart``."""
    try:
        figure = density_figure(emp, models, colors=colors)
    except DataError as error:
        st.caption(f"No density plot for this data: {error}")
        return
    chart(figure, "fig_density")
    if emp.kind == "binned":
        st.caption("The histogram is scaled to a density (probability per unit), so the smooth curves are the models' "
                   "own densities; bins are for the eye only, the fits and the KL use the raw values.")
    else:
        st.caption("Each point is a model's probability of that value; the bars are the data's share of observations.")
