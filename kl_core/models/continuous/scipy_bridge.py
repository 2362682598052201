"""Every private scipy call the continuous fits make, in one place, with a public fallback.

scipy's public ``cdf``/``logpdf`` check their arguments on every call, which costs more than
the arithmetic for the few thousand points a likelihood evaluation needs; the underscore
methods below skip those checks. They were checked against :data:`SCIPY_CHECKED`.
:func:`problems` lists every call that no longer behaves as it did (``tests/test_scipy_bridge.py``
fails loudly naming it); when a call is missing, the public method is used instead.
"""

from __future__ import annotations

import copy
import functools
import math
import warnings
from typing import Any, Callable, Sequence

import numpy as np
from scipy import special, stats

__all__ = [
    "SCIPY_CHECKED", "continuous_names", "fitstart", "fitting_twin", "foldnorm_logpdf", "has_fast_ppf", "invweibull_logpdf", "kappa4_logpdf", "kappa4_ppf", "kappa4_support", "kstwobign_logpdf", "problems", "rice_logpdf", "shape_domains", "std_cdf", "std_logpdf", "std_ppf", "std_sf", "support", "trapezoid_logpdf", "trapezoid_ppf", "triang_logpdf", "truncpareto_logpdf", "tukeylambda_logpdf", "valid_shapes",
]

SCIPY_CHECKED = "1.17.1"


def continuous_names() -> list[str]:
    """Names of scipy's continuous families (``scipy.stats._continuous_distns._distn_names``)."""
    try:
        from scipy.stats import _continuous_distns

        return list(_continuous_distns._distn_names)
    except (ImportError, AttributeError):
        return sorted(n for n in dir(stats) if isinstance(getattr(stats, n), stats.rv_continuous))


def shape_domains(dist: stats.rv_continuous) -> list[tuple[str, float, float]]:
    """(name, low, high) of each shape parameter (``dist._shape_info()``); fallback (0, ∞)."""
    try:
        return [(s.name, float(s.domain[0]), float(s.domain[1])) for s in dist._shape_info()]
    except AttributeError:
        names = [n.strip() for n in (dist.shapes or "").split(",") if n.strip()]
        return [(n, 0.0, math.inf) for n in names]


def _broadcast(shapes: Sequence[float], like: np.ndarray) -> list[np.ndarray]:
    return [np.full(like.shape, s, dtype=float) for s in shapes]


def valid_shapes(dist: stats.rv_continuous, shapes: Sequence[float]) -> bool:
    """Whether the shapes are valid (``dist._argcheck``; public fallback: a finite support)."""
    if not shapes:
        return True
    if _default_argcheck(type(dist)) and all(isinstance(s, (int, float, np.integer, np.floating)) for s in shapes):
        return all(s > 0 for s in shapes)  # scipy's default check, without its arrays (15 µs a call, every evaluation)
    try:
        return bool(np.all(dist._argcheck(*shapes)))
    except AttributeError:
        return not np.isnan(dist.support(*shapes)[0])


@functools.lru_cache(maxsize=None)
def _default_argcheck(kind: type) -> bool:
    """Whether the family keeps scipy's default ``_argcheck`` (every shape > 0)."""
    return getattr(kind, "_argcheck", None) is getattr(stats.rv_continuous, "_argcheck", False)


def support(dist: stats.rv_continuous, shapes: Sequence[float]) -> tuple[float, float]:
    """Standard support (loc 0, scale 1) for valid shapes (``dist._get_support``)."""
    if dist is stats.kappa4 and len(shapes) == 2:
        return kappa4_support(float(shapes[0]), float(shapes[1]))
    try:
        a, b = dist._get_support(*shapes)
    except AttributeError:
        a, b = dist.support(*shapes)
    return float(a), float(b)


def std_cdf(dist: stats.rv_continuous, z: np.ndarray, shapes: Sequence[float]) -> np.ndarray:
    """Standard CDF at points strictly inside the support, valid shapes (``dist._cdf``)."""
    try:
        return np.asarray(dist._cdf(z, *_broadcast(shapes, z)), dtype=float)
    except AttributeError:
        return np.asarray(dist.cdf(z, *shapes), dtype=float)


