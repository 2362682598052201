"""scipy's continuous families, fitted to binned data by the binned (multinomial) likelihood.

Continuous data arrives as histogram bins (``Empirical`` of kind ``binned``). A family
with parameters θ gives bin i the mass ``F(e_{i+1}; θ) − F(e_i; θ)``, and θ maximises

    Σ counts_i · log(F(e_{i+1}; θ) − F(e_i; θ)),

an O(K) objective in the number of bins, never in the number of rows. Mass outside
[e_0, e_K] is not renormalised away: it simply was not observed.

* :data:`SHORTLIST` families are ticked by default and get quick moment starts.
* :data:`CATALOGUE` is every continuous family registered here (the shortlist plus the
  rest of ``scipy.stats``, ``default=False``); :data:`LEFT_OUT` says why a scipy family
  is missing.
* ``<family>_discretised`` (norm, lognorm, gamma, expon) are *discrete* models for
  integer data, P(k) = F(k + ½) − F(k − ½), fitted by the same likelihood on unit cells.

Every parameter (shapes, ``loc``, ``scale``) is fitted unless the user fixes it by
name (``fit(emp, "gamma", loc=0.0)``); fixed parameters do not count in ``n_params``.
The option ``time_limit`` (seconds, default 2) boxes each fit, start included; past it
:class:`~kl_core.models.base.FitTimeout` is raised.

Internally the data is standardised (``z = (x − m) / s``) so that the optimiser's
tolerances mean the same at every scale; results are mapped back.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
from scipy import optimize, stats
from scipy.stats import _continuous_distns

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.models.base import FitTimeout, FittedModel, ModelSpec, Options, minimize_nll, require_integer_support
from kl_core.models.registry import register

DEFAULT_TIME_LIMIT = 2.0
PSEUDO_SAMPLE_SIZE = 1_000
_PSEUDO_SEED = 20240607

SHORTLIST: tuple[str, ...] = ("norm", "lognorm", "gamma", "expon", "weibull_min", "logistic", "laplace", "t")

LEFT_OUT: dict[str, str] = {
    "uniform": "registered by the simple models (continuous uniform on the observed [min, max])",
    "ksone": "its shape n is a sample size (a whole number), not something to fit; cdf is slow",
    "kstwo": "its shape n is a sample size (a whole number), not something to fit; cdf is slow",
    "erlang": "its shape is a whole number, which the likelihood cannot fit continuously; use gamma",
    "irwinhall": "its shape n is a whole number of summands, which the likelihood cannot fit continuously",
    "studentized_range": "its cdf is a numerical double integral (about 1 s per evaluation); too slow to fit",
    "norminvgauss": "its cdf is a numerical integral (about 0.1 s per evaluation); too slow to fit",
    "genhyperbolic": "its cdf is a numerical integral (tens of ms per evaluation); too slow to fit",
    "geninvgauss": "its cdf is a numerical integral (tens of ms per evaluation); too slow to fit",
    "levy_stable": "its cdf is a numerical integral; too slow to fit",
    "gausshyper": "its cdf is a numerical integral (about 0.3 s for 500 bins) and it has 6 parameters; too slow to fit",
    "vonmises": "a circular distribution: on the line its cdf is periodic and exceeds 1; use vonmises_line",
    "reciprocal": "the same family as loguniform (an alias), which is registered",
}

LABELS: dict[str, str] = {
    "norm": "Normal", "lognorm": "Log-normal", "gamma": "Gamma", "expon": "Exponential",
    "weibull_min": "Weibull", "weibull_max": "Weibull (maximum)", "logistic": "Logistic",
    "laplace": "Laplace", "t": "Student's t", "cauchy": "Cauchy", "beta": "Beta",
    "betaprime": "Beta prime", "chi": "Chi", "chi2": "Chi-squared", "f": "F", "gumbel_r": "Gumbel (right)",
    "gumbel_l": "Gumbel (left)", "genextreme": "Generalised extreme value", "genpareto": "Generalised Pareto",
    "pareto": "Pareto", "lomax": "Lomax (Pareto II)", "invgamma": "Inverse gamma", "invgauss": "Inverse Gaussian",
    "wald": "Wald", "rayleigh": "Rayleigh", "rice": "Rice", "maxwell": "Maxwell", "nakagami": "Nakagami",
    "halfnorm": "Half-normal", "halfcauchy": "Half-Cauchy", "halflogistic": "Half-logistic",
    "foldnorm": "Folded normal", "foldcauchy": "Folded Cauchy", "skewnorm": "Skew normal",
    "exponnorm": "Exponentially modified normal", "exponweib": "Exponentiated Weibull",
    "exponpow": "Exponential power", "gennorm": "Generalised normal", "halfgennorm": "Half generalised normal",
    "gengamma": "Generalised gamma", "genlogistic": "Generalised logistic", "loggamma": "Log-gamma",
    "loglaplace": "Log-Laplace", "fisk": "Fisk (log-logistic)", "burr": "Burr (type III)", "burr12": "Burr (type XII)",
    "johnsonsu": "Johnson SU", "johnsonsb": "Johnson SB", "triang": "Triangular", "trapezoid": "Trapezoidal",
    "truncnorm": "Truncated normal", "truncexpon": "Truncated exponential", "truncpareto": "Truncated Pareto",
    "truncweibull_min": "Truncated Weibull", "loguniform": "Log-uniform", "powerlaw": "Power law",
    "powerlognorm": "Power log-normal", "powernorm": "Power normal", "pearson3": "Pearson type III",
    "hypsecant": "Hyperbolic secant", "levy": "Lévy", "levy_l": "Lévy (left)", "moyal": "Moyal",
    "gompertz": "Gompertz", "invweibull": "Inverse Weibull (Fréchet)", "dweibull": "Double Weibull",
    "dgamma": "Double gamma", "laplace_asymmetric": "Asymmetric Laplace", "ncx2": "Non-central chi-squared",
    "ncf": "Non-central F", "nct": "Non-central t", "fatiguelife": "Fatigue life (Birnbaum–Saunders)",
    "semicircular": "Semicircular", "arcsine": "Arcsine", "anglit": "Anglit", "cosine": "Cosine",
    "bradford": "Bradford", "kappa3": "Kappa 3", "kappa4": "Kappa 4", "mielke": "Mielke beta-kappa",
    "tukeylambda": "Tukey lambda", "vonmises_line": "von Mises (on the line)", "wrapcauchy": "Wrapped Cauchy",
    "crystalball": "Crystal Ball", "argus": "ARGUS", "rdist": "R-distribution", "kstwobign": "Kolmogorov limit",
    "alpha": "Alpha", "gibrat": "Gibrat", "genexpon": "Generalised exponential", "genhalflogistic": "Generalised half-logistic",
    "gausshyper": "Gauss hypergeometric", "recipinvgauss": "Reciprocal inverse Gaussian", "skewcauchy": "Skew Cauchy",
    "jf_skew_t": "Jones–Faddy skew t", "landau": "Landau", "rel_breitwigner": "Relativistic Breit–Wigner",
    "dpareto_lognorm": "Double Pareto log-normal",
}

_HOW_QUICK = (
    "maximum likelihood on the bin counts (bin mass = CDF(right) − CDF(left)) over every shape, loc and scale, "
    "started from moment estimates and refined by Nelder–Mead"
)
_HOW_GENERIC = (
    "maximum likelihood on the bin counts (bin mass = CDF(right) − CDF(left)) over every shape, loc and scale, "
    "started from scipy's fit to a 1,000-point sample spread within the bins and refined by Nelder–Mead"
)


# ----------------------------------------------------------------------- cells
@dataclass(frozen=True)
class _Cells:
    """Occupied cells in standardised units: cell j is [points[left[j]], points[right[j]])."""

    points: np.ndarray  # sorted distinct cell boundaries (standardised)
    left: np.ndarray  # index into points of each occupied cell's left boundary
    right: np.ndarray
    probs: np.ndarray  # weight of each occupied cell, summing to 1
    shift: float  # m: raw = shift + spread * standardised
    spread: float  # s
    n: float  # number of observations (for the pseudo-sample size)

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


def _cells(lows: np.ndarray, highs: np.ndarray, weights: np.ndarray, n: float | None) -> _Cells:
    used = weights > 0
    lows, highs, weights = lows[used], highs[used], weights[used]
    probs = weights / weights.sum()
    centres = (lows + highs) / 2
    shift = float(np.dot(probs, centres))
    spread = float(np.sqrt(np.dot(probs, (centres - shift) ** 2)))
    if not math.isfinite(spread) or spread <= 0:
        spread = float(np.max(highs - lows))
    points, inverse = np.unique(np.concatenate([lows, highs]), return_inverse=True)
    k = lows.size
    return _Cells(
        points=(points - shift) / spread, left=inverse[:k], right=inverse[k:], probs=probs,
        shift=shift, spread=spread, n=float(n) if n else float(weights.sum()),
    )


def _binned_cells(emp: Empirical) -> _Cells:
    return _cells(emp.edges[:-1], emp.edges[1:], emp.counts, emp.n)


def _integer_cells(emp: Empirical) -> _Cells:
    return _cells(emp.support - 0.5, emp.support + 0.5, emp.counts, emp.n)


def _pseudo_sample(cells: _Cells, size: int = PSEUDO_SAMPLE_SIZE) -> np.ndarray:
    """≤ ``size`` deterministic points spread uniformly within cells in proportion to their weight."""
    total = int(min(size, max(cells.n, cells.probs.size)))
    exact = cells.probs * total
    alloc = np.floor(exact).astype(np.int64)
    short = total - int(alloc.sum())
    if short > 0:
        alloc[np.argsort(exact - alloc)[::-1][:short]] += 1
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

    Uses scipy's unchecked ``_cdf``/``_sf`` (what ``dist.cdf`` calls after its argument checks),
    several times faster than the public methods for a few hundred points.
    """
    if shapes and not np.asarray(dist._argcheck(*shapes)).all():
        return None
    a, b = dist._get_support(*shapes)
    cdf = np.where(z >= b, 1.0, 0.0)
    inside = (z > a) & (z < b)
    if inside.all():
        cdf = dist._cdf(z, *_broadcast(shapes, z))
    elif inside.any():
        zi = z[inside]
        cdf[inside] = dist._cdf(zi, *_broadcast(shapes, zi))
    sf = 1.0 - cdf
    upper = inside & (cdf > _SF_FROM)  # below this, 1 − CDF is accurate to ~1e-10 relative
    if upper.any():
        zu = z[upper]
        sf[upper] = dist._sf(zu, *_broadcast(shapes, zu))
    return cdf, sf


