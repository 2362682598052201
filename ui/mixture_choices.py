"""The Models page's inputs for mixtures and extra zeros, in plain words.

The choices are kept in the form's ``extra`` options of ``mixture`` and ``zero_inflated``
(``family``, ``k``), so they travel with the requests, the share link and the report.
"""

from __future__ import annotations

from typing import Any, MutableMapping, Sequence

import streamlit as st

from kl_core import Empirical
from kl_core.models.mixture import number_word

__all__ = ["OWN_INPUTS", "mixture_choices"]

OWN_INPUTS = ("mixture", "zero_inflated")  # families whose options have inputs here, not a caption
CONTINUOUS_GROUPS = {"norm": "normal", "lognorm": "log-normal", "gamma": "gamma"}
COUNT_GROUPS = {"poisson": "Poisson", "binomial": "binomial"}
ZERO_FAMILIES = {"poisson": "Poisson", "nbinom": "negative binomial"}
GROUP_COUNTS = (2, 3, 4)


def _index(options: Sequence[Any], value: Any) -> int:
    return list(options).index(value) if value in options else 0


def mixture_choices(form: MutableMapping[str, Any], emp: Empirical, ticked: Sequence[str]) -> None:
    """Inputs for the ticked mixture and zero-inflated families, written into ``form["extra"]``."""
    extra = form.setdefault("extra", {})
    if "mixture" in ticked:
        words = CONTINUOUS_GROUPS if emp.kind == "binned" else COUNT_GROUPS
        chosen = extra.setdefault("mixture", {})
        st.markdown("**Groups mixed**: the data as several groups of one family, each with its own share")
        family_col, k_col, _ = st.columns([1, 1, 2])
        with family_col:
            family = st.selectbox("each group is", list(words), format_func=words.get,
                                  index=_index(list(words), chosen.get("family")), key="w_mixture_family")
        with k_col:
            k = st.selectbox("how many groups", GROUP_COUNTS, format_func=lambda n: f"{number_word(n)} groups",
                             index=_index(GROUP_COUNTS, chosen.get("k", 2)), key="w_mixture_k")
        chosen.update(family=family, k=int(k))
    if "zero_inflated" in ticked:
        chosen = extra.setdefault("zero_inflated", {})
        st.markdown("**Extra zeros**: a share of zeros on top of a count family (zero-inflated)")
        family_col, _ = st.columns([1, 3])
        with family_col:
            family = st.selectbox("the counts besides the extra zeros", list(ZERO_FAMILIES), format_func=ZERO_FAMILIES.get,
                                  index=_index(list(ZERO_FAMILIES), chosen.get("family")), key="w_zero_family")
        chosen.update(family=family)