def std_sf(dist: stats.rv_continuous, z: np.ndarray, shapes: Sequence[float]) -> np.ndarray:
    """Standard survival function inside the support (``dist._sf``)."""
    try:
        return np.asarray(dist._sf(z, *_broadcast(shapes, z)), dtype=float)
    except AttributeError:
        return np.asarray(dist.sf(z, *shapes), dtype=float)


def std_logpdf(dist: stats.rv_continuous, z: np.ndarray, shapes: Sequence[float]) -> np.ndarray:
    """Standard log density inside the support (``dist._logpdf``)."""
    if dist is stats.t and len(shapes) == 1 and 0 < shapes[0] < math.inf:
        return _t_logpdf(np.asarray(z, dtype=float), float(shapes[0]))
    if dist is stats.tukeylambda and len(shapes) == 1 and math.isfinite(shapes[0]):
        return tukeylambda_logpdf(np.asarray(z, dtype=float), float(shapes[0]))
    if dist is stats.kstwobign:
        return kstwobign_logpdf(np.asarray(z, dtype=float))
    if dist is stats.invweibull and len(shapes) == 1 and 0 < shapes[0] < math.inf:
        return invweibull_logpdf(np.asarray(z, dtype=float), float(shapes[0]))
    if dist is stats.foldnorm and len(shapes) == 1 and 0 <= shapes[0] < math.inf:
        return foldnorm_logpdf(np.asarray(z, dtype=float), float(shapes[0]))
    if dist is stats.rice and len(shapes) == 1 and 0 <= shapes[0] < math.inf:
        return rice_logpdf(np.asarray(z, dtype=float), float(shapes[0]))
    fast = _SCALAR_LOGPDF.get(dist.name)
    if fast is not None and dist is getattr(stats, dist.name):
        with np.errstate(all="ignore"):
            return fast(np.asarray(z, dtype=float), *map(float, shapes))
    try:  # scalar shapes, as scipy's own ``fit`` passes them (``_nnlf_and_penalty``): no array of each shape per call
        return np.asarray(dist._logpdf(z, *_scalars_or_broadcast(shapes, z)), dtype=float)
    except AttributeError:
        return np.asarray(dist.logpdf(z, *shapes), dtype=float)


def _scalars_or_broadcast(shapes: Sequence[Any], like: np.ndarray) -> list[Any]:
    if all(type(s) is float for s in shapes):  # a search's shapes (np.ndim costs a microsecond each)
        return list(shapes)
    if all(np.ndim(s) == 0 for s in shapes):
        return [float(s) for s in shapes]
    return _broadcast(shapes, like)


def foldnorm_logpdf(z: np.ndarray, c: float) -> np.ndarray:
    """Log density of the folded normal, log(φ(z − c) + φ(z + c)) summed in log space, for z ≥ 0 (scipy's is
    log(pdf): −inf beyond z ≈ 39 + c although the density is positive).

    Examples
    --------
    >>> z = np.array([0.0, 1.5, 60.0])
    >>> ours = foldnorm_logpdf(z, 0.5)
    >>> bool(np.allclose(ours[:2], stats.foldnorm.logpdf(z[:2], 0.5), rtol=1e-13)), bool(np.isfinite(ours[2]))
    (True, True)
    """
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.logaddexp(-0.5 * (z - c) ** 2, -0.5 * (z + c) ** 2) - 0.5 * math.log(2 * math.pi)
    return np.where(z >= 0, out, -np.inf)


def rice_logpdf(z: np.ndarray, b: float) -> np.ndarray:
    """Log density of the Rice distribution, log z − (z − b)²/2 + log I₀e(zb), for z ≥ 0 (scipy's is log(pdf):
    −inf beyond z ≈ 39 + b although the density is positive).

    Examples
    --------
    >>> z = np.array([0.2, 1.5, 60.0])
    >>> ours = rice_logpdf(z, 0.5)
    >>> bool(np.allclose(ours[:2], stats.rice.logpdf(z[:2], 0.5), rtol=1e-13)), bool(np.isfinite(ours[2]))
    (True, True)
    """
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        out = np.log(z) - 0.5 * (z - b) ** 2 + np.log(special.i0e(z * b))
    return np.where(z >= 0, out, -np.inf)