def _public_cdf_sf(dist: stats.rv_continuous, shapes: Sequence[float], z: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    if shapes and not bool(np.all(dist._argcheck(*shapes))):
        return None
    return np.asarray(dist.cdf(z, *shapes), dtype=float), np.asarray(dist.sf(z, *shapes), dtype=float)


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


class ContinuousModel(FittedModel):
    """A fitted scipy continuous family whose bin mass stays accurate in the right tail.

    ``FittedModel.bin_mass`` differences the CDF, which rounds to 0 on far right-tail bins of
    light-tailed models (a normal fitted to skewed data gives 1e-30, not 0, to a bin 11 sd out);
    this takes S(left) − S(right) there, matching the likelihood the parameters maximise.
    The frozen scipy distribution is in ``extra["frozen"]``.
    """

    def bin_mass(self, edges: np.ndarray) -> np.ndarray:
        edges = np.asarray(edges, dtype=float)
        return frozen_cell_mass(self.extra["frozen"], edges[:-1], edges[1:])


# ------------------------------------------------------------------- transforms
_TINY = 1e-300


@dataclass(frozen=True)
class _Transform:
    """Maps one parameter between its domain and the real line."""

    kind: str  # "identity", "lower", "upper", "interval"
    low: float = 0.0
    high: float = 0.0

    def forward(self, value: float) -> float:  # domain → unconstrained
        if self.kind == "identity":
            return value
        if self.kind == "lower":
            return math.log(max(value - self.low, 1e-10 * max(1.0, abs(self.low))))
        if self.kind == "upper":
            return math.log(max(self.high - value, 1e-10 * max(1.0, abs(self.high))))
        frac = min(max((value - self.low) / (self.high - self.low), 1e-9), 1 - 1e-9)
        return math.log(frac / (1 - frac))

    def backward(self, u: float) -> float:  # unconstrained → domain
        if self.kind == "identity":
            return u
        if self.kind == "lower":
            return self.low + math.exp(min(u, 700.0))
        if self.kind == "upper":
            return self.high - math.exp(min(u, 700.0))
        return self.low + (self.high - self.low) / (1.0 + math.exp(-max(min(u, 700.0), -700.0)))


def _transform_for(low: float, high: float) -> _Transform:
    low = 0.0 if 0 < low <= _TINY else float(low)
    if math.isinf(low) and math.isinf(high):
        return _Transform("identity")
    if math.isinf(high):
        return _Transform("lower", low=low)
    if math.isinf(low):
        return _Transform("upper", high=float(high))
    return _Transform("interval", low=low, high=float(high))


@dataclass(frozen=True)
class _Family:
    name: str
    dist: stats.rv_continuous
    shape_names: tuple[str, ...]
    transforms: dict[str, _Transform]

    @property
    def parameters(self) -> tuple[str, ...]:
        return (*self.shape_names, "loc", "scale")


def _family(name: str) -> _Family:
    dist = getattr(stats, name)
    info = dist._shape_info()
    transforms = {s.name: _transform_for(float(s.domain[0]), float(s.domain[1])) for s in info}
    transforms["loc"] = _Transform("identity")
    transforms["scale"] = _Transform("lower", low=0.0)
    return _Family(name, dist, tuple(s.name for s in info), transforms)


# ---------------------------------------------------------------------- fitting
_LOG_WALL = 25.0  # positive parameters stay within e^±25 of their bound (standardised units)
_LINEAR_WALL = 1e6  # unbounded parameters (loc, real shapes) stay within ±1e6
_STALL = 1e-9  # nats per observation: less improvement than this over a window is convergence
_SCIPY_FIT_SHARE = 0.4  # share of the time box scipy's own fit (for the start) may use


class _Stalled(Exception):
    """Nelder–Mead is no longer improving the fit meaningfully."""


class _Objective:
    """−Σ p_j log q_j(θ) over occupied cells, θ the free parameters in unconstrained form."""

    def __init__(self, family: _Family, cells: _Cells, fixed: dict[str, float]):
        self.family, self.cells, self.fixed = family, cells, fixed
        self.free = tuple(p for p in family.parameters if p not in fixed)
        self.quantile_coords = _use_quantile_coords(family, fixed)
        # Coordinates Nelder–Mead moves in: with free loc and scale, the model's median and
        # interquartile range replace them, which keeps location and spread nearly fixed while a
        # shape moves (gamma's a → ∞ on normal data is then a straight run, not a curved crawl).
        self.coords = tuple("median" if p == "loc" else "iqr" if p == "scale" else p for p in self.free) \
            if self.quantile_coords else self.free
        self.calls, self.best, self.best_theta, self.checkpoint, self.window = 0, math.inf, None, math.inf, 1 << 62
        self._walls: np.ndarray | None = None
        self.cdf_sf: Callable[..., Any] = _std_cdf_sf
        try:  # the fast unchecked path must agree with scipy's public cdf and sf, else use the public ones
            probe = _probe_shapes(family)
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
        for name, u in zip(self.coords, theta):
            params[name] = _COORD_TRANSFORMS.get(name, self.family.transforms.get(name)).backward(float(u))
        if self.quantile_coords:
            z25, z50, z75 = self._quartiles(params)
            params["scale"] = params.pop("iqr") / (z75 - z25)
            params["loc"] = params.pop("median") - params["scale"] * z50
        return params

    def _quartiles(self, params: dict[str, float]) -> np.ndarray:
        shapes = [params[s] for s in self.family.shape_names]
        if not np.asarray(self.family.dist._argcheck(*shapes)).all():
            raise ValueError("invalid shapes")
        z = np.asarray(self.family.dist._ppf(_QUARTILES, *_broadcast(shapes, _QUARTILES)), dtype=float)
        if not (np.isfinite(z).all() and z[2] > z[0]):
            raise ValueError("quartiles not finite")
        return z

    def inside_walls(self, theta: np.ndarray) -> bool:
        """Sanity bounds (standardised units) that stop run-offs such as gamma's a → ∞ on normal data."""
        return bool(np.all(np.abs(theta) <= self.walls()))

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
        self._walls = limits
        return limits

    def theta(self, params: dict[str, float]) -> np.ndarray:
        params = dict(params)
        if self.quantile_coords:
            z25, z50, z75 = self._quartiles(params)
            params["median"] = params["loc"] + params["scale"] * z50
            params["iqr"] = params["scale"] * (z75 - z25)
        return np.array([_COORD_TRANSFORMS.get(n, self.family.transforms.get(n)).forward(float(params[n])) for n in self.coords])

    def nll(self, params: dict[str, float]) -> float:
        scale = params["scale"]
        if not scale > 0:
            return math.inf
        z = (self.cells.points - params["loc"]) / scale
        shapes = [params[s] for s in self.family.shape_names]
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

    def start_watch(self, value: float, theta: np.ndarray) -> None:
        self.calls, self.best, self.best_theta = 0, value, np.array(theta, dtype=float)
        self.checkpoint = value
        self.window = 60 + 30 * len(self.coords)

    def _watch(self, theta: np.ndarray, value: float) -> None:
        """Stop Nelder–Mead once a whole window of evaluations improved the fit by < _STALL nats/observation."""
        if value < self.best:
            self.best, self.best_theta = value, np.array(theta, dtype=float)
        self.calls += 1
        if self.calls % self.window == 0:
            if self.checkpoint - self.best < _STALL:
                raise _Stalled
            self.checkpoint = self.best


_QUARTILES = np.array([0.25, 0.5, 0.75])
_COORD_TRANSFORMS = {"median": _Transform("identity"), "iqr": _Transform("lower", low=0.0)}


def _use_quantile_coords(family: _Family, fixed: dict[str, float]) -> bool:
    """Median/IQR coordinates when loc and scale are free and the family has a fast closed-form ppf."""
    if not family.shape_names or "loc" in fixed or "scale" in fixed:
        return False
    if type(family.dist)._ppf is stats.rv_continuous._ppf:
        return False  # generic ppf = numerical root finding: too slow per evaluation
    probe = _probe_shapes(family)
    if probe is None:
        return False
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z = np.asarray(family.dist._ppf(_QUARTILES, *_broadcast(probe, _QUARTILES)), dtype=float)
        return bool(np.all(np.isfinite(z)) and z[2] > z[0])
    except Exception:  # noqa: BLE001
        return False


def _probe_shapes(family: _Family) -> list[float] | None:
    """Some valid shape values (for checking the fast cdf path against the public one)."""
    shapes = []
    for name in family.shape_names:
        t = family.transforms[name]
        shapes.append(t.backward(0.3))
    if shapes and not bool(np.all(family.dist._argcheck(*shapes))):
        return None
    return shapes


def _boxed_fmin(deadline: float, limit: float, name: str = "") -> Callable[..., np.ndarray]:
    def optimizer(func: Callable[..., float], x0: np.ndarray, args: tuple = (), disp: int = 0) -> np.ndarray:
        def boxed(x: np.ndarray, *extra: Any) -> float:
            if time.perf_counter() > deadline:
                raise FitTimeout(f"{name}: the fit took longer than {limit:g} s")
            return func(x, *extra)

        return optimize.fmin(boxed, x0, args=args, disp=0)

    return optimizer


def _check_deadline(deadline: float, name: str, limit: float) -> None:
    if time.perf_counter() > deadline:
        raise FitTimeout(f"{name}: the fit took longer than {limit:g} s")


def _cell_quantiles(cells: _Cells, qs: np.ndarray) -> np.ndarray:
    """Quantiles of the cells' distribution, linear within each cell (standardised units)."""
    cum = np.cumsum(cells.probs)
    j = np.minimum(np.searchsorted(cum, qs), cum.size - 1)
    before = cum[j] - cells.probs[j]
    frac = np.clip((qs - before) / cells.probs[j], 0.0, 1.0)
    return cells.lows[j] + frac * (cells.highs[j] - cells.lows[j])


def _default_shapes(family: _Family) -> list[float]:
    """Plain shape values inside each domain (1 for positive shapes; distinct values so a < b checks pass)."""
    return [family.transforms[name].backward(0.5 * i) for i, name in enumerate(family.shape_names)]


def _ppf(dist: stats.rv_continuous, qs: np.ndarray, shapes: Sequence[float]) -> np.ndarray:
    if type(dist)._ppf is not stats.rv_continuous._ppf:
        return np.asarray(dist._ppf(qs, *_broadcast(shapes, qs)), dtype=float)
    return np.asarray(dist.ppf(qs, *shapes), dtype=float)


def _placed(family: _Family, shapes: Sequence[float], fixed: dict[str, float], cells: _Cells) -> dict[str, float] | None:
    """loc and scale for given shapes: match the data's quartiles, then widen to cover every occupied cell."""
    dist = family.dist
    shapes = [fixed.get(name, value) for name, value in zip(family.shape_names, shapes)]
    if shapes and not bool(np.all(dist._argcheck(*shapes))):
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


def _covered(family: _Family, params: dict[str, float], fixed: dict[str, float], cells: _Cells) -> dict[str, float] | None:
    """``params`` moved (loc, and scale when both support ends are finite) so the support covers the data."""
    shapes = [params[name] for name in family.shape_names]
    try:
        a, b = (float(v) for v in family.dist._get_support(*shapes))
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
    family: _Family, cells: _Cells, fixed: dict[str, float], objective: "_Objective", deadline: float, limit: float
) -> list[dict[str, float]]:
    """Starts for any family: plain shapes placed on the data, then scipy's fit to a pseudo-sample.

    scipy's own default start (``_fitstart``) computes moments, by numerical integration for many
    families (seconds); it is only used where a family overrides it, and ``dist.fit`` is always
    given a full start, so that never runs. ``dist.fit``'s optimiser is time-boxed.
    """
    dist, sample = family.dist, _pseudo_sample(cells)
    shape_sets = [_default_shapes(family)]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if family.shape_names and type(dist)._fitstart is not stats.rv_continuous._fitstart:
            try:
                shape_sets.insert(0, [float(v) for v in dist._fitstart(sample)[:-2]])
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
            # scipy's fit gets at most a share of the box; past it we go on with the placed starts.
            fit_deadline = min(deadline, time.perf_counter() + _SCIPY_FIT_SHARE * limit)
            try:
                found = dist.fit(
                    sample, *[x0[n] for n in family.shape_names], loc=x0["loc"], scale=x0["scale"],
                    **fixed_kw, optimizer=_boxed_fmin(fit_deadline, limit, family.name),
                )
                fitted = dict(zip(family.parameters, map(float, found)))
                candidates.append(fitted)
                moved = _covered(family, fitted, fixed, cells)
                if moved is not None:
                    candidates.append(moved)
            except Exception:  # noqa: BLE001 - scipy's fit failing or running long only costs us this start
                pass
            _check_deadline(deadline, family.name, limit)
    return candidates


