"""The numerical likelihood search for families without a closed-form fit.

Data reaches it as weighted *points* (the exact values: density likelihood
−Σ cᵢ log f(xᵢ; θ)) or as *cells* (fine sketch cells, display bins of data known only as
bins, unit cells of the discretised families: −Σ cⱼ log(F(rⱼ; θ) − F(lⱼ; θ)), with the mass
taken as S(l) − S(r) in the right tail so it stays accurate). Both are O(K) in the number
of points or cells.

The search is deterministic: robust starts (plain shapes placed on the data's quartiles,
the family's own rough start, scipy's ``fit`` on two 1,000-point pseudo-samples with an
evaluation budget), then Nelder–Mead in median/IQR coordinates from each pseudo-sample's best start, with a budget of
likelihood evaluations. The time limit is only a safety net for users
(:class:`~kl_core.models.base.FitTimeout`), never what decides a result.

Internally the data is standardised (``z = (x − m) / s``) so that the optimiser's
tolerances mean the same at every scale; fixed parameters are passed through unchanged.
"""

from __future__ import annotations

import functools
import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
from scipy import optimize, stats

from kl_core.errors import DataError
from kl_core.models.base import FitTimeout, minimize_nll, time_box_message
from kl_core.models.continuous import scipy_bridge
from kl_core.models.continuous.catalogue import Family, Transform

__all__ = [
    "EVALUATIONS_PER_PARAMETER", "POLISH_EVALUATIONS", "POLISH_EVALUATIONS_PER_PARAMETER", "SEARCH_EVALUATIONS", "Cells", "Search",
    "cells", "evaluation_budget", "frozen_cell_mass", "points", "search", "std_logpdf",
]

PSEUDO_SAMPLE_SIZE = 1_000
_PSEUDO_SEED = 20240607
SEARCH_EVALUATIONS = 200  # Nelder–Mead budget: this + EVALUATIONS_PER_PARAMETER × free parameters
EVALUATIONS_PER_PARAMETER = 200
POLISH_EVALUATIONS = 80  # a polishing stage (from a coarser summary's optimum): this + 60 × free
POLISH_EVALUATIONS_PER_PARAMETER = 60
_SCIPY_FIT_EVALUATIONS = 300  # budget of scipy's own fit on the pseudo-sample (a start)


# ----------------------------------------------------------------------- cells
@dataclass(frozen=True)
class Cells:
    """Occupied cells (or weighted points) in standardised units: cell j is [points[left[j]], points[right[j]]).

    With ``density`` True every cell is a point (left = right) and the likelihood is the density's.
    """

    points: np.ndarray  # sorted distinct cell boundaries (standardised)
    left: np.ndarray  # index into points of each occupied cell's left boundary
    right: np.ndarray
    probs: np.ndarray  # weight of each occupied cell, summing to 1
    shift: float  # m: raw = shift + spread * standardised
    spread: float  # s
    n: float  # number of observations (for the pseudo-sample size)
    density: bool = False  # points, not cells
    raw_low: float = -math.inf  # the smallest and largest raw boundary, exactly (no standardising round trip)
    raw_high: float = math.inf
    # −log-likelihoods already computed on these cells, by family and exact parameter bits: a search asks again for
    # its start and its best point (a few per cent of its evaluations, more on the larger polishing summary)
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def lows(self) -> np.ndarray:
        return self.points[self.left]

    @property
    def highs(self) -> np.ndarray:
        return self.points[self.right]

    @property
    def centres(self) -> np.ndarray:
        return (self.lows + self.highs) / 2

    def to_std(self, name: str, value: float) -> float:
        if name == "loc":
            return (value - self.shift) / self.spread
        if name == "scale":
            return value / self.spread
        return value

    def to_raw(self, name: str, value: float) -> float:
        if name == "loc":
            return self.shift + self.spread * value
        if name == "scale":
            return self.spread * value
        return value


def cells(lows: np.ndarray, highs: np.ndarray, weights: np.ndarray, n: float | None = None) -> Cells:
    """Cells [lows, highs) with their weights (raw units), standardised by the weighted centres."""
    return _standardised(lows, highs, weights, n, density=False)


def points(values: np.ndarray, weights: np.ndarray, n: float | None = None) -> Cells:
    """Weighted points (raw units): the density likelihood."""
    return _standardised(values, values, weights, n, density=True)


def _standardised(lows: np.ndarray, highs: np.ndarray, weights: np.ndarray, n: float | None, density: bool) -> Cells:
    used = weights > 0
    lows, highs, weights = lows[used], highs[used], weights[used]
    probs = weights / weights.sum()
    centres = lows + (highs - lows) / 2
    shift = float(np.dot(probs, centres))
    spread = float(np.sqrt(np.dot(probs, (centres - shift) ** 2)))
    if not math.isfinite(spread) or spread <= 0:
        spread = float(np.max(highs - lows)) or max(abs(shift), 1.0)
    points_, inverse = np.unique(np.concatenate([lows, highs]), return_inverse=True)
    k = lows.size
    return Cells(
        points=(points_ - shift) / spread, left=inverse[:k], right=inverse[k:], probs=probs,
        shift=shift, spread=spread, n=float(n) if n else float(weights.sum()), density=density,
        raw_low=float(points_[0]), raw_high=float(points_[-1]),
    )