def invweibull_logpdf(z: np.ndarray, c: float) -> np.ndarray:
    """Log density of the Fréchet (inverse Weibull), log c − (1 + c) log z − z^(−c), for z > 0 (scipy's is log(pdf):
    −inf below z ≈ 1e-3 at c = 1 although the density is positive).

    Examples
    --------
    >>> z = np.array([1e-4, 0.5, 3.0])
    >>> ours = invweibull_logpdf(z, 1.5)
    >>> bool(np.isfinite(ours[0])), bool(np.allclose(ours[1:], stats.invweibull.logpdf(z[1:], 1.5), rtol=1e-13))
    (True, True)
    """
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        out = math.log(c) - (1 + c) * np.log(z) - z ** (-c)
    return np.where(z > 0, out, -np.inf)


_KOLMOGOROV_TERMS = ((2 * np.arange(1, 6) - 1) ** 2 * np.pi**2 / 8)[:, None]  # c_k of the small-x series
_KOLMOGOROV_SERIES_BELOW = 1.5  # below, five terms of the small-z series are exact to rounding; above, of the other


def kstwobign_logpdf(z: np.ndarray) -> np.ndarray:
    """Log density of the Kolmogorov limit without underflow near 0 (scipy's is log(pdf): −inf below z ≈ 0.04).

    For small z, K(z) = √(2π)/z Σ exp(−c_k/z²) with c_k = (2k−1)²π²/8, so
    log f = ½ log 2π − c₁/z² + log Σ exp(−(c_k − c₁)/z²)(2c_k/z⁴ − 1/z²); above 1.5 the other series,
    f = 8z Σ (−1)^(k−1) k² exp(−2k²z²), with exp(−2z²) taken out of the sum.

    Examples
    --------
    >>> z = np.array([0.01, 0.3, 1.5, 40.0])
    >>> ours = kstwobign_logpdf(z)
    >>> bool(ours[0] > -13_000), bool(np.allclose(ours[1:3], stats.kstwobign.logpdf(z[1:3]), rtol=1e-12)), bool(ours[3] > -3_300)
    (True, True, True)
    """
    out = np.full(z.shape, -np.inf)
    small = (z > 0) & (z < _KOLMOGOROV_SERIES_BELOW)
    large = z >= _KOLMOGOROV_SERIES_BELOW
    if small.any():
        x = z[small]
        c = _KOLMOGOROV_TERMS
        terms = np.exp(-(c - c[0]) / x**2) * (2 * c / x**4 - 1 / x**2)
        out[small] = 0.5 * math.log(2 * math.pi) - c[0] / x**2 + np.log(terms.sum(axis=0))
    if large.any():  # f = 8z Σ (−1)^(k−1) k² e^(−2k²z²): its log with e^(−2z²) taken out (scipy's underflows past z ≈ 19)
        x, k = z[large], np.arange(1, 6)[:, None]
        terms = (-1.0) ** (k - 1) * k**2 * np.exp(-2.0 * (k**2 - 1) * x**2)
        out[large] = math.log(8.0) + np.log(x) - 2.0 * x**2 + np.log(terms.sum(axis=0))
    return out


def _t_logpdf(z: np.ndarray, df: float) -> np.ndarray:
    """scipy's own ``t._logpdf`` formula, its shape-only terms computed once: scipy's ``apply_where``
    evaluates ``poch`` and two logs at every point (about 5× the arithmetic of the term in z)."""
    constant = np.log(special.poch(0.5 * df, 0.5)) - 0.5 * (np.log(df) + np.log(np.pi))
    return constant - (df + 1) / 2 * np.log1p(z * z / df)


_TUKEY_NEWTON_STEPS = 8  # from an interpolated start Newton settles in 2–3 steps; the rest is a margin
_TUKEY_SETTLED = 1e-8  # a Newton step this small (in log p) leaves an error of about its square: rounding