def _safe_nll(objective: "_Objective", params: dict[str, float]) -> float:
    try:
        with np.errstate(all="ignore"):
            return objective.nll({**params, **objective.fixed})
    except Exception:  # noqa: BLE001
        return math.inf


def _quick_starts(name: str, cells: _Cells) -> list[dict[str, float]]:
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


_QUICK = frozenset({"norm", "logistic", "laplace", "expon", "gamma", "lognorm"})


def _fit_cells(family: _Family, cells: _Cells, fixed_raw: dict[str, float], time_limit: float) -> dict[str, float]:
    """Binned maximum-likelihood parameters (raw units) for ``family`` on ``cells``."""
    started = time.perf_counter()
    deadline = started + time_limit
    fixed = {name: cells.to_std(name, value) for name, value in fixed_raw.items()}
    objective = _Objective(family, cells, fixed)

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

    best, start = best_of(_quick_starts(family.name, cells)) if family.name in _QUICK else (math.inf, None)
    if start is None:
        best, start = best_of(_generic_starts(family, cells, fixed, objective, deadline, time_limit))
    if start is None:
        spans = f"[{cells.to_raw('loc', float(cells.points[0])):.6g}, {cells.to_raw('loc', float(cells.points[-1])):.6g}]"
        detail = f" with {', '.join(f'{k}={v:g}' for k, v in fixed_raw.items())} fixed" if fixed_raw else ""
        raise DataError(
            f"{family.name}: no starting values give every occupied cell a positive probability{detail}; "
            f"its support may not cover the data range {spans}"
        )
    params = dict(start)
    if objective.free:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise FitTimeout(f"{family.name}: the fit took longer than {time_limit:g} s")
        try:
            theta0 = objective.theta(start)
            objective.walls(around=theta0)
            round_trip_ok = math.isfinite(objective(theta0))
        except (ValueError, OverflowError, ZeroDivisionError):
            round_trip_ok = False
        if not round_trip_ok:  # median/IQR coordinates lose the start (numerically): use loc/scale
            objective.quantile_coords, objective.coords = False, objective.free
            theta0 = objective.theta(start)
            objective.walls(around=theta0)
        objective.start_watch(best, theta0)
        # Nelder–Mead's first simplex steps 5% of each coordinate (0.00025 at exactly 0), and
        # standardised starts sit near 0: shift so the search starts at 1 and steps 0.05.
        offset = theta0 - 1.0
        try:
            theta = minimize_nll(lambda t: objective(t + offset), np.ones_like(theta0), time_limit=remaining) + offset
        except FitTimeout as error:
            raise FitTimeout(f"{family.name}: the fit took longer than {time_limit:g} s") from error
        except _Stalled:
            theta = objective.best_theta
        except DataError as error:
            raise DataError(f"{family.name}: {error}") from error
        params = objective.values(theta)
        if not objective.nll(params) <= best:  # never worse than the start
            params = dict(start)
    raw = {name: float(cells.to_raw(name, params[name])) for name in family.parameters}
    if not all(math.isfinite(v) for v in raw.values()):
        raise DataError(f"{family.name}: the fit did not converge to finite parameters ({raw})")
    return raw


