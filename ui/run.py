"""Running a comparison with a progress bar, listing the models that could not be ranked and the notes on the others."""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import pandas as pd
import streamlit as st

from kl_core import DataError, Empirical
from kl_core.display import not_ranked, ranked_notes
from kl_core.models import default_models
from kl_core.ranking import RANK_BY, Comparison, ranked_by
from ui import cache, state
from ui.text import error as show_error, escape_markdown, listed


def settings() -> dict[str, Any]:
    """The comparison settings chosen in the sidebar and on the Compare page."""
    return {
        "base": state.base(),
        "zero_policy": state.get(state.ZERO_POLICY),
        "epsilon": float(state.get(state.EPSILON)),
        "bootstrap": int(state.get(state.BOOTSTRAP) or 0),
    }


def rank_by(emp: Empirical) -> str:
    """What orders the ranking: the Compare page's choice, or "kl" when that is not possible here.

    AIC and BIC need N observations; probability input has none, so it is always ranked by KL.
    """
    chosen = state.get(state.RANK_BY)
    return chosen if chosen in RANK_BY and (chosen == "kl" or emp.n is not None) else "kl"


def requests_for(emp: Empirical) -> tuple[list[Any], bool]:
    """The model requests to compare: the Models page's choice, else the defaults for this data.

    Returns the requests and whether they are the defaults (the pages say so).
    """
    chosen = state.get(state.MODEL_REQUESTS)
    if chosen:
        return list(chosen), False
    return [(name, {}) for name in default_models(emp)], True


def fit_with_progress(emp: Empirical, requests: Sequence[Any]) -> Comparison | None:
    """The (cached) comparison, with an ``st.progress`` bar while families are fitted.

    The table is ordered by :func:`rank_by` (reordering refits nothing). Shows ``st.error``
    and returns None when the comparison cannot be made.
    """
    chosen = settings()
    key = cache.comparison_key(emp, requests, **chosen)
    done = cache.cached_comparison(key, chosen["base"])
    if done is not None:
        return _ordered(done, emp)
    bar = st.progress(0.0, text="Fitting…")

    def progress(index: int, total: int, name: str) -> None:
        bar.progress(index / max(total, 1), text=f"Fitting {name} ({index + 1} of {total})…")

    try:
        result = cache.comparison(emp, requests, progress=progress, **chosen)
    except (DataError, ValueError) as error:
        bar.empty()
        show_error(f"The models could not be compared: {error}")
        return None
    bar.empty()
    return _ordered(result, emp)


def _ordered(result: Comparison, emp: Empirical) -> Comparison:
    order = rank_by(emp)
    return result if order == "kl" else dataclasses.replace(result, table=ranked_by(result.table, order), rank_by=order)


def show_failures(table: pd.DataFrame) -> None:
    """List the models with an infinite KL or a failed fit, each with its whole reason.

    An HTML table, whose cells wrap at any width (a grid cuts a long reason at its column's
    edge); every cell is shown as typed, never as Markdown.
    """
    rows = not_ranked(table)
    if not rows:
        return
    with st.container(border=True, key="not_ranked"):
        st.markdown(f"**Not ranked with a finite KL ({len(rows)})**")
        shown = [(escape_markdown(model), escape_markdown(why)) for model, why in rows]
        st.table(pd.DataFrame(shown, columns=["Model", "Why"]), hide_index=True)


def show_notes(table: pd.DataFrame) -> None:
    """Every note on a ranked model, in full, each once with the models it concerns: one caption, a line a note.

    Page text wraps at any width, where the ranking grid cuts a note at its column's edge (it draws
    one line a cell on a canvas, with no tooltip). The models not ranked keep their own list
    (:func:`show_failures`).
    """
    notes = ranked_notes(table)
    unranked = [model for model, _ in not_ranked(table)]
    if not notes and not unranked:
        return
    lines = [f"**{escape_markdown(listed(models))}**: {escape_markdown(note)}" for models, note in notes]
    if unranked:
        lines.append(f"**{escape_markdown(listed(unranked))}**: not ranked; why is listed at the end of the page.")
    with st.container(key="ranking_notes"):
        st.caption("  \n".join(["Notes on the fits:", *lines]))