def _tukey_grid() -> np.ndarray:
    """log p on a grid over (0, ½]: dense in the body, log-spaced into the far tail."""
    return np.log(np.concatenate([np.geomspace(1e-300, 1e-3, 700, endpoint=False), np.linspace(1e-3, 0.5, 1400)]))


_TUKEY_LOG_P = _tukey_grid()
_TUKEY_P = np.exp(_TUKEY_LOG_P)


def tukeylambda_logpdf(z: np.ndarray, lam: float) -> np.ndarray:
    """Tukey lambda's standard log density, scipy's value without its bisection at every point.

    The family is defined by its quantile function Q(p) = (p^λ − (1−p)^λ)/λ (scipy's ``_ppf``:
    ``boxcox(p, λ) − boxcox1p(−p, λ)``), so f(Q(p)) = 1 / Q′(p) with Q′(p) = p^(λ−1) + (1−p)^(λ−1).
    scipy's ``_pdf`` finds p = F(z) by bisection in C (``special.tklmbda``, about 2 µs a point);
    here p comes from a table of Q and a few Newton steps in log p on the left half (the density
    is symmetric), so p keeps its digits in both tails. Points where Newton does not settle to
    rounding are handed to scipy's own ``_pdf``. ``tests/test_scipy_bridge.py`` checks it against
    ``stats.tukeylambda.logpdf``.

    Examples
    --------
    >>> z = np.array([-20.0, -3.0, -0.4, 0.0])
    >>> bool(np.allclose(tukeylambda_logpdf(z, -0.2), stats.tukeylambda.logpdf(z, -0.2), rtol=1e-10, atol=0))
    True

    In the right tail scipy's ``1 − F`` loses digits; this keeps them (the density is symmetric):

    >>> bool(np.array_equal(tukeylambda_logpdf(-z, -0.2), tukeylambda_logpdf(z, -0.2)))
    True
    """
    left = -np.abs(z)  # f(z) = f(−z): solve Q(p) = −|z| with p ≤ ½
    with np.errstate(all="ignore"):
        table = special.boxcox(_TUKEY_P, lam) - special.boxcox1p(-_TUKEY_P, lam)
        log_p = np.interp(left, table, _TUKEY_LOG_P)
        settled = np.zeros(left.shape, dtype=bool)
        for _ in range(_TUKEY_NEWTON_STEPS):
            p = np.exp(log_p)
            slope = (p ** (lam - 1.0) + (1.0 - p) ** (lam - 1.0)) * p  # dQ/d log p
            step = (special.boxcox(p, lam) - special.boxcox1p(-p, lam) - left) / slope
            finite = np.isfinite(step)  # Q or its slope overflowed (|z| ≳ 1e150): scipy's _pdf below
            log_p = np.where(finite, np.minimum(log_p - step, math.log(0.5)), log_p)
            settled = finite & (np.abs(step) <= _TUKEY_SETTLED * np.maximum(np.abs(log_p), 1.0))
            if settled.all():
                break
        p = np.exp(log_p)
        out = -np.log(p ** (lam - 1.0) + (1.0 - p) ** (lam - 1.0))
        unsettled = ~settled | ~np.isfinite(out)
        if lam > 0:
            beyond = np.abs(z) >= 1.0 / lam  # scipy's density is 0 from the support's ends on
            out[beyond] = -np.inf
            unsettled &= ~beyond
        if unsettled.any():
            out[unsettled] = np.log(stats.tukeylambda._pdf(z[unsettled], np.full(int(unsettled.sum()), lam)))
    return out


