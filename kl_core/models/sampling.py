"""Draws from any fitted model: its quantile function at seeded uniforms (inverse-CDF sampling).

A model with a ``ppf`` (scipy-backed continuous models, mixtures, zero-inflated counts) is
evaluated there directly. Otherwise the CDF is inverted: scipy's elementwise bracket and
root finders for continuous models, a bisection on whole numbers for discrete ones (the
draw is the smallest x with F(x) ≥ u, exactly what scipy's discrete ``ppf`` returns).
Models without a CDF (categorical tables) cannot be sampled this way and say so.

Examples
--------
>>> from kl_core import Empirical, fit
>>> model = fit(Empirical.from_counts([0, 1, 2, 3], [4, 6, 3, 1]), "poisson")
>>> draw(model, 5, seed=1).tolist()
[1.0, 3.0, 0.0, 3.0, 0.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.optimize import elementwise

from kl_core.errors import DataError

if TYPE_CHECKING:
    from kl_core.models.base import FittedModel

__all__ = ["MAX_DRAWS", "draw", "draws_frame", "quantiles"]

MAX_DRAWS = 10_000_000  # more draws than this in one request would tie up the server
_LARGEST_WHOLE = 2.0**53


def draw(model: "FittedModel", n: int, seed: int | None = 0) -> np.ndarray:
    """``n`` independent draws from ``model``, reproducible for a given ``seed``.

    Examples
    --------
    >>> from kl_core import Empirical, fit
    >>> model = fit(Empirical.from_counts([0, 1, 2], [1, 2, 1]), "binomial")
    >>> bool(np.all(draw(model, 3, seed=7) == draw(model, 3, seed=7)))
    True
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or not 0 <= n <= MAX_DRAWS:
        raise DataError(f"the number of draws must be a whole number from 0 to {MAX_DRAWS:,}; got {n!r}")
    uniforms = np.random.default_rng(seed).uniform(size=int(n))
    return quantiles(model, uniforms)


def quantiles(model: "FittedModel", q: np.ndarray) -> np.ndarray:
    """The model's q-quantiles, inf{x : F(x) ≥ q}, for q in (0, 1)."""
    q = np.asarray(q, dtype=float)
    ppf = getattr(model, "ppf", None)
    if callable(ppf):
        try:
            return np.asarray(ppf(q), dtype=float)
        except (DataError, NotImplementedError):  # a model class may declare ppf without having one
            pass
    if model.cdf_function is None:
        raise DataError(f"{model.label} has no cumulative distribution to draw from (a categorical or table model)")
    if q.size == 0:
        return q
    if model.continuous:
        return _continuous_quantiles(model, q)
    return _whole_number_quantiles(model, q)


def _continuous_quantiles(model: "FittedModel", q: np.ndarray) -> np.ndarray:
    def gap(x: np.ndarray, level: np.ndarray) -> np.ndarray:
        return model.cdf(x) - level

    bracket = elementwise.bracket_root(gap, -np.ones_like(q), np.ones_like(q), args=(q,))
    found = elementwise.find_root(gap, (bracket.bracket[0], bracket.bracket[1]), args=(q,))
    return np.asarray(found.x, dtype=float)


def _whole_number_quantiles(model: "FittedModel", q: np.ndarray) -> np.ndarray:
    low, high = np.full(q.shape, -1.0), np.ones(q.shape)
    while np.any(grow := (model.cdf(high) < q) & (high < _LARGEST_WHOLE)):
        high = np.where(grow, high * 2, high)
    while np.any(grow := (model.cdf(low) >= q) & (low > -_LARGEST_WHOLE)):
        low = np.where(grow, low * 2, low)
    # invariant: F(low) < q ≤ F(high); the answer lies in (low, high]
    while np.any(open_ := high - low > 1):
        middle = np.floor((low + high) / 2)
        enough = model.cdf(middle) >= q
        high = np.where(open_ & enough, middle, high)
        low = np.where(open_ & ~enough, middle, low)
    return high


def draws_frame(model: "FittedModel", n: int, seed: int | None = 0) -> pd.DataFrame:
    """The draws as a one-column table (whole numbers as integers), ready to save or show.

    Examples
    --------
    >>> from kl_core import Empirical, fit
    >>> draws_frame(fit(Empirical.from_counts([0, 1, 2], [1, 2, 1]), "binomial"), 2, seed=3).dtypes.tolist()
    [dtype('int64')]
    """
    values = draw(model, n, seed)
    whole = not model.continuous and values.size > 0 and bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))
    return pd.DataFrame({"value": values.astype(np.int64) if whole else values})