# ------------------------------------------------------------------ options
def _time_limit(options: Options) -> float:
    value = options.get("time_limit", DEFAULT_TIME_LIMIT)
    try:
        limit = float(value)
    except (TypeError, ValueError):
        raise DataError(f"option time_limit must be a number of seconds; got {value!r}") from None
    if not limit > 0 or not math.isfinite(limit):
        raise DataError(f"option time_limit must be a positive number of seconds; got {value!r}")
    return limit


def _fixed(family: _Family, options: Options) -> dict[str, float]:
    fixed: dict[str, float] = {}
    for name in family.parameters:
        if name in options and options[name] is not None:
            try:
                value = float(options[name])
            except (TypeError, ValueError):
                raise DataError(f"{family.name}: option {name} must be a number; got {options[name]!r}") from None
            if not math.isfinite(value):
                raise DataError(f"{family.name}: option {name} must be finite; got {options[name]!r}")
            fixed[name] = value
    if "scale" in fixed and fixed["scale"] <= 0:
        raise DataError(f"{family.name}: scale must be positive; got {fixed['scale']:g}")
    if len(fixed) == len(family.parameters) and family.shape_names:
        if not bool(np.all(family.dist._argcheck(*[fixed[s] for s in family.shape_names]))):
            raise DataError(f"{family.name}: the shape values {[fixed[s] for s in family.shape_names]} are not valid")
    for name in family.shape_names:
        if name in fixed:
            t = family.transforms[name]
            low = t.low if t.kind in ("lower", "interval") else -math.inf
            high = t.high if t.kind in ("upper", "interval") else math.inf
            if not low <= fixed[name] <= high:
                raise DataError(f"{family.name}: shape {name} must lie in [{low:g}, {high:g}]; got {fixed[name]:g}")
    return fixed


