"""The ranking table as CSV: the one CSV writer of the command line and the app.

Text cells that a spreadsheet would run as a formula (``=cmd|' /C calc'!A0``,
``@SUM(...)``, ``-2+3``, also in their full-width forms) get a leading ``'``, so
they are shown, not run. Numeric columns are written as numbers, untouched; ∞ is
``inf``; a missing value is an empty cell; parameters and other structured cells
are JSON text; lines end in CRLF (RFC 4180).
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from kl_core.export.json_io import json_value

__all__ = ["FORMULA_TRIGGERS", "draws_csv", "neutralised", "ranking_csv"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # incl. full-width forms


def neutralised(text: str) -> str:
    """``'`` in front of text a spreadsheet would treat as a formula.

    Examples
    --------
    >>> neutralised("=cmd|' /C calc'!A0"), neutralised(" @x"), neutralised("binomial")
    ("'=cmd|' /C calc'!A0", "' @x", 'binomial')
    """
    if text.startswith(FORMULA_TRIGGERS) or text.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def ranking_csv(table: pd.DataFrame) -> str:
    """The ranking table as CSV text, safe to open in a spreadsheet.

    Examples
    --------
    >>> table = pd.DataFrame({"model": ["=HYPERLINK(1)", "b"], "kl": [-0.5, float("inf")], "note": ["", "@x"]})
    >>> ranking_csv(table).splitlines()
    ['model,kl,note', "'=HYPERLINK(1),-0.5,", "b,inf,'@x"]
    >>> ranking_csv(pd.DataFrame({"model": ["binomial"], "params": [{"n": 10, "p": 0.5}]})).splitlines()[1]
    'binomial,"{""n"": 10, ""p"": 0.5}"'
    """
    out = table.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            out[column] = series.map(_cell).astype(object)
    out.columns = [neutralised(str(column)) for column in out.columns]
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, na_rep="", lineterminator="\r\n")  # RFC 4180; a CR in a cell gets quoted
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralised(value)
    if isinstance(value, (Mapping, list, tuple, np.ndarray)):
        return neutralised(json.dumps(json_value(value), ensure_ascii=False, allow_nan=False))
    return value


def draws_csv(model: Any, n: int, seed: int | None = 0) -> str:
    """Draws from a fitted model as CSV text with a ``value`` header, for a download (full precision).

    Examples
    --------
    >>> from kl_core import Empirical, fit
    >>> draws_csv(fit(Empirical.from_counts([0, 1, 2], [1, 2, 1]), "binomial"), 2, seed=3).splitlines()[0]
    'value'
    """
    from kl_core.models.sampling import draws_frame

    return ranking_csv(draws_frame(model, n, seed))
