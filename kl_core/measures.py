"""Information measures on aligned probability arrays.

Every function takes arrays that describe the same cells in the same order: ``p`` is
the reference (empirical) distribution and sums to 1; ``q`` is a model's mass on those
cells and may sum to *less* than 1 (the rest lies on cells that are not listed, which
is never renormalised away). Results are in units of ``log(base)``: bits for
``base=2`` (the default), nats for ``base=math.e``.

Zero handling follows information theory, not convenience: a term with ``p = 0``
contributes 0 and a cell with ``q = 0 < p`` makes the KL divergence ``+inf``. The
``"epsilon"`` zero policy is the only way to get a finite number there, and callers
report that it was used.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from scipy import special

from kl_core.errors import DataError

ZeroPolicy = Literal["strict", "epsilon"]
ZERO_POLICIES: tuple[str, ...] = ("strict", "epsilon")
_SUM_TOLERANCE = 1e-6


def log_unit(base: float) -> float:
    """Natural log of ``base``: divide a quantity in nats by it to get units of ``base``.

    Examples
    --------
    >>> round(log_unit(2), 6)
    0.693147
    """
    base = float(base)
    if not math.isfinite(base) or base <= 0 or base == 1:
        raise DataError(f"base must be a positive number other than 1 (2 for bits, e for nats); got {base}")
    return math.log(base)


def _as_probabilities(values: np.ndarray, name: str, *, must_sum_to_one: bool) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise DataError(f"{name} must be a one-dimensional array; got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise DataError(f"{name} contains NaN or infinite values; pass finite probabilities")
    if np.any(array < 0):
        raise DataError(f"{name} contains negative values (first: {array[array < 0][0]:g}); probabilities cannot be negative")
    total = float(array.sum())
    if total > 1 + _SUM_TOLERANCE:
        raise DataError(f"{name} sums to {total:g}, more than 1; pass probabilities, e.g. counts / counts.sum()")
    if must_sum_to_one and abs(total - 1) > _SUM_TOLERANCE:
        raise DataError(f"{name} sums to {total:g}, not 1; pass probabilities, e.g. counts / counts.sum()")
    return array


def _aligned(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p_array = _as_probabilities(p, "p", must_sum_to_one=True)
    q_array = _as_probabilities(q, "q", must_sum_to_one=False)
    if p_array.shape != q_array.shape:
        raise DataError(f"p and q must describe the same cells; got {p_array.size} and {q_array.size} values")
    return p_array, q_array


def apply_zero_policy(q: np.ndarray, zero_policy: ZeroPolicy = "strict", epsilon: float = 1e-6) -> np.ndarray:
    """Return the model mass actually used under ``zero_policy``.

    ``"strict"`` returns ``q`` unchanged. ``"epsilon"`` returns the mixture
    ``(1 - epsilon) * q + epsilon / len(q)``, a floor that makes every cell possible.

    Examples
    --------
    >>> apply_zero_policy(np.array([1.0, 0.0]), "epsilon", 0.1).tolist()
    [0.9500000000000001, 0.05]
    """
    if zero_policy not in ZERO_POLICIES:
        raise DataError(f"zero_policy must be one of {ZERO_POLICIES}; got {zero_policy!r}")
    q_array = np.asarray(q, dtype=float)
    if zero_policy == "strict":
        return q_array
    if not 0 < epsilon < 1:
        raise DataError(f"epsilon must be between 0 and 1 (exclusive); got {epsilon}")
    return (1 - epsilon) * q_array + epsilon / q_array.size


def entropy(p: np.ndarray, base: float = 2) -> float:
    """Shannon entropy H(P) = -Σ p log p.

    Examples
    --------
    The planet temperature levels from the seeds need 2.32 bits, not 3:

    >>> round(entropy(np.array([0.30, 0.40, 0.05, 0.06, 0.07, 0.02, 0.05, 0.05])), 4)
    2.3231
    """
    p_array = _as_probabilities(p, "p", must_sum_to_one=True)
    return float(special.entr(p_array).sum() / log_unit(base))


def kl_contributions(p: np.ndarray, q: np.ndarray, base: float = 2) -> np.ndarray:
    """Per-cell terms p log(p/q) whose sum is D_KL(P‖Q); ``inf`` where q = 0 < p.

    Terms may be negative (where q > p); only their sum is guaranteed non-negative.

    Examples
    --------
    >>> kl_contributions(np.array([0.5, 0.5]), np.array([0.25, 0.75])).round(4).tolist()
    [0.5, -0.2925]
    """
    p_array, q_array = _aligned(p, q)
    return special.rel_entr(p_array, q_array) / log_unit(base)


def kl_divergence(
    p: np.ndarray,
    q: np.ndarray,
    base: float = 2,
    zero_policy: ZeroPolicy = "strict",
    epsilon: float = 1e-6,
) -> float:
    """Kullback–Leibler divergence D_KL(P‖Q) = Σ_{p>0} p log(p/q).

    The extra bits per observation paid for coding data from P with a code built for Q.
    ``+inf`` when Q gives zero mass to a cell P uses, unless ``zero_policy="epsilon"``.

    Examples
    --------
    >>> kl_divergence(np.array([0.5, 0.5]), np.array([0.25, 0.75]))  # doctest: +ELLIPSIS
    0.2075...
    >>> kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    inf
    """
    p_array, q_array = _aligned(p, q)
    q_used = apply_zero_policy(q_array, zero_policy, epsilon)
    # Σ rel_entr can round to a hair below zero for identical inputs; KL ≥ 0 exactly.
    return max(float(special.rel_entr(p_array, q_used).sum()) / log_unit(base), 0.0)


def cross_entropy(
    p: np.ndarray,
    q: np.ndarray,
    base: float = 2,
    zero_policy: ZeroPolicy = "strict",
    epsilon: float = 1e-6,
) -> float:
    """Cross-entropy H(P, Q) = -Σ p log q = H(P) + D_KL(P‖Q).

    Examples
    --------
    >>> cross_entropy(np.array([0.5, 0.5]), np.array([0.5, 0.5]))
    1.0
    """
    return entropy(p, base) + kl_divergence(p, q, base, zero_policy, epsilon)


def js_divergence(p: np.ndarray, q: np.ndarray, base: float = 2) -> float:
    """Jensen–Shannon divergence: ½D(P‖M) + ½D(Q‖M) with M = (P+Q)/2.

    Symmetric and always finite (at most 1 bit). Mass that ``q`` puts outside the
    listed cells counts in full: a cell where only Q has mass adds ``½ q log 2``.

    Examples
    --------
    >>> js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    1.0
    """
    p_array, q_array = _aligned(p, q)
    mixture = (p_array + q_array) / 2
    outside = max(1.0 - float(q_array.sum()), 0.0)
    nats = 0.5 * special.rel_entr(p_array, mixture).sum() + 0.5 * special.rel_entr(q_array, mixture).sum()
    nats += 0.5 * outside * math.log(2)
    return max(float(nats) / log_unit(base), 0.0)


def infinite_cells(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Boolean mask of the cells that make D_KL(P‖Q) infinite: q = 0 < p.

    Examples
    --------
    >>> infinite_cells(np.array([0.5, 0.5]), np.array([1.0, 0.0])).tolist()
    [False, True]
    """
    p_array, q_array = _aligned(p, q)
    return (q_array == 0) & (p_array > 0)
