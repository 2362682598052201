"""The Models page's help for choosing candidates: the Cullen and Frey graph (fitdistrplus ``descdist``)."""

from __future__ import annotations

import streamlit as st

from kl_core import DataError, Empirical
from kl_core.plots import cullen_frey_figure

__all__ = ["BOOTSTRAP", "cullen_frey_expander"]

BOOTSTRAP = 500


def cullen_frey_expander(emp: Empirical) -> None:
    """A closed expander with the data's skewness and kurtosis among the families' (numeric data with N)."""
    if emp.kind == "categorical" or emp.n is None:
        return
    with st.expander("Which families could fit? The data's skewness and kurtosis (Cullen and Frey graph)"):
        try:
            figure = cullen_frey_figure(emp, bootstrap=BOOTSTRAP)
        except DataError as error:
            st.caption(f"No Cullen and Frey graph for this data: {error}")
            return
        st.plotly_chart(figure, key="fig_cullen_frey", config={"displayModeBar": "hover", "responsive": True})
        st.caption(
            f"The big dot is the data; the small ones are {BOOTSTRAP} bootstrap resamples, showing how uncertain it is. "
            "Families whose point, line or area lies near the cloud are worth ticking. Data far from every family, "
            "or with two peaks, may need groups mixed."
        )
