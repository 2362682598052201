"""Compare's download of draws from a fitted model (fitter and distfit users ask for it).

The CSV is made only when the button is clicked (a callable ``data``), by
:func:`kl_core.export.csv.draws_csv`, which writes with the one CSV writer.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

import streamlit as st

from kl_core import DataError
from kl_core.models import FittedModel
from kl_core.export.csv import draws_csv

__all__ = ["MAX_APP_DRAWS", "MAX_SEED", "can_draw", "draws_download", "draws_problem"]

MAX_APP_DRAWS = 1_000_000  # about 20 MB of CSV: more would tie up the server for everyone
MAX_SEED = 2**32 - 1
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def draws_problem(model: FittedModel, n: int, seed: int) -> str:
    """Why these draws cannot be made ('' when they can).

    Examples
    --------
    >>> from kl_core import Empirical, fit
    >>> model = fit(Empirical.from_counts([0, 1, 2], [1, 2, 1]), "binomial")
    >>> draws_problem(model, 10, 1), draws_problem(model, 2_000_000, 1)[:38]
    ('', 'Choose at most 1,000,000 draws (asked:')
    """
    if not 1 <= n <= MAX_APP_DRAWS:
        return f"Choose at most {MAX_APP_DRAWS:,} draws (asked: {n:,}); for more, draw in Python with FittedModel.sample."
    if not 0 <= seed <= MAX_SEED:
        return f"The seed must be a whole number from 0 to {MAX_SEED:,}."
    return "" if can_draw(model) else f"No draws from {model.label}: it has no cumulative distribution (a table of categories)."


def can_draw(model: FittedModel) -> bool:
    """Whether the model can be sampled (it has a quantile function or a cumulative distribution).

    Examples
    --------
    >>> from kl_core import Empirical, fit
    >>> can_draw(fit(Empirical.from_counts(["H", "T"], [3, 1]), "uniform"))
    False
    """
    try:
        model.sample(1, 0)
    except DataError:
        return False
    return True


def draws_download(models: Mapping[str, FittedModel], labels: Mapping[str, str], order: Sequence[str]) -> None:
    """A model picker, N and seed inputs, and a download button for the draws as CSV."""
    keys = [key for key in order if key in models and can_draw(models[key])]
    if not keys:
        return
    expander = st.expander("Download draws from a fitted model", key="x_draws", on_change="rerun")
    if expander.open is False:  # the inputs only when open: the page stays light
        return
    with expander:
        pick, count, seed_column = st.columns([2, 1, 1])
        with pick:
            key = st.selectbox("Model", keys, format_func=lambda k: labels.get(k, k), key="w_draws_model")
        with count:
            n = int(st.number_input("Draws (N)", min_value=1, value=1_000, step=1_000, key="w_draws_n",
                                    help=f"At most {MAX_APP_DRAWS:,}."))
        with seed_column:
            seed = int(st.number_input("Seed", min_value=0, value=0, step=1, key="w_draws_seed",
                                       help="The same seed gives the same draws."))
        model = models[key]
        problem = draws_problem(model, n, seed)
        if problem:
            st.error(problem, icon=":material/error:")
        name = _UNSAFE.sub("_", f"draws_{key}_{n}_seed{seed}").strip("_")
        st.download_button("Download draws (CSV)", data=lambda: draws_csv(model, n, seed), file_name=f"{name}.csv",
                           mime="text/csv", disabled=bool(problem), on_click="ignore", icon=":material/download:",
                           key="w_draws_download")
        st.caption("Inverse-CDF draws from the fitted model with its parameters as in the table: one column, value.")