def _pseudo_sample(cells: Cells, size: int = PSEUDO_SAMPLE_SIZE) -> np.ndarray:
    """≤ ``size`` deterministic points spread uniformly within cells in proportion to their weight.

    Systematic allocation: cell j gets round(total·Pⱼ) − round(total·Pⱼ₋₁) points (P the cumulative
    weight), the floor or the ceiling of its share, ``total`` in all, and with more cells than points
    an evenly spaced subset of the cells (not the largest ones).

    Examples
    --------
    >>> spread = points(np.arange(10_000.0), np.ones(10_000))
    >>> sample = _pseudo_sample(spread) * spread.spread + spread.shift
    >>> sample.size, int(np.median(sample) // 100)
    (1000, 49)
    """
    total = _pseudo_total(cells, size)
    cumulative = np.cumsum(cells.probs)
    rounded = np.floor(cumulative / cumulative[-1] * total + 0.5).astype(np.int64)
    return _filled(cells, np.diff(rounded, prepend=0))


def _pseudo_samples(cells: Cells, size: int = PSEUDO_SAMPLE_SIZE) -> list[np.ndarray]:
    """The pseudo-samples scipy's fit starts from: one, or two when there are more cells than points.

    With at most ``size`` cells every allocation gives each cell the floor or the ceiling of its
    share, and the largest-remainder one (main's since the first build) is used alone: the summary
    path of large data (about 700 cells) costs one descent, as before.

    With more cells than points (raw values beyond 1,000) largest remainders tie on every cell and
    take the *largest* values. That upper-tail sample is a poor summary but a useful start: scipy's
    fit to it starts heavy- or bounded-tailed families (weibull_max, kappa4 on the Danish fire
    losses) thousands of nats better than the spread :func:`_pseudo_sample`. Both are tried there;
    the likelihood of the data chooses.

    Examples
    --------
    >>> len(_pseudo_samples(points(np.arange(500.0), np.ones(500)))), len(_pseudo_samples(points(np.arange(5_000.0), np.ones(5_000))))
    (1, 2)
    """
    total = _pseudo_total(cells, size)
    exact = cells.probs * total
    remainders = np.floor(exact).astype(np.int64)
    short = total - int(remainders.sum())
    if short > 0:
        remainders[np.argsort(exact - remainders)[::-1][:short]] += 1
    upper = _filled(cells, remainders)
    if cells.probs.size <= total:
        return [upper]
    spread = _pseudo_sample(cells, size)
    return [spread] if np.array_equal(spread, upper) else [spread, upper]


def _pseudo_total(cells: Cells, size: int) -> int:
    return int(min(size, max(cells.n, cells.probs.size)))


def _filled(cells: Cells, alloc: np.ndarray) -> np.ndarray:
    """``alloc[j]`` points in cell j, at fixed pseudo-random places inside it (seeded: deterministic)."""
    rng = np.random.default_rng(_PSEUDO_SEED)
    lows = np.repeat(cells.lows, alloc)
    widths = np.repeat(cells.highs - cells.lows, alloc)
    return lows + widths * rng.uniform(0.02, 0.98, lows.size)


# ------------------------------------------------------------- the family's mass
def _broadcast(shapes: Sequence[float], like: np.ndarray) -> list[np.ndarray]:
    return [np.full(like.shape, s, dtype=float) for s in shapes]


_SF_FROM = 1.0 - 1e-6


