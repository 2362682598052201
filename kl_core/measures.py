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

Log space. A model's mass on a far cell (a Poisson(1000) at 0: e^-1000) is below the
smallest float and would round to 0, turning a finite divergence into ∞. The ``*_log``
functions take ``log_q`` instead (a model's ``log_mass``), so ∞ comes only from a true
zero (``log_q = -inf``); the functions on ``q`` compute through them.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from kl_core.errors import DataError
from kl_core.vocabulary import EPSILON, ZERO_POLICIES, ZeroPolicy

_SUM_TOLERANCE = 1e-6
_LOG_SUM_TOLERANCE = math.log1p(_SUM_TOLERANCE)

__all__ = [
    "ZERO_POLICIES", "ZeroPolicy", "apply_zero_policy_log", "cross_entropy",
    "entropy", "js_divergence", "js_divergence_log", "kl_contributions", "kl_divergence",
    "kl_contributions_log", "kl_divergence_log", "log_unit", "reverse_kl_log",
]


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


def _as_log_probabilities(log_q: np.ndarray) -> np.ndarray:
    array = np.asarray(log_q, dtype=float)
    if array.ndim != 1:
        raise DataError(f"log_q must be a one-dimensional array; got shape {array.shape}")
    if np.any(np.isnan(array)) or np.any(array == np.inf):
        raise DataError("log_q contains NaN or +inf; pass log probabilities (-inf where the model gives 0)")
    total = float(special.logsumexp(array)) if array.size else -math.inf
    if total > _LOG_SUM_TOLERANCE:
        raise DataError(f"log_q sums to {math.exp(total):g} in probability, more than 1; pass log probabilities")
    return np.minimum(array, 0.0)


def _aligned_log(p: np.ndarray, log_q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p_array = _as_probabilities(p, "p", must_sum_to_one=True)
    log_q_array = _as_log_probabilities(log_q)
    if p_array.shape != log_q_array.shape:
        raise DataError(f"p and log_q must describe the same cells; got {p_array.size} and {log_q_array.size} values")
    return p_array, log_q_array


def _log(q: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(q)


def apply_zero_policy_log(log_q: np.ndarray, zero_policy: ZeroPolicy = "strict", epsilon: float = EPSILON) -> np.ndarray:
    """The zero policy on log masses: ``log((1 - ε) q + ε / K)`` over K cells for ``"epsilon"``, unchanged for ``"strict"``.

    Examples
    --------
    >>> np.exp(apply_zero_policy_log(np.array([0.0, -np.inf]), "epsilon", 0.1)).round(4).tolist()
    [0.95, 0.05]
    """
    if zero_policy not in ZERO_POLICIES:
        raise DataError(f"zero_policy must be one of {ZERO_POLICIES}; got {zero_policy!r}")
    log_q_array = np.asarray(log_q, dtype=float)
    if zero_policy == "strict":
        return log_q_array
    if not 0 < epsilon < 1:
        raise DataError(f"epsilon must be between 0 and 1 (exclusive); got {epsilon}")
    return np.logaddexp(math.log1p(-epsilon) + log_q_array, math.log(epsilon / log_q_array.size))


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
    return kl_contributions_log(p_array, _log(q_array), base)


def kl_contributions_log(p: np.ndarray, log_q: np.ndarray, base: float = 2) -> np.ndarray:
    """Per-cell terms p (log p - log q) from log masses; 0 where p = 0, ``inf`` where log q = -inf < log p.

    Examples
    --------
    >>> kl_contributions_log(np.array([0.5, 0.5]), np.array([-1000.0, -1000.0]), math.e).round(2).tolist()
    [499.65, 499.65]
    """
    p_array, log_q_array = _aligned_log(p, log_q)
    observed = p_array > 0
    with np.errstate(invalid="ignore"):
        terms = np.where(observed, special.xlogy(p_array, p_array) - p_array * log_q_array, 0.0)
    return terms / log_unit(base)


def kl_divergence(
    p: np.ndarray,
    q: np.ndarray,
    base: float = 2,
    zero_policy: ZeroPolicy = "strict",
    epsilon: float = EPSILON,
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
    return kl_divergence_log(p_array, _log(q_array), base, zero_policy, epsilon)


def kl_divergence_log(
    p: np.ndarray,
    log_q: np.ndarray,
    base: float = 2,
    zero_policy: ZeroPolicy = "strict",
    epsilon: float = EPSILON,
) -> float:
    """D_KL(P‖Q) from the model's log masses: finite however small q is, ∞ only where log q = -inf < log p.

    Examples
    --------
    A Poisson(1000) model of the values 0 and 2000 (q = e^-1000 and e^-391, both below the
    smallest float):

    >>> from scipy import stats
    >>> log_q = stats.poisson.logpmf([0, 2000], 1000)
    >>> round(kl_divergence_log(np.array([0.5, 0.5]), log_q, math.e), 2)
    694.81
    """
    p_array, log_q_array = _aligned_log(p, log_q)
    used = apply_zero_policy_log(log_q_array, zero_policy, epsilon)
    # The sum can round to a hair below zero for identical inputs; KL ≥ 0 exactly.
    return max(float(kl_contributions_log(p_array, used, math.e).sum()) / log_unit(base), 0.0)


def cross_entropy(
    p: np.ndarray,
    q: np.ndarray,
    base: float = 2,
    zero_policy: ZeroPolicy = "strict",
    epsilon: float = EPSILON,
) -> float:
    """Cross-entropy H(P, Q) = -Σ p log q = H(P) + D_KL(P‖Q).

    Examples
    --------
    >>> cross_entropy(np.array([0.5, 0.5]), np.array([0.5, 0.5]))
    1.0
    """
    return entropy(p, base) + kl_divergence(p, q, base, zero_policy, epsilon)


def reverse_kl_log(
    p: np.ndarray,
    log_q: np.ndarray,
    base: float = 2,
    zero_policy: ZeroPolicy = "strict",
    epsilon: float = EPSILON,
) -> float:
    """D_KL(Q‖P) with Q renormalised over the listed cells; ∞ where q > 0 = p (unless the ε-floor is on P).

    Examples
    --------
    >>> round(reverse_kl_log(np.array([0.5, 0.5]), np.log(np.array([0.25, 0.75]))), 4)
    0.1887
    >>> reverse_kl_log(np.array([1.0, 0.0]), np.array([-1.0, -800.0]))
    inf
    """
    p_array, log_q_array = _aligned_log(p, log_q)
    total = float(special.logsumexp(log_q_array))
    if not math.isfinite(total):
        return 0.0  # a model with no mass on these cells: nothing to code
    log_model = log_q_array - total
    log_p = apply_zero_policy_log(_log(p_array), zero_policy, epsilon)
    held = log_model > -np.inf
    if np.any(held & (log_p == -np.inf)):
        return math.inf
    terms = np.exp(log_model[held]) * (log_model[held] - log_p[held])
    return max(float(terms.sum()) / log_unit(base), 0.0)


def js_divergence(p: np.ndarray, q: np.ndarray, base: float = 2) -> float:
    """Jensen–Shannon divergence: ½D(P‖M) + ½D(Q‖M) with M = (P+Q)/2.

    Symmetric and always finite (at most 1 bit). Mass that ``q`` puts outside the
    listed cells counts in full: a cell where only Q has mass adds ``½ q log 2``.

    Examples
    --------
    >>> js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    1.0

    The smallest float is no trouble (M = q / 2 would round to 0 there):

    >>> js_divergence(np.array([1.0, 0.0]), np.array([1.0 - 1e-16, 5e-324])) < 1e-15
    True
    """
    p_array, q_array = _aligned(p, q)
    return js_divergence_log(p_array, _log(q_array), base)


def js_divergence_log(p: np.ndarray, log_q: np.ndarray, base: float = 2) -> float:
    """Jensen–Shannon divergence from the model's log masses, M formed in log space; in [0, log 2].

    Examples
    --------
    >>> js_divergence_log(np.array([1.0, 0.0]), np.array([-np.inf, 0.0]))
    1.0
    """
    p_array, log_q_array = _aligned_log(p, log_q)
    log_p = _log(p_array)
    log_m = np.logaddexp(log_p, log_q_array) - math.log(2)
    q_array = np.exp(log_q_array)
    with np.errstate(invalid="ignore"):
        p_terms = np.where(p_array > 0, p_array * (log_p - log_m), 0.0)
        q_terms = np.where(log_q_array > -np.inf, q_array * (log_q_array - log_m), 0.0)
    outside = max(-math.expm1(float(special.logsumexp(log_q_array))), 0.0) if np.any(log_q_array > -np.inf) else 1.0
    nats = 0.5 * float(p_terms.sum()) + 0.5 * float(q_terms.sum()) + 0.5 * outside * math.log(2)
    # Each half is at most ½ log 2 exactly; rounding must not push the sum past the bound.
    return min(max(nats, 0.0), math.log(2)) / log_unit(base)