def _checker(family: _Family) -> Callable[[Empirical, Options], str | None]:
    def check(emp: Empirical, options: Options) -> str | None:
        try:
            _fixed(family, options)
            _time_limit(options)
        except DataError as error:
            return str(error)
        if np.count_nonzero(emp.counts) < 2:
            return f"{family.name} needs data in at least two bins to fit its location and scale"
        return None

    return check


# --------------------------------------------------------------- continuous fitter
def _continuous_fitter(family: _Family) -> Callable[[Empirical, Options], FittedModel]:
    def fit(emp: Empirical, options: Options) -> FittedModel:
        fixed = _fixed(family, options)
        params = _fit_cells(family, _binned_cells(emp), fixed, _time_limit(options))
        frozen = family.dist(*[params[s] for s in family.shape_names], loc=params["loc"], scale=params["scale"])
        model = ContinuousModel(
            family.name, params, len(family.parameters) - len(fixed), cdf_function=frozen.cdf, continuous=True,
            note=_fixed_note(fixed), extra={"frozen": frozen},
        )
        _require_mass(model, emp, family.name)
        return model

    return fit


def _fixed_note(fixed: dict[str, float]) -> str:
    return f"fixed: {', '.join(f'{k}={v:g}' for k, v in fixed.items())}" if fixed else ""