def _std_cdf_sf(dist: stats.rv_continuous, shapes: Sequence[float], z: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Standard CDF and survival function at ``z`` (sf computed directly where CDF > ½); None if shapes invalid.

    Uses scipy's unchecked ``_cdf``/``_sf`` through :mod:`scipy_bridge`, several times faster
    than the public methods for a few hundred points.
    """
    facts = _shape_facts(dist, tuple(shapes))
    if facts is None:
        return None
    a, b = facts
    cdf = np.where(z >= b, 1.0, 0.0)
    inside = (z > a) & (z < b)
    if inside.all():
        cdf = scipy_bridge.std_cdf(dist, z, shapes)
    elif inside.any():
        cdf[inside] = scipy_bridge.std_cdf(dist, z[inside], shapes)
    sf = 1.0 - cdf
    upper = inside & (cdf > _SF_FROM)  # below this, 1 − CDF is accurate to ~1e-10 relative
    if upper.any():
        sf[upper] = scipy_bridge.std_sf(dist, z[upper], shapes)
    return cdf, sf


@functools.lru_cache(maxsize=64)
def _shape_facts(dist: stats.rv_continuous, shapes: tuple[float, ...]) -> tuple[float, float] | None:
    """The standard support for valid ``shapes``, None for invalid ones; remembered, since one likelihood
    evaluation asks twice (its quartiles, then its log density) and scipy's checks cost a tenth of a
    3,000-point log density."""
    if not scipy_bridge.valid_shapes(dist, shapes):
        return None
    return scipy_bridge.support(dist, shapes)


def _public_cdf_sf(dist: stats.rv_continuous, shapes: Sequence[float], z: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    if not scipy_bridge.valid_shapes(dist, shapes):
        return None
    return np.asarray(dist.cdf(z, *shapes), dtype=float), np.asarray(dist.sf(z, *shapes), dtype=float)


def std_logpdf(dist: stats.rv_continuous, shapes: Sequence[float], z: np.ndarray, ascending: bool = False) -> np.ndarray | None:
    """Standard log density at ``z``, −inf off the support; None if the shapes are invalid.

    ``ascending``: ``z`` is sorted, so its ends alone say whether it lies inside the support (a
    likelihood evaluation's common case, without two passes over the points).
    """
    facts = _shape_facts(dist, tuple(shapes))
    if facts is None:
        return None
    a, b = facts
    if ascending and z.size and z[0] >= a and z[-1] <= b:
        return scipy_bridge.std_logpdf(dist, z, shapes)
    inside = (z >= a) & (z <= b)
    if inside.all():
        return scipy_bridge.std_logpdf(dist, z, shapes)
    out = np.full(z.shape, -np.inf)
    out[inside] = scipy_bridge.std_logpdf(dist, z[inside], shapes)
    return out


def _cell_mass(cdf: np.ndarray, sf: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """F(right) − F(left), taken as S(left) − S(right) where F(right) > ½ (accurate in the right tail).

    ``sf`` is 1 − ``cdf`` except past ``_SF_FROM``, where scipy's survival function is used.
    """
    return np.where(cdf[right] > 0.5, sf[left] - sf[right], cdf[right] - cdf[left])


def frozen_cell_mass(frozen: Any, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    """P(low < X ≤ high) for a frozen scipy distribution, accurate in both tails, clipped to [0, 1]."""
    lows, highs = np.asarray(lows, dtype=float), np.asarray(highs, dtype=float)
    with np.errstate(all="ignore"):
        c_low, c_high = frozen.cdf(lows), frozen.cdf(highs)
        mass = c_high - c_low
        right = c_high > 0.5
        if np.any(right):
            mass = np.where(right, frozen.sf(lows) - frozen.sf(highs), mass)
    return np.clip(np.nan_to_num(mass, nan=0.0), 0.0, 1.0)


# ---------------------------------------------------------------------- fitting
_LOG_WALL = 25.0  # positive parameters stay within e^±25 of their bound (standardised units)
_LINEAR_WALL = 1e6  # unbounded parameters (loc, real shapes) stay within ±1e6
_STALL = 1e-9  # nats per observation: less improvement than this over a window is convergence
_ROUGH_STALL = 1e-7  # the same for a first stage that a polishing stage follows


def evaluation_budget(free: int, polish: bool = False) -> tuple[int, int]:
    """(stall window, budget) in likelihood evaluations for a search over ``free`` parameters.

    The search stops when a whole window improved the fit by less than 1e-9 nats per
    observation (converged) or when the budget is spent (reported with the fit). A polishing
    stage starts next to the optimum and gets a smaller window and budget.

    Examples
    --------
    >>> evaluation_budget(3), evaluation_budget(3, polish=True)
    ((150, 800), (50, 260))
    """
    if polish:
        return 20 + 10 * free, POLISH_EVALUATIONS + POLISH_EVALUATIONS_PER_PARAMETER * free
    return 60 + 30 * free, SEARCH_EVALUATIONS + EVALUATIONS_PER_PARAMETER * free


class _Stalled(Exception):
    """Nelder–Mead is no longer improving the fit meaningfully."""


class _Objective:
    """−Σ p_j log q_j(θ) over occupied cells, θ the free parameters in unconstrained form."""

    def __init__(self, family: Family, cells: Cells, fixed: dict[str, float], edges: bool = False):
        self.family, self.cells, self.fixed = family, cells, fixed
        self.free = tuple(p for p in family.parameters if p not in fixed)
        self.edge_coords = edges and cells.density and _use_edge_coords(family, fixed)
        self.quantile_coords = not self.edge_coords and _use_quantile_coords(family, fixed)
        # Coordinates Nelder–Mead moves in: with free loc and scale, the model's median and
        # interquartile range replace them, which keeps location and spread nearly fixed while a
        # shape moves (gamma's a → ∞ on normal data is then a straight run, not a curved crawl).
        self.coords = _coords(self)
        # A family with a bounded support (bradford, powerlaw, loguniform, the truncated ones) has its
        # optimum where an end of the support meets the smallest or largest value: in loc/scale (or
        # median/IQR) coordinates that is a curved wall of −∞ on which Nelder–Mead stalls wherever it
        # first touches it. The gaps between the data's ends and the support's ends, in log form, make
        # every point a covering support, and the optimum at the wall a straight run (gap → 0).
        self.calls, self.best, self.best_theta, self.checkpoint, self.window = 0, math.inf, None, math.inf, 1 << 62
        self.budget, self.exhausted, self.stall = 1 << 62, False, _STALL
        self._walls: np.ndarray | None = None
        self._wall_list: list[float] = []
        self.cdf_sf: Callable[..., Any] = _std_cdf_sf
        # Points are scored by the log density alone: no cdf, so nothing to check (and a cdf can cost seconds).
        self._point_order = cells.left if cells.density and not np.array_equal(cells.left, np.arange(cells.left.size)) else None
        try:  # the fast unchecked path must agree with scipy's public cdf and sf, else use the public ones
            probe = None if cells.density else _probe_shapes(family)
            if probe is not None:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fast = _std_cdf_sf(family.dist, probe, cells.points)
                    slow = _public_cdf_sf(family.dist, probe, cells.points)
                if fast is None or slow is None or not all(
                    np.allclose(f, g, atol=1e-9, equal_nan=True) for f, g in zip(fast, slow)
                ):
                    self.cdf_sf = _public_cdf_sf
        except Exception:  # noqa: BLE001 - any failure of the private path: use the public ones
            self.cdf_sf = _public_cdf_sf

    def values(self, theta: np.ndarray) -> dict[str, float]:
        params = dict(self.fixed)
        for name, u in zip(self.coords, theta.tolist()):
            params[name] = _COORD_TRANSFORMS.get(name, self.family.transforms.get(name)).backward(u)
        if self.edge_coords:
            a, b = self._support(params)
            low, high = float(self.cells.points[0]) - params.pop("low_gap"), float(self.cells.points[-1]) + params.pop("high_gap")
            params["scale"] = (high - low) / (b - a)
            params["loc"] = low - a * params["scale"]
        if self.quantile_coords:
            z25, z50, z75 = self._quartiles(params)
            params["scale"] = params.pop("iqr") / (z75 - z25)
            params["loc"] = params.pop("median") - params["scale"] * z50
        return params

    def _support(self, params: dict[str, float]) -> tuple[float, float]:
        facts = _shape_facts(self.family.dist, tuple(params[s] for s in self.family.shape_names))
        if facts is None or not (math.isfinite(facts[0]) and math.isfinite(facts[1]) and facts[1] > facts[0]):
            raise ValueError("invalid shapes or an unbounded support")
        if facts[1] - facts[0] < _NARROW * max(abs(facts[0]), abs(facts[1])):
            # truncpareto's [1, c] as c → 1: every value's z = 1 + (a few units in the last place); log f is rounding noise
            raise ValueError("a support too narrow for its position: standardised values lose their digits")
        return facts

    def _quartiles(self, params: dict[str, float]) -> np.ndarray:
        shapes = [params[s] for s in self.family.shape_names]
        if _shape_facts(self.family.dist, tuple(shapes)) is None:
            raise ValueError("invalid shapes")
        z = scipy_bridge.std_ppf(self.family.dist, _QUARTILES, shapes)
        if not (np.isfinite(z).all() and z[2] > z[0]):
            raise ValueError("quartiles not finite")
        return z

    def inside_walls(self, theta: np.ndarray) -> bool:
        """Sanity bounds (standardised units) that stop run-offs such as gamma's a → ∞ on normal data."""
        return all(abs(u) <= wall for u, wall in zip(theta.tolist(), self._wall_list or self.walls().tolist()))

    def walls(self, around: np.ndarray | None = None) -> np.ndarray:
        """Per-coordinate bounds on |θ|: the defaults, widened to contain the start."""
        if around is None and getattr(self, "_walls", None) is not None:
            return self._walls
        limits = np.array([
            _LINEAR_WALL if _COORD_TRANSFORMS.get(n, self.family.transforms.get(n)).kind == "identity" else _LOG_WALL
            for n in self.coords
        ])
        if around is not None:
            limits = np.maximum(limits, np.abs(around) + 10.0)
        self._walls, self._wall_list = limits, limits.tolist()
        return limits

    def theta(self, params: dict[str, float]) -> np.ndarray:
        params = dict(params)
        if self.edge_coords:
            a, b = self._support(params)
            params["low_gap"] = float(self.cells.points[0]) - (params["loc"] + a * params["scale"])
            params["high_gap"] = params["loc"] + b * params["scale"] - float(self.cells.points[-1])
        if self.quantile_coords:
            z25, z50, z75 = self._quartiles(params)
            params["median"] = params["loc"] + params["scale"] * z50
            params["iqr"] = params["scale"] * (z75 - z25)
        return np.array([_COORD_TRANSFORMS.get(n, self.family.transforms.get(n)).forward(float(params[n])) for n in self.coords])

    def nll(self, params: dict[str, float]) -> float:
        """−(1/N) log-likelihood at ``params`` (standardised units), +inf where the data get no probability."""
        memo = self.cells.memo
        key = (self.family.dist, self.cdf_sf, np.array([params[name] for name in self.family.parameters]).tobytes())
        value = memo.get(key)
        if value is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            value = memo[key] = self._nll(params)
        return value

    def _nll(self, params: dict[str, float]) -> float:
        scale = params["scale"]
        if not scale > 0:
            return math.inf
        z = (self.cells.points - params["loc"]) / scale
        shapes = [params[s] for s in self.family.shape_names]
        if self.cells.density:
            logpdf = std_logpdf(self.family.dist, shapes, z, ascending=True)  # points sorted, scale > 0
            if logpdf is None:
                return math.inf
            at_points = logpdf if self._point_order is None else logpdf[self._point_order]
            value = math.log(scale) - float(np.einsum("i,i->", self.cells.probs, at_points))  # not BLAS: its threads spin past 10,000 points
            return value if math.isfinite(value) else math.inf
        result = self.cdf_sf(self.family.dist, shapes, z)
        if result is None:
            return math.inf
        q = _cell_mass(result[0], result[1], self.cells.left, self.cells.right)
        if not q.min() > 0:  # also catches NaN
            return math.inf
        value = -float(np.dot(self.cells.probs, np.log(q)))
        return value if math.isfinite(value) else math.inf

    def __call__(self, theta: np.ndarray) -> float:
        value = math.inf
        if self.inside_walls(theta):
            try:
                value = self.nll(self.values(theta))
            except (OverflowError, ValueError, ZeroDivisionError, FloatingPointError):
                value = math.inf
        self._watch(theta, value)
        return value

    def start_watch(self, value: float, theta: np.ndarray, polish: bool = False) -> None:
        self.calls, self.best, self.best_theta = 0, value, np.array(theta, dtype=float)
        self.checkpoint, self.exhausted = value, False
        self.window, self.budget = evaluation_budget(len(self.coords), polish)

    def _watch(self, theta: np.ndarray, value: float) -> None:
        """Stop Nelder–Mead once a whole window of evaluations improved the fit by < _STALL nats/observation."""
        if value < self.best:
            self.best, self.best_theta = value, np.array(theta, dtype=float)
        self.calls += 1
        if self.calls >= self.budget:
            self.exhausted = True
            raise _Stalled
        if self.calls % self.window == 0:
            if self.checkpoint - self.best < self.stall:
                raise _Stalled
            self.checkpoint = self.best


_QUARTILES = np.array([0.25, 0.5, 0.75])
_MEMO_SIZE = 4_096  # remembered likelihoods per cells (a search's start and best point come back within one search)
_WALL = 1e-3  # a support's end within this fraction of the data's range from the data's end: the optimum is on that wall


def _coords(objective: "_Objective") -> tuple[str, ...]:
    """The coordinates Nelder–Mead moves in, from the objective's flags."""
    if objective.edge_coords:
        return tuple("low_gap" if p == "loc" else "high_gap" if p == "scale" else p for p in objective.free)
    if objective.quantile_coords:
        return tuple("median" if p == "loc" else "iqr" if p == "scale" else p for p in objective.free)
    return objective.free


def _on_wall(objective: "_Objective", params: dict[str, float]) -> bool:
    """Whether an end of the (bounded) support at ``params`` sits on the data's smallest or largest value."""
    try:
        a, b = objective._support(params)
    except ValueError:
        return False
    low, high = float(objective.cells.points[0]), float(objective.cells.points[-1])
    gaps = (low - (params["loc"] + a * params["scale"]), params["loc"] + b * params["scale"] - high)
    return min(gaps) < _WALL * (high - low)
_COORD_TRANSFORMS = {
    "median": Transform("identity"), "iqr": Transform("lower", low=0.0),
    "low_gap": Transform("lower", low=0.0), "high_gap": Transform("lower", low=0.0),
}
_NARROW = 1e-8  # a bounded standard support narrower than this fraction of its distance from 0 is a numerical limit
# (truncpareto on gamma data runs to c − 1 ≈ 5e-8, its truncated-exponential limit; _loc_covering mends the rounding)
_EDGE_PROBES = (-1.5, 0.3, 1.5)  # unconstrained shape values at which a bounded support must stay bounded


def _use_edge_coords(family: Family, fixed: dict[str, float]) -> bool:
    """Support-gap coordinates when loc and scale are free and the support is bounded at both ends for any shapes."""
    if "loc" in fixed or "scale" in fixed:
        return False
    seen = False
    for u in _EDGE_PROBES:
        shapes = [family.transforms[name].backward(u + 0.5 * i) for i, name in enumerate(family.shape_names)]  # distinct: a < b
        try:
            if not scipy_bridge.valid_shapes(family.dist, shapes):
                continue
            a, b = scipy_bridge.support(family.dist, shapes)
        except Exception:  # noqa: BLE001
            return False
        if not (math.isfinite(a) and math.isfinite(b)):
            return False
        seen = True
    return seen


def _use_quantile_coords(family: Family, fixed: dict[str, float]) -> bool:
    """Median/IQR coordinates when loc and scale are free and the family has a fast closed-form ppf."""
    if not family.shape_names or "loc" in fixed or "scale" in fixed:
        return False
    if not scipy_bridge.has_fast_ppf(family.dist):
        return False  # generic ppf = numerical root finding: too slow per evaluation
    probe = _probe_shapes(family)
    if probe is None:
        return False
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z = scipy_bridge.std_ppf(family.dist, _QUARTILES, probe)
        return bool(np.all(np.isfinite(z)) and z[2] > z[0])
    except Exception:  # noqa: BLE001
        return False


def _probe_shapes(family: Family) -> list[float] | None:
    """Some valid shape values (for checking the fast cdf path against the public one)."""
    shapes = []
    for name in family.shape_names:
        t = family.transforms[name]
        shapes.append(t.backward(0.3))
    if not scipy_bridge.valid_shapes(family.dist, shapes):
        return None
    return shapes


def _budgeted_fmin(deadline: float, limit: float, name: str = "") -> Callable[..., np.ndarray]:
    """An optimiser for scipy's ``fit``: Nelder–Mead with an evaluation budget, and the safety-net deadline."""
    def optimizer(func: Callable[..., float], x0: np.ndarray, args: tuple = (), disp: int = 0) -> np.ndarray:
        def boxed(x: np.ndarray, *extra: Any) -> float:
            if time.perf_counter() > deadline:
                raise FitTimeout(time_box_message(name, limit))
            return func(x, *extra)

        return optimize.fmin(boxed, x0, args=args, disp=0, maxfun=_SCIPY_FIT_EVALUATIONS)

    return optimizer


def _check_deadline(deadline: float, name: str, limit: float) -> None:
    if time.perf_counter() > deadline:
        raise FitTimeout(time_box_message(name, limit))


def _cell_quantiles(cells: Cells, qs: np.ndarray) -> np.ndarray:
    """Quantiles of the cells' distribution, linear within each cell (standardised units)."""
    cum = np.cumsum(cells.probs)
    j = np.minimum(np.searchsorted(cum, qs), cum.size - 1)
    before = cum[j] - cells.probs[j]
    frac = np.clip((qs - before) / cells.probs[j], 0.0, 1.0)
    return cells.lows[j] + frac * (cells.highs[j] - cells.lows[j])


def _default_shapes(family: Family) -> list[float]:
    """Plain shape values inside each domain (1 for positive shapes; distinct values so a < b checks pass)."""
    return [family.transforms[name].backward(0.5 * i) for i, name in enumerate(family.shape_names)]


def _ppf(dist: stats.rv_continuous, qs: np.ndarray, shapes: Sequence[float]) -> np.ndarray:
    return scipy_bridge.std_ppf(dist, qs, shapes)


def _placed(family: Family, shapes: Sequence[float], fixed: dict[str, float], cells: Cells) -> dict[str, float] | None:
    """loc and scale for given shapes: match the data's quartiles, then widen to cover every occupied cell."""
    dist = family.dist
    shapes = [fixed.get(name, value) for name, value in zip(family.shape_names, shapes)]
    if not scipy_bridge.valid_shapes(dist, shapes):
        return None
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = _ppf(dist, _QUARTILES, shapes)
    x = _cell_quantiles(cells, _QUARTILES)
    if np.all(np.isfinite(z)) and z[2] > z[0]:
        scale = float((x[2] - x[0]) / (z[2] - z[0])) or 1.0
        loc = float(x[1] - scale * z[1])
    else:
        scale, loc = 1.0, float(x[1])
    params = {**dict(zip(family.shape_names, shapes)), "loc": loc, "scale": scale, **fixed}
    return _covered(family, params, fixed, cells)


def _covered(family: Family, params: dict[str, float], fixed: dict[str, float], cells: Cells) -> dict[str, float] | None:
    """``params`` moved (loc, and scale when both support ends are finite) so the support covers the data."""
    shapes = [params[name] for name in family.shape_names]
    try:
        a, b = scipy_bridge.support(family.dist, shapes)
    except Exception:  # noqa: BLE001
        return None
    lo, hi = float(cells.points[0]), float(cells.points[-1])
    margin = 0.01 * (hi - lo)
    loc, scale = params["loc"], params["scale"]
    if not scale > 0:
        return None
    out = dict(params)
    finite_a, finite_b = math.isfinite(a), math.isfinite(b)
    if finite_a and finite_b and (loc + a * scale > lo - margin or loc + b * scale < hi + margin):
        if "scale" not in fixed:
            scale = (hi - lo + 2 * margin) / (b - a)
        if "loc" not in fixed:
            loc = lo - margin - a * scale
    elif finite_a and loc + a * scale > lo - margin and "loc" not in fixed:
        loc = lo - margin - a * scale
    elif finite_b and loc + b * scale < hi + margin and "loc" not in fixed:
        loc = hi + margin - b * scale
    out["loc"], out["scale"] = loc, scale
    return out


def _generic_starts(
    family: Family, cells: Cells, fixed: dict[str, float], objective: "_Objective", deadline: float, limit: float
) -> list[list[dict[str, float]]]:
    """Starts for any family, one group per pseudo-sample (:func:`_pseudo_samples`): plain shapes placed on the data,
    then scipy's fit to the pseudo-sample.

    scipy's own default start (``_fitstart``) computes moments, by numerical integration for many
    families (seconds); it is only used where a family overrides it, and ``dist.fit`` is always
    given a full start, so that never runs. ``dist.fit``'s optimiser is time-boxed.
    """
    return [_sample_starts(family, sample, cells, fixed, objective, deadline, limit) for sample in _pseudo_samples(cells)]


def _sample_starts(
    family: Family, sample: np.ndarray, cells: Cells, fixed: dict[str, float], objective: "_Objective", deadline: float, limit: float
) -> list[dict[str, float]]:
    """The starts from one pseudo-sample: scipy's rough start and plain shapes placed on the data, then scipy's fit from the better."""
    dist = family.dist
    shape_sets = [_default_shapes(family)]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if family.shape_names:
            try:
                rough = scipy_bridge.fitstart(dist, sample)
                if rough is not None:
                    shape_sets.insert(0, rough)
            except Exception:  # noqa: BLE001 - a failed rough start only costs us this start
                pass
            _check_deadline(deadline, family.name, limit)
        candidates = []
        for shapes in shape_sets:
            try:
                placed = _placed(family, shapes, fixed, cells)
            except Exception:  # noqa: BLE001
                placed = None
            if placed is not None:
                candidates.append(placed)
            _check_deadline(deadline, family.name, limit)
        if len(fixed) < len(family.parameters) and candidates:
            x0 = min(candidates, key=lambda c: _safe_nll(objective, c))
            fixed_kw = {"f" + name: value for name, value in fixed.items()}
            try:
                found = scipy_bridge.fitting_twin(dist).fit(
                    sample, *[x0[n] for n in family.shape_names], loc=x0["loc"], scale=x0["scale"],
                    **fixed_kw, optimizer=_budgeted_fmin(deadline, limit, family.name),
                )
                fitted = dict(zip(family.parameters, map(float, found)))
                candidates.append(fitted)
                moved = _covered(family, fitted, fixed, cells)
                if moved is not None:
                    candidates.append(moved)
            except FitTimeout:
                raise
            except Exception:  # noqa: BLE001 - scipy's fit failing only costs us this start
                pass
            _check_deadline(deadline, family.name, limit)
    return candidates


def _loc_covering(family: Family, raw: dict[str, float], low: float, high: float) -> float:
    """``raw["loc"]``, moved by a few units in the last place where rounding (standardised units and
    back) left the smallest or largest value a hair outside the support (density 0 instead of its
    maximum: bradford's and pareto's optimum puts the support's end exactly at the data's)."""
    loc, scale = raw["loc"], raw["scale"]
    try:
        a, b = scipy_bridge.support(family.dist, [raw[name] for name in family.shape_names])
    except Exception:  # noqa: BLE001
        return loc
    span = max(high - low, abs(high), 1e-300)
    for end, edge, direction in ((low, a, -math.inf), (high, b, math.inf)):
        if not math.isfinite(edge) or not scale > 0:
            continue
        outside = (lambda v: (end - v) / scale < edge) if direction < 0 else (lambda v: (end - v) / scale > edge)
        rounding = max(1e-9 * span, 1e-13 * (abs(loc) + abs(edge * scale)))  # loc ≫ the data: loc + edge·scale cancels digits
        if not outside(loc) or abs(loc + edge * scale - end) > rounding:
            continue  # inside already, or out by more than rounding: a real exclusion, reported as such
        moved, step = loc, 1
        for _ in range(60):
            if not outside(moved):
                return moved
            for _ in range(step):
                moved = float(np.nextafter(moved, direction))
            step *= 2
    return loc


def _safe_nll(objective: "_Objective", params: dict[str, float]) -> float:
    try:
        with np.errstate(all="ignore"):
            return objective.nll({**params, **objective.fixed})
    except Exception:  # noqa: BLE001
        return math.inf


def _quick_starts(name: str, cells: Cells) -> list[dict[str, float]]:
    """Closed-form / moment starts for the shortlist (standardised units)."""
    p, c, lo, hi = cells.probs, cells.centres, float(cells.lows[0]), float(cells.highs[-1])
    mean = float(np.dot(p, c))
    sd = float(np.sqrt(max(np.dot(p, (c - mean) ** 2), 1e-12)))
    zero = cells.to_std("loc", 0.0)  # where raw 0 lies
    locs = [zero] if zero < lo else []
    locs.append(lo - 0.05 * (hi - lo))
    if name == "norm":
        return [{"loc": mean, "scale": sd}]
    if name == "logistic":
        return [{"loc": mean, "scale": sd * math.sqrt(3) / math.pi}]
    if name == "t":
        q25, median, q75 = _cell_quantiles(cells, _QUARTILES)
        spread = max(float(q75 - q25), 1e-6)
        return [{"df": df, "loc": float(median), "scale": spread / (2 * stats.t.ppf(0.75, df))} for df in (3.0, 10.0, 50.0)]
    if name == "laplace":
        median = float(c[np.searchsorted(np.cumsum(p), 0.5)])
        return [{"loc": median, "scale": max(float(np.dot(p, np.abs(c - median))), 1e-6)}]
    if name == "expon":
        return [{"loc": lo, "scale": max(mean - lo, 1e-6)}] + [{"loc": loc, "scale": max(mean - loc, 1e-6)} for loc in locs]
    starts = []
    if name == "gamma":
        skew = float(np.dot(p, (c - mean) ** 3)) / sd**3
        if skew > 0.05:
            a = 4 / skew**2
            starts.append({"a": a, "loc": mean - a * sd * skew / 2, "scale": sd * skew / 2})
        for loc in locs:
            m = mean - loc
            starts.append({"a": m**2 / sd**2, "loc": loc, "scale": sd**2 / m})
    elif name == "lognorm":
        for loc in locs:
            shifted = c - loc
            keep = shifted > 0
            logs, w = np.log(shifted[keep]), p[keep] / p[keep].sum()
            mu = float(np.dot(w, logs))
            s = float(np.sqrt(max(np.dot(w, (logs - mu) ** 2), 1e-12)))
            starts.append({"s": s, "loc": loc, "scale": math.exp(mu)})
    return starts


_QUICK = frozenset({"norm", "logistic", "laplace", "expon", "gamma", "lognorm", "t"})
_SEARCH_STEP = 0.25  # Nelder–Mead's first simplex (unconstrained coordinates): from robust starts
_POLISH_STEP = 0.02  # from the optimum on a coarser summary


@dataclass(frozen=True)
class Search:
    """What a search found: the parameters (raw units) and whether it settled within its budget."""

    params: dict[str, float]
    evaluations: int  # likelihood evaluations of the Nelder–Mead stage (0 when nothing was free)
    budget: int
    exhausted: bool  # True: the budget ran out before the fit settled (the best point found is returned)
    others: tuple[dict[str, float], ...] = ()  # the other descents' ends (raw units, worse here): starts for a later stage


def search(
    family: Family,
    cells: Cells,
    fixed_raw: dict[str, float],
    time_limit: float,
    starts: Sequence[dict[str, float]] = (),
    polish: bool = False,
    rough: bool = False,
) -> Search:
    """The budgeted maximum-likelihood search of ``family`` on ``cells``: its parameters (raw units) and how it ended.

    ``starts`` (raw units) are tried besides the family's own; fixed parameters come back
    exactly as given. ``polish``: the first start is already close (a fit on a coarser summary
    of the same data): search from it alone, with a small first simplex. The search spends at most 200 + :data:`EVALUATIONS_PER_PARAMETER` ×
    (free parameters) likelihood evaluations after its starts, from each pseudo-sample's best start (two at most:
    :func:`_pseudo_samples`); ``time_limit`` seconds is only a
    safety net (:class:`FitTimeout`).

    ``rough``: a first stage that a polishing stage follows; it counts as settled once a window
    of evaluations gains less than :data:`_ROUGH_STALL` nats per observation.

    Examples
    --------
    >>> from kl_core.models.continuous.catalogue import family
    >>> x = np.array([0.5, 1.1, 1.9, 2.4, 3.3, 4.0, 5.2])
    >>> params = search(family("logistic"), points(x, np.ones_like(x)), {"loc": 2.0}, 30.0).params
    >>> params["loc"], round(params["scale"], 4)
    (2.0, 0.9643)
    """
    started = time.perf_counter()
    deadline = started + time_limit
    fixed = {name: cells.to_std(name, value) for name, value in fixed_raw.items()}
    objective = _Objective(family, cells, fixed, edges=False)
    extra = [{name: cells.to_std(name, value) for name, value in start.items()} for start in starts]

    def best_of(candidates: list[dict[str, float]]) -> tuple[float, dict[str, float] | None]:
        best, chosen = math.inf, None
        for candidate in candidates:
            params = {**candidate, **fixed}
            if any(name not in params or not math.isfinite(params[name]) for name in family.parameters):
                continue
            with np.errstate(all="ignore"):
                try:
                    value = objective.nll(params)
                except Exception:  # noqa: BLE001 - a bad start is simply not used
                    continue
            if value < best:
                best, chosen = value, params
        return best, chosen

    quick = _quick_starts(family.name, cells) if family.name in _QUICK and not polish else []
    best, start = best_of(extra + quick)
    seeds = [(best, start)] if start is not None else [
        found for group in _generic_starts(family, cells, fixed, objective, deadline, time_limit)
        if (found := best_of(group))[1] is not None
    ]
    seeds = [seed for i, seed in enumerate(seeds) if all(seed[1] != other for _, other in seeds[:i])]  # one descent per start
    if not seeds:
        spans = f"[{cells.to_raw('loc', float(cells.points[0])):.6g}, {cells.to_raw('loc', float(cells.points[-1])):.6g}]"
        detail = f" with {', '.join(f'{k}={v:g}' for k, v in fixed_raw.items())} fixed" if fixed_raw else ""
        raise DataError(
            f"{family.name}: no starting values give every occupied cell a positive probability{detail}; "
            f"its support may not cover the data range {spans}"
        )
    # One descent from each pseudo-sample's best start (each a local search; the likelihood picks the better end).
    ends = [_searched(family, cells, fixed, start, best, polish, rough, deadline, time_limit) for best, start in seeds]
    ends.sort(key=lambda end: nll if not math.isnan(nll := _safe_nll(objective, end[0])) else math.inf)
    _, calls, budget, exhausted = ends[0]  # the chosen descent's: "used its whole budget" speaks of that one
    raw = _raw_end(family, cells, fixed_raw, ends[0][0])
    if not all(math.isfinite(v) for v in raw.values()):
        raise DataError(f"{family.name}: the fit did not converge to finite parameters ({raw})")
    others = tuple(other for other in (_raw_end(family, cells, fixed_raw, end[0]) for end in ends[1:])
                   if all(math.isfinite(v) for v in other.values()))
    return Search(raw, calls, budget, exhausted, others)


def _raw_end(family: Family, cells: Cells, fixed_raw: dict[str, float], params: dict[str, float]) -> dict[str, float]:
    """A search's end in raw units, fixed parameters exactly as given, loc nudged to cover the data's ends."""
    raw = {name: float(cells.to_raw(name, params[name])) for name in family.parameters}
    raw.update(fixed_raw)  # passed through, never standardised and back
    if cells.density and "loc" not in fixed_raw and all(math.isfinite(v) for v in raw.values()):
        raw["loc"] = _loc_covering(family, raw, cells.raw_low, cells.raw_high)
    return raw


def _searched(
    family: Family, cells: Cells, fixed: dict[str, float], start: dict[str, float], best: float,
    polish: bool, rough: bool, deadline: float, time_limit: float,
) -> tuple[dict[str, float], int, int, bool]:
    """Nelder–Mead from ``start`` (standardised units, objective value ``best``): the parameters, evaluations, budget and
    whether the budget ran out."""
    objective = _Objective(family, cells, fixed, edges=False)
    params, calls, budget = dict(start), 0, 0
    if objective.free:
        # Support-gap coordinates only where an end of a bounded support meets the data's (there the plain ones stall on
        # a curved wall); an optimum inside (beta → gamma, johnsonsb) is the plain coordinates' to find.
        bounded = cells.density and _use_edge_coords(family, fixed)
        if polish and bounded and _on_wall(objective, start):
            objective = _Objective(family, cells, fixed, edges=True)
        params = _descend(objective, start, best, polish, rough, deadline, time_limit)
        calls, budget = objective.calls, objective.budget
        if bounded and not polish and _on_wall(objective, params):
            along = _Objective(family, cells, fixed, edges=True)
            on_wall = _descend(along, params, objective.nll(params), False, rough, deadline, time_limit)
            calls, budget = calls + along.calls, budget + along.budget
            if along.nll(on_wall) < objective.nll(params):
                params, objective = on_wall, along
    return params, calls, budget, objective.exhausted


def _descend(
    objective: "_Objective", start: dict[str, float], best: float, polish: bool, rough: bool, deadline: float, time_limit: float,
) -> dict[str, float]:
    """Nelder–Mead from ``start`` (standardised units, objective value ``best``) within the objective's budget; never worse than the start."""
    family = objective.family
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        raise FitTimeout(time_box_message(family.name, time_limit))
    try:
        theta0 = objective.theta(start)
        objective.walls(around=theta0)
        round_trip_ok = math.isfinite(objective(theta0))
    except (ValueError, OverflowError, ZeroDivisionError):
        round_trip_ok = False
    if not round_trip_ok:  # median/IQR (or support-gap) coordinates lose the start (numerically): use loc/scale
        objective.quantile_coords, objective.edge_coords, objective.coords = False, False, objective.free
        theta0 = objective.theta(start)
        objective.walls(around=theta0)
    objective.start_watch(best, theta0, polish)
    if rough:  # a first stage: settled at a looser gain, checked over shorter windows
        objective.stall, objective.window = _ROUGH_STALL, max(objective.window // 2, 10)
    # Nelder–Mead's first simplex steps 5% of each coordinate (0.00025 at exactly 0), and
    # standardised starts sit near 0: shift so the search starts at 1 and steps 0.05.
    offset = theta0 - 1.0
    try:
        theta = minimize_nll(
            lambda t: objective(t + offset), np.ones_like(theta0), time_limit=remaining,
            initial_step=_POLISH_STEP if polish else _SEARCH_STEP,
        ) + offset
    except FitTimeout as error:
        raise FitTimeout(time_box_message(family.name, time_limit)) from error
    except _Stalled:
        theta = objective.best_theta
    except DataError as error:
        raise DataError(f"{family.name}: {error}") from error
    params = objective.values(theta)
    if not objective.nll(params) <= best:  # never worse than the start
        params = dict(start)
    return params

