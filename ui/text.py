"""Showing user text (file names, column names, labels) safely in Markdown."""

from __future__ import annotations

import re
from typing import Sequence

import streamlit as st

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def escape_markdown(text: object) -> str:
    """Backslash-escape every character Markdown (or Streamlit's extras) could act on.

    ``a_b [x](y)`` becomes ``a\\_b \\[x\\]\\(y\\)``: shown as typed, never as a link.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def listed(names: Sequence[str]) -> str:
    """Names as a sentence lists them: ``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> listed(["normal"]), listed(["normal", "gamma", "Weibull"])
    ('normal', 'normal, gamma and Weibull')
    """
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def error(message: object) -> None:
    """``st.error`` with the message shown as typed (it may quote file names, columns, values)."""
    st.error(escape_markdown(message), icon=":material/error:")


def warning(message: object) -> None:
    """``st.warning`` with the message shown as typed."""
    st.warning(escape_markdown(message), icon=":material/warning:")