# ------------------------------------------------ scipy's formulas, for one set of scalar shapes
# scipy evaluates piecewise densities with ``_lazyselect`` (an ``np.extract``/``np.place`` per piece
# and per argument, the shapes broadcast to every point): for one set of shapes the piece is chosen
# once and the same arithmetic runs on the whole array. Each is checked against scipy's public
# method in ``tests/test_scipy_bridge.py``.
def trapezoid_logpdf(z: np.ndarray, c: float, d: float) -> np.ndarray:
    """trapezoid's standard log density, scipy's ``_pdf`` arithmetic piece by piece (0 ≤ c ≤ d ≤ 1, 0 ≤ z ≤ 1).

    Examples
    --------
    >>> z = np.array([0.0, 0.1, 0.5, 0.95, 1.0])
    >>> bool(np.array_equal(trapezoid_logpdf(z, 0.2, 0.8), stats.trapezoid.logpdf(z, 0.2, 0.8)))
    True
    """
    u = 2 / (d - c + 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # the pieces not taken, and log 0 at a corner
        return np.log(np.where(z < c, u * z / c, np.where(z <= d, u, u * (1 - z) / (1 - d))))


def trapezoid_ppf(q: np.ndarray, c: float, d: float) -> np.ndarray:
    """trapezoid's standard quantiles, scipy's ``_ppf`` with its two corner probabilities computed once."""
    qc, qd = c / (d - c + 1), (c + 2 * (d - c)) / (d - c + 1)  # scipy's _cdf at c and at d (its middle piece)
    return np.where(
        q < qc, np.sqrt(q * c * (1 + d - c)),
        np.where(q <= qd, 0.5 * q * (1 + d - c) + 0.5 * c, 1 - np.sqrt((1 - q) * (d - c + 1) * (1 - d))),
    )


def triang_logpdf(z: np.ndarray, c: float) -> np.ndarray:
    """triang's standard log density, scipy's ``_pdf`` arithmetic (0 ≤ c ≤ 1, 0 ≤ z ≤ 1).

    scipy's ``_lazyselect`` lets a later piece overwrite an earlier one, so at c = 0 its value is
    2(1 − z)/(1 − c) and at c = 1 it is 2z; the same here, to the last bit.

    Examples
    --------
    >>> z = np.array([0.0, 0.3, 0.7, 1.0])
    >>> bool(np.array_equal(triang_logpdf(z, 0.4), stats.triang.logpdf(z, 0.4)))
    True
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # the piece not taken, and log 0 at a corner
        if c == 1:
            return np.log(2 * z)
        return np.log(np.where(z < c, 2 * z / c, 2 * (1 - z) / (1 - c)))


def kappa4_logpdf(z: np.ndarray, h: float, k: float) -> np.ndarray:
    """kappa4's standard log density inside its support, scipy's ``_logpdf`` piece for these h, k.

    Examples
    --------
    >>> z = np.array([-1.0, 0.0, 0.5, 2.0])
    >>> bool(np.array_equal(kappa4_logpdf(z, 0.3, 0.2), stats.kappa4.logpdf(z, 0.3, 0.2)))
    True
    """
    if h != 0 and k != 0:
        return special.xlog1py(1.0 / k - 1.0, -k * z) + special.xlog1py(1.0 / h - 1.0, -h * (1.0 - k * z) ** (1.0 / k))
    if k != 0:
        return special.xlog1py(1.0 / k - 1.0, -k * z) - (1.0 - k * z) ** (1.0 / k)
    if h != 0:
        return -z + special.xlog1py(1.0 / h - 1.0, -h * np.exp(-z))
    return -z - np.exp(-z)


def kappa4_ppf(q: np.ndarray, h: float, k: float) -> np.ndarray:
    """kappa4's standard quantiles, scipy's ``_ppf`` piece for these h, k."""
    if h != 0 and k != 0:
        return 1.0 / k * (1.0 - ((1.0 - (q**h)) / h) ** k)
    if k != 0:
        return 1.0 / k * (1.0 - (-np.log(q)) ** k)
    if h != 0:
        return -special.log1p(-(q**h)) + np.log(h)
    return -np.log(-np.log(q))


def kappa4_support(h: float, k: float) -> tuple[float, float]:
    """kappa4's standard support, scipy's ``_get_support`` for scalar h, k."""
    if h > 0:
        low = math.log(h) if k == 0 else float((1.0 - np.float_power(h, -k)) / k)
    else:
        low = 1.0 / k if k < 0 else -math.inf
    high = 1.0 / k if k > 0 else math.inf
    return low, high


def truncpareto_logpdf(z: np.ndarray, b: float, c: float) -> np.ndarray:
    """truncpareto's standard log density, scipy's ``_logpdf`` arithmetic for one (b, c) without its per-point
    selection of the sign of b (which costs three times the arithmetic on a few hundred points).

    Examples
    --------
    >>> z = np.array([1.0, 1.5, 2.9, 3.0])
    >>> all(np.array_equal(truncpareto_logpdf(z, b, 3.0), stats.truncpareto.logpdf(z, b, 3.0)) for b in (2.5, -0.7))
    True
    """
    b64, c64 = np.float64(b), np.float64(c)
    if not b64 > 0:
        return stats.truncpareto._logpdf(z, b64, c64)  # scipy's log of its _pdf
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(b64) - np.log(-np.expm1(-b64 * np.log(c64))) - (b64 + 1) * np.log(z)


_SCALAR_LOGPDF = {"trapezoid": trapezoid_logpdf, "triang": triang_logpdf, "kappa4": kappa4_logpdf, "truncpareto": truncpareto_logpdf}
_SCALAR_PPF = {"trapezoid": trapezoid_ppf, "kappa4": kappa4_ppf}


def _scalar_logpdf(dist: stats.rv_continuous) -> Callable[..., np.ndarray] | None:
    """This module's log density of ``dist`` for scalar shapes, or None (scipy's own is used)."""
    if dist is not getattr(stats, dist.name, None):
        return None
    if dist.name == "tukeylambda":
        return tukeylambda_logpdf
    return _SCALAR_LOGPDF.get(dist.name)


@functools.lru_cache(maxsize=None)
def fitting_twin(dist: stats.rv_continuous) -> stats.rv_continuous:
    """``dist`` for scipy's ``fit``: where this module has a faster log density, a copy whose ``_logpdf`` uses it.

    ``dist.fit`` evaluates ``dist._logpdf`` a few hundred times (with the shapes broadcast to the
    sample, all equal); the copy takes this module's function when they are equal and scipy's
    otherwise, so the likelihood it maximises is scipy's (bit for bit for trapezoid, triang and
    kappa4; tukeylambda's to ~1e-12 without scipy's bisection at every point). kappa4's support,
    which the fit checks at every evaluation, comes from :func:`kappa4_support` the same way.
    Every other family is returned as it is.

    Examples
    --------
    >>> fitting_twin(stats.norm) is stats.norm, fitting_twin(stats.triang) is stats.triang
    (True, False)
    >>> x = np.array([0.1, 0.3, 0.35, 0.6, 0.8])
    >>> bool(np.array_equal(fitting_twin(stats.triang).logpdf(x, 0.4), stats.triang.logpdf(x, 0.4)))
    True
    """
    fast = _scalar_logpdf(dist)
    if fast is None:
        return dist
    base = type(dist)

    def _logpdf(self: stats.rv_continuous, x: np.ndarray, *shapes: np.ndarray) -> np.ndarray:
        scalars = _equal_shapes(shapes)
        if scalars is None:
            return base._logpdf(self, x, *shapes)
        with np.errstate(all="ignore"):
            return np.asarray(fast(np.asarray(x, dtype=float), *scalars), dtype=float)

    methods: dict[str, Any] = {"_logpdf": _logpdf}
    if dist.name == "kappa4":
        def _get_support(self: stats.rv_continuous, *shapes: np.ndarray) -> tuple[Any, Any]:
            scalars = _equal_shapes(shapes)
            if scalars is None:
                return base._get_support(self, *shapes)
            low, high = kappa4_support(*scalars)
            like = np.broadcast(*shapes).shape
            return np.full(like, low), np.full(like, high)

        methods["_get_support"] = _get_support
    twin = copy.copy(dist)
    twin.__class__ = type(f"{base.__name__}_fast", (base,), methods)
    return twin


def _equal_shapes(shapes: Sequence[Any]) -> list[float] | None:
    """The shapes as floats when each is one value (an array of equal finite values), else None."""
    scalars = []
    for shape in shapes:
        array = np.asarray(shape, dtype=float)
        if array.size == 0:
            return None
        first = float(array.flat[0])
        if not math.isfinite(first) or (array.ndim and not np.all(array == first)):
            return None
        scalars.append(first)
    return scalars


def has_fast_ppf(dist: stats.rv_continuous) -> bool:
    """Whether the family overrides scipy's generic (root-finding) ``_ppf``."""
    try:
        return type(dist)._ppf is not stats.rv_continuous._ppf
    except AttributeError:
        return False