def _require_mass(model: FittedModel, emp: Empirical, name: str) -> None:
    with np.errstate(all="ignore"):
        mass = model.mass(emp)
    if not np.all(np.isfinite(mass)):
        raise DataError(f"{name}: the fitted distribution gives non-finite mass to some cells")
    if float(mass[emp.counts > 0].sum()) <= 0:
        raise DataError(f"{name}: the fitted distribution gives every observed cell zero probability")


def _register_continuous(name: str, default: bool) -> None:
    family = _family(name)
    register(ModelSpec(
        name=name, label=LABELS.get(name, name.replace("_", " ").capitalize()), group="continuous",
        kinds=frozenset({"binned"}), parameters=family.parameters,
        how_fitted=_HOW_QUICK if name in _QUICK else _HOW_GENERIC,
        fitter=_continuous_fitter(family), checker=_checker(family), default=default,
        options=(*family.parameters, "time_limit"),
    ))


def _catalogue_names() -> list[str]:
    names = []
    for name in _continuous_distns._distn_names:
        if name in LEFT_OUT or name in SHORTLIST:
            continue
        if isinstance(getattr(stats, name, None), stats.rv_continuous):
            names.append(name)
    return names


for _name in SHORTLIST:
    _register_continuous(_name, default=True)
for _name in _catalogue_names():
    _register_continuous(_name, default=False)

