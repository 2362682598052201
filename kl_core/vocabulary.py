"""The shared vocabulary: units, zero policies, ε, how many models a figure draws, sample ids.

One home for the words and defaults that the engine, the CLI, links and the app all use,
so that they cannot drift apart. Nothing here computes; it imports nothing of kl_core.

Examples
--------
>>> base_of("nats") == math.e, bits_or_nats(2.0)
(True, 'bits')
>>> SAMPLE_PREFIX + "worms"
'sample:worms'
"""

from __future__ import annotations

import math
from typing import Literal

__all__ = [
    "BASES", "DEFAULT_PLOTTED", "DEFAULT_UNITS", "DEFAULT_ZERO_POLICY", "EPSILON", "EPSILON_RANGE", "MAX_PLOTTED",
    "DEFAULT_RANK_BY", "MISSING_TEXT", "NULL_TOKENS", "RANK_BY", "SAMPLE_PREFIX", "UNITS", "ZERO_POLICIES", "ZeroPolicy", "base_of",
    "bits_or_nats", "sample_key",
]

UNITS: tuple[str, ...] = ("bits", "nats")  # the information units the app, the CLI and links offer
DEFAULT_UNITS = "bits"
BASES: dict[str, float] = {"bits": 2.0, "nats": math.e}  # log base of each unit

ZeroPolicy = Literal["strict", "epsilon"]
ZERO_POLICIES: tuple[str, ...] = ("strict", "epsilon")  # strict: q = 0 < p gives ∞; epsilon: (1−ε)·q + ε/K
DEFAULT_ZERO_POLICY = "strict"
EPSILON = 1e-6  # the ε-floor's default weight
EPSILON_RANGE = (1e-12, 0.5)  # the weights a user may choose

DEFAULT_PLOTTED = 5  # models the side-by-side figures draw unless the user asks for more (the ranking chart draws all)
MAX_PLOTTED = 14  # two turns of the palette (the second dashed or hatched); more is unreadable side by side

RANK_BY: tuple[str, ...] = ("kl", "aic", "bic")  # what can order a ranking: D_KL (the log-likelihood), AIC or BIC
DEFAULT_RANK_BY = "kl"

SAMPLE_PREFIX = "sample:"  # a sample dataset's source id: "sample:worms" (app) and `python -m kl_core sample:worms`

# A whole CSV cell that is read as missing, exactly as written (pyarrow's defaults): the in-memory readers
# (pyarrow, pandas) are given these, and the DuckDB path counts them alike, so that "NA" in a label column
# is missing in every engine while "None" or "North America" stay labels.
NULL_TOKENS: tuple[str, ...] = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "N/A", "NA", "NULL", "NaN",
    "n/a", "nan", "null",
)
# Text in a column of numbers that means "no value" (trimmed, any case): the tokens above and "none".
MISSING_TEXT: tuple[str, ...] = tuple(sorted({token.lower() for token in NULL_TOKENS} | {"none"}))


def base_of(units: str) -> float:
    """The log base of ``units`` (``"bits"`` → 2, ``"nats"`` → e); bits for anything else.

    Examples
    --------
    >>> base_of("bits"), round(base_of("nats"), 4)
    (2.0, 2.7183)
    """
    return BASES.get(units, BASES[DEFAULT_UNITS])


def bits_or_nats(base: float) -> str:
    """The unit name for a log base: 'bits', 'nats', or 'log-base-b units'.

    Examples
    --------
    >>> bits_or_nats(2), bits_or_nats(math.e), bits_or_nats(10)
    ('bits', 'nats', 'log-base-10 units')
    """
    if base == 2:
        return "bits"
    if math.isclose(base, math.e):
        return "nats"
    return f"log-base-{base:g} units"


def sample_key(source: str) -> str | None:
    """The sample's key in a source id or CLI argument ``"sample:<key>"``, else None.

    Examples
    --------
    >>> sample_key("sample:worms"), sample_key("upload:3f2a")
    ('worms', None)
    """
    return source[len(SAMPLE_PREFIX):] if source.startswith(SAMPLE_PREFIX) else None