def std_ppf(dist: stats.rv_continuous, q: np.ndarray, shapes: Sequence[float]) -> np.ndarray:
    """Standard quantiles; the unchecked ``dist._ppf`` when the family has a closed form."""
    fast = _SCALAR_PPF.get(dist.name)
    if fast is not None and dist is getattr(stats, dist.name):
        with np.errstate(all="ignore"):
            return fast(np.asarray(q, dtype=float), *map(float, shapes))
    if has_fast_ppf(dist):
        return np.asarray(dist._ppf(q, *_broadcast(shapes, q)), dtype=float)
    return np.asarray(dist.ppf(q, *shapes), dtype=float)


def fitstart(dist: stats.rv_continuous, sample: np.ndarray) -> list[float] | None:
    """The family's own rough shape start (``dist._fitstart``) when it overrides the generic one."""
    try:
        if type(dist)._fitstart is stats.rv_continuous._fitstart:
            return None  # the generic start integrates moments numerically: seconds
        return [float(v) for v in dist._fitstart(sample)[:-2]]
    except AttributeError:
        return None


def problems() -> list[str]:
    """Each private call that is missing or disagrees with its public twin (empty when all is well).

    Examples
    --------
    >>> problems()
    []
    """
    found = []
    z = np.array([0.3, 1.2, 2.5])
    q = np.array([0.25, 0.5, 0.75])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for name, dist, shapes in (("gamma", stats.gamma, [2.5]), ("weibull_min", stats.weibull_min, [1.7]), ("norm", stats.norm, [])):
            checks = {
                f"stats.{name}._cdf": (lambda: dist._cdf(z, *_broadcast(shapes, z)), lambda: dist.cdf(z, *shapes)),
                f"stats.{name}._sf": (lambda: dist._sf(z, *_broadcast(shapes, z)), lambda: dist.sf(z, *shapes)),
                f"stats.{name}._logpdf": (lambda: dist._logpdf(z, *_broadcast(shapes, z)), lambda: dist.logpdf(z, *shapes)),
                f"stats.{name}._ppf": (lambda: dist._ppf(q, *_broadcast(shapes, q)), lambda: dist.ppf(q, *shapes)),
                f"stats.{name}._get_support": (lambda: dist._get_support(*shapes), lambda: dist.support(*shapes)),
            }
            if shapes:
                checks[f"stats.{name}._argcheck"] = (lambda: dist._argcheck(*shapes), lambda: True)
                checks[f"stats.{name}._shape_info"] = (
                    lambda: [s.name for s in dist._shape_info()], lambda: [n.strip() for n in dist.shapes.split(",")])
            for call, (private, public) in checks.items():
                try:
                    got, want = private(), public()
                    same = got == want if isinstance(want, list) else np.allclose(np.asarray(got, float), np.asarray(want, float))
                    if not same:
                        found.append(f"{call} disagrees with the public method")
                except Exception as error:  # noqa: BLE001 - any failure is a changed private API
                    found.append(f"{call} fails: {error!r}")
    try:
        from scipy.stats import _continuous_distns

        if "gamma" not in _continuous_distns._distn_names:
            found.append("scipy.stats._continuous_distns._distn_names no longer lists gamma")
    except (ImportError, AttributeError) as error:
        found.append(f"scipy.stats._continuous_distns._distn_names fails: {error!r}")
    if not _default_argcheck(type(stats.gamma)) or stats.gamma._argcheck(-1.0) or not stats.gamma._argcheck(2.0):
        found.append("stats.gamma no longer keeps rv_continuous's default _argcheck (every shape > 0)")
    if not has_fast_ppf(stats.gamma):
        found.append("type(stats.gamma)._ppf no longer overrides rv_continuous._ppf")
    if fitstart(stats.gamma, np.array([1.0, 2.0, 3.0, 5.0])) is None:
        found.append("stats.gamma._fitstart is missing")
    return found