CATALOGUE: tuple[str, ...] = (*SHORTLIST, *_catalogue_names())


# --------------------------------------------------------- discretised families
DISCRETISED_BASES: tuple[str, ...] = ("norm", "lognorm", "gamma", "expon")
DISCRETISED: tuple[str, ...] = tuple(f"{base}_discretised" for base in DISCRETISED_BASES)


def _discretised_fitter(family: _Family, name: str) -> Callable[[Empirical, Options], FittedModel]:
    def fit(emp: Empirical, options: Options) -> FittedModel:
        fixed = _fixed(family, options)
        params = _fit_cells(family, _integer_cells(emp), fixed, _time_limit(options))
        frozen = family.dist(*[params[s] for s in family.shape_names], loc=params["loc"], scale=params["scale"])

        def pmf(k: np.ndarray) -> np.ndarray:
            k = np.asarray(k, dtype=float)
            return np.where(k == np.round(k), frozen_cell_mass(frozen, k - 0.5, k + 0.5), 0.0)

        def cdf(x: np.ndarray) -> np.ndarray:
            return frozen.cdf(np.floor(np.asarray(x, dtype=float)) + 0.5)

        model = FittedModel(
            name, params, len(family.parameters) - len(fixed), pmf_function=pmf, cdf_function=cdf,
            note=_fixed_note(fixed), extra={"frozen": frozen},
        )
        _require_mass(model, emp, name)
        return model

    return fit


def _discretised_checker(family: _Family, name: str) -> Callable[[Empirical, Options], str | None]:
    base_check = _checker(family)

    def check(emp: Empirical, options: Options) -> str | None:
        reason = require_integer_support(emp, name)
        if reason:
            return reason
        if emp.k < 2:
            return f"{name} needs at least two distinct values to fit its location and scale"
        return base_check(emp, options)

    return check


for _base in DISCRETISED_BASES:
    _family_obj = _family(_base)
    register(ModelSpec(
        name=f"{_base}_discretised", label=f"{LABELS[_base]} (discretised)", group="continuous",
        kinds=frozenset({"discrete"}), parameters=_family_obj.parameters,
        how_fitted=f"P(k) = F(k + ½) − F(k − ½) for the {LABELS[_base].lower()} F; maximum likelihood on the counts "
                   "over every shape, loc and scale, refined by Nelder–Mead",
        fitter=_discretised_fitter(_family_obj, f"{_base}_discretised"),
        checker=_discretised_checker(_family_obj, f"{_base}_discretised"), default=False,
        options=(*_family_obj.parameters, "time_limit"),
    ))

__all__ = ["CATALOGUE", "DISCRETISED", "LABELS", "LEFT_OUT", "SHORTLIST", "ContinuousModel", "frozen_cell_mass"]
