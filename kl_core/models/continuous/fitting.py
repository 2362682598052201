"""Fitting a scipy continuous family to continuous data: the raw-data maximum likelihood.

The data is the :class:`~kl_core.sketch.ValueSketch` of an :class:`~kl_core.empirical.Empirical`
(never its display bins):

* closed forms or a 1-D root where the family has one (:mod:`.closed_forms`): exact at any size;
* otherwise the weighted negative log-likelihood −Σ cᵢ log f(xᵢ; θ) over the distinct values,
  searched with robust starts and an evaluation budget (:mod:`.search`), while there are at
  most :data:`POINTS_LIMIT` of them; beyond that, the same search on a weighted summary of the
  values (:mod:`.summary`: a coarse stage, then a polishing stage on a summary whose
  log-likelihood is the raw values' to ~1e-9 relative, printed by ``benchmarks/bench_core.py``);
* data known only as bins (no sketch) is fitted as interval-censored, and the note says so.

Positive-support families on positive data are fitted with ``loc = 0`` (R's two-parameter
forms); ``loc="free"`` or the ``<name>_3p`` entry fits the threshold. A fit that runs to the
edge of the parameter space is noted in words (:func:`edge_notes`).
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any, Callable

import numpy as np
from scipy import stats

from kl_core.empirical import Empirical
from kl_core.sketch import Moments
from kl_core.errors import DataError
from kl_core.models.base import FitTimeout, FittedModel, Options, time_box_message, time_limit
from kl_core.models.continuous import scipy_bridge
from kl_core.models.continuous.catalogue import Family, positive_support
from kl_core.models.continuous.closed_forms import Weighted, closed_form, mean_loglik_at_closed_form, mean_loglik_from_moments
from kl_core.models.continuous.search import Search, cells, frozen_cell_mass, points, search, std_logpdf
from kl_core.models.continuous.summary import exact_values, group_error_bounds, summaries, with_exact_groups

__all__ = [
    "POINTS_LIMIT", "ContinuousModel", "budget_note", "continuous_checker", "continuous_fitter", "edge_notes",
    "fixed_parameters",
]

_CHUNK = 1 << 16  # values per log-density pass over many values
_TINY_PROBABILITY = 1e-280  # below this a tail probability loses digits (subnormal floats): use scipy's direct log
POINTS_LIMIT = 5_000  # distinct values searched point by point; beyond, a weighted summary of them


class ContinuousModel(FittedModel):
    """A fitted scipy continuous family: log density, CDF, log CDF, log survival, quantiles.

    Every method is vectorised and quiet: −inf / 0 / 1 off the support, no warnings. Bin mass
    takes S(left) − S(right) in the right tail, so far bins keep a positive mass. The frozen
    scipy distribution is in ``extra["frozen"]``.

    Examples
    --------
    >>> from kl_core.models import fit
    >>> model = fit(Empirical.from_samples([1.2, 2.3, 2.9, 4.1, 5.5]), "expon")
    >>> model.params, model.logpdf(np.array([-1.0]))[0], float(model.cdf(np.array([0.0]))[0])
    ({'loc': 0.0, 'scale': 3.2}, np.float64(-inf), 0.0)
    """

    def _call(self, method: str, x: Any) -> np.ndarray:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(getattr(self.extra["frozen"], method)(np.asarray(x, dtype=float)), dtype=float)

    def logpdf(self, x: Any) -> np.ndarray:
        """Log density (nats); −inf off the support."""
        fast = self.extra.get("standard")
        if fast is None:
            return self._call("logpdf", x)
        dist, shapes, loc, scale = fast  # scipy's unchecked log density: no per-call argument checks
        points = np.asarray(x, dtype=float)
        if points.ndim != 1 or points.size <= _CHUNK:
            return self._std_logpdf(points, dist, shapes, loc, scale)
        # In chunks that stay in the CPU cache: scipy's log densities chain several array passes.
        return np.concatenate([
            self._std_logpdf(points[start:start + _CHUNK], dist, shapes, loc, scale) for start in range(0, points.size, _CHUNK)
        ])

    @staticmethod
    def _std_logpdf(points: np.ndarray, dist: Any, shapes: Any, loc: float, scale: float) -> np.ndarray:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return std_logpdf(dist, shapes, (points - loc) / scale) - math.log(scale)

    def mean_logpdf_from_moments(self, moments: Moments) -> float | None:
        """(1/N) Σ log f(xᵢ) from the data's sufficient statistics where the family allows it, else None."""
        fitted_on, at_mle = self.extra.get("mean_loglik", (None, None))
        if fitted_on is moments:  # the data it was fitted to: an identity at its MLE gives the value
            return at_mle
        dist, shapes, loc, scale = self.extra["standard"]
        return mean_loglik_from_moments(dist.name, list(shapes), loc, scale, moments)

    def cdf(self, x: Any) -> np.ndarray:
        """P(X ≤ x)."""
        return self._call("cdf", x)

    def logcdf(self, x: Any) -> np.ndarray:
        """log P(X ≤ x), accurate in the left tail."""
        return self._log_tail(x, "cdf", "sf", "logcdf")

    def logsf(self, x: Any) -> np.ndarray:
        """log P(X > x), accurate in the right tail."""
        return self._log_tail(x, "sf", "cdf", "logsf")

    def _log_tail(self, x: Any, same: str, other: str, direct: str) -> np.ndarray:
        """log of ``same`` (cdf or sf): log p where p ≤ ½, log1p(−other) beyond, scipy's ``direct`` where p underflows.

        scipy's generic logcdf/logsf first find the median by root finding at every point (seconds
        for 500 bin edges of some families); this takes the two tails directly, and calls the
        direct log only where the probability is too small for its log to be accurate.
        """
        points = np.asarray(x, dtype=float)
        near, far = self._call(same, points), self._call(other, points)
        with np.errstate(all="ignore"):
            result = np.where(near <= 0.5, np.log(near), np.log1p(-far))
        tiny = (near < _TINY_PROBABILITY) & ~np.isnan(near)
        if tiny.any():
            result[tiny] = np.atleast_1d(self._call(direct, points[tiny]))
        return result

    def ppf(self, q: Any) -> np.ndarray:
        """Quantiles."""
        return self._call("ppf", q)

    def bin_mass(self, edges: np.ndarray) -> np.ndarray:
        edges = np.asarray(edges, dtype=float)
        return frozen_cell_mass(self.extra["frozen"], edges[:-1], edges[1:])


# ------------------------------------------------------------------ options
def fixed_parameters(family: Family, options: Options, threshold: bool) -> dict[str, float]:
    """The parameters the user fixed; ``loc = 0`` for a positive family unless ``threshold`` or loc="free"."""
    fixed: dict[str, float] = {}
    for name in family.parameters:
        value = options.get(name)
        if value is None or (name == "loc" and value == "free"):
            continue
        if isinstance(value, (bool, np.bool_)):
            raise DataError(f"{family.name}: option {name} must be a number; got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            hint = ' (or "free")' if name == "loc" else ""
            raise DataError(f"{family.name}: option {name} must be a number{hint}; got {value!r}") from None
        if not math.isfinite(number):
            raise DataError(f"{family.name}: option {name} must be finite; got {value!r}")
        fixed[name] = number
    if "scale" in fixed and fixed["scale"] <= 0:
        raise DataError(f"{family.name}: scale must be positive; got {fixed['scale']:g}")
    for name in family.shape_names:
        if name in fixed:
            t = family.transforms[name]
            low = t.low if t.kind in ("lower", "interval") else -math.inf
            high = t.high if t.kind in ("upper", "interval") else math.inf
            if not low <= fixed[name] <= high:
                raise DataError(f"{family.name}: shape {name} must lie in [{low:g}, {high:g}]; got {fixed[name]:g}")
    if len(fixed) == len(family.parameters) and family.shape_names:
        if not scipy_bridge.valid_shapes(family.dist, [fixed[s] for s in family.shape_names]):
            raise DataError(f"{family.name}: the shape values {[fixed[s] for s in family.shape_names]} are not valid")
    if "loc" not in options and not threshold and positive_support(family):
        fixed["loc"] = 0.0
    return fixed


def _threshold_default(family: Family, options: Options, threshold: bool) -> bool:
    """Whether loc is held at 0 by default (not by the user)."""
    return not threshold and "loc" not in options and positive_support(family)


def _not_positive_reason(family: Family, emp: Empirical, label: str) -> str | None:
    """Why a two-parameter positive family cannot hold the data, in words, or None."""
    allow_zero = family.name == "expon" or emp.sketch is None  # a bin [0, e) holds positive values
    low = emp.sketch.low if emp.sketch is not None else float(emp.edges[np.flatnonzero(emp.counts > 0)[0]])
    if low > 0 or (allow_zero and low >= 0):
        return None
    need = "values ≥ 0" if allow_zero else "positive values"
    if emp.sketch is not None:
        values, counts = emp.sketch.values, emp.sketch.counts
        bad = values < 0 if allow_zero else values <= 0
        how_many = f"{float(counts[bad].sum()):,.0f} value(s) {'< 0' if allow_zero else '≤ 0'}, e.g. {float(values[bad][0]):.4g}"
    else:
        how_many = f"the data reach down to {low:.4g}"
    three = f"{family.name}_3p" if f"{family.name}_3p" in _three_parameter_names() else f'loc="free"'
    return f"{label} needs {need}; {how_many}. Try the 3-parameter form ({three})"


def _three_parameter_names() -> set[str]:
    from kl_core.models.registry import REGISTRY

    return {name for name in REGISTRY if name.endswith("_3p")}


def continuous_checker(family: Family, threshold: bool = False) -> Callable[[Empirical, Options], str | None]:
    """The registry checker: bad options, too little data, a support that cannot hold the data."""
    def check(emp: Empirical, options: Options) -> str | None:
        try:
            fixed_parameters(family, options, threshold)
            time_limit(options)
        except DataError as error:
            return str(error)
        distinct = emp.sketch.size if emp.sketch is not None else int(np.count_nonzero(emp.counts))
        if distinct < 2:
            return f"{family.name} needs at least two different values to fit its location and scale"
        if _threshold_default(family, options, threshold) or options.get("loc") == 0:
            return _not_positive_reason(family, emp, family.name)
        return None

    return check


# --------------------------------------------------------------------- fitting
def continuous_fitter(family: Family, name: str, threshold: bool = False) -> Callable[[Empirical, Options], FittedModel]:
    """The registry fitter for ``family`` (``threshold``: the 3-parameter entry, loc free)."""
    def fit(emp: Empirical, options: Options) -> FittedModel:
        fixed = fixed_parameters(family, options, threshold)
        by_default = _threshold_default(family, options, threshold)
        user_fixed = {k: v for k, v in fixed.items() if not (k == "loc" and by_default)}
        params, how = _fit(family, emp, fixed, time_limit(options))
        shapes = [params[s] for s in family.shape_names]
        frozen = family.dist(*shapes, loc=params["loc"], scale=params["scale"])
        standard = (family.dist, shapes, params["loc"], params["scale"])
        extra: dict[str, Any] = {}
        if how == _CLOSED:
            how = ""
            at_mle = mean_loglik_at_closed_form(family.name, params, fixed, emp.sketch.moments)
            if at_mle is not None and math.isfinite(at_mle):
                extra["mean_loglik"] = (emp.sketch.moments, at_mle)  # valid for these data only
        notes = [how] if how else []
        if user_fixed:
            notes.append(f"fixed: {', '.join(f'{k}={v:g}' for k, v in user_fixed.items())}")
        notes.extend(edge_notes(family, params, fixed, emp))
        if _at_normal_limit(family, params, fixed) and emp.sketch is not None:
            # At these parameters the family's log density is rounding noise around the normal's
            # (which can look a few nats "better"): score and draw it as its limit, the normal MLE.
            normal = closed_form("norm", Weighted(emp.sketch.values, emp.sketch.counts, emp.sketch.moments), {})
            frozen = stats.norm(normal["loc"], normal["scale"])
            standard = (stats.norm, [], normal["loc"], normal["scale"])
            notes.append(f"treated as that limit, the normal (loc={normal['loc']:.4g}, scale={normal['scale']:.4g})")
            extra = {}
        label = f"{name}({_short(params, by_default)})"
        return ContinuousModel(
            name, params, len(family.parameters) - len(fixed), cdf_function=frozen.cdf, continuous=True,
            note="; ".join(notes), label=label, extra={"frozen": frozen, "standard": standard, **extra},
        )

    return fit


def _short(params: dict[str, float], hide_loc: bool) -> str:
    from kl_core.models.base import format_params

    return format_params({k: v for k, v in params.items() if not (hide_loc and k == "loc")})


def _fit(family: Family, emp: Empirical, fixed: dict[str, float], limit: float) -> tuple[dict[str, float], str]:
    """Parameters (raw units) and a note on how, from the sketch (or the bins, interval-censored).

    A closed-form fit on exact values is marked by ``_CLOSED`` as its note's first word (removed
    by the caller): the identities of :func:`mean_loglik_at_closed_form` hold at it.
    """
    sketch = emp.sketch
    if sketch is None:
        lows, highs = emp.edges[:-1], emp.edges[1:]
        data = cells(lows, highs, emp.counts, emp.n)
        note = "fitted to the bins as interval-censored data (the raw values were not kept)"
        found = search(family, data, fixed, limit)
        return found.params, _join(note, budget_note(found))
    weighted = Weighted(sketch.values, sketch.counts, sketch.moments, _summary(sketch), None if sketch.exact else sketch.cells()[:2])
    exact = closed_form(family.name, weighted, fixed)
    if exact is not None:
        # Exact on exact values and, for the moment-based forms, at any size; on a fine sketch the
        # others see each cell's mean value, an error of order (cell width)² (printed by bench_core --sketch).
        if sketch.exact:
            return exact, _CLOSED
        return exact, "" if family.name in _EXACT_FROM_MOMENTS else "closed form on the fine sketch's cell means"
    if sketch.exact and sketch.size <= POINTS_LIMIT:
        found = search(family, points(sketch.values, sketch.counts), fixed, limit)
        return found.params, budget_note(found)
    return _fit_summarised(family, sketch, fixed, limit)


def budget_note(found: Search) -> str:
    """Words for a search that spent its whole evaluation budget before settling, else ''.

    Examples
    --------
    >>> budget_note(Search({"loc": 0.0}, 260, 260, True))
    'the search used its whole budget of 260 likelihood evaluations before settling: these are the best parameters it found'
    """
    if not found.exhausted:
        return ""
    return (f"the search used its whole budget of {found.budget:,} likelihood evaluations before settling: "
            "these are the best parameters it found")


def _join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def _summary(sketch: Any) -> Weighted | None:
    """The fine weighted summary of many values (where 1-D roots start), or None for few values."""
    if sketch.size <= POINTS_LIMIT:
        return None
    fine = summaries(sketch)[1]
    return Weighted(fine.values, fine.weights, sketch.moments)


def _fit_summarised(family: Family, sketch: Any, fixed: dict[str, float], limit: float) -> tuple[dict[str, float], str]:
    """Many distinct values: search a coarse weighted summary, then polish on the fine one (:mod:`.summary`).

    The fine summary's log-likelihood is the raw values' to within ~1e-9 relative (measured by
    ``benchmarks/bench_core.py``), so its maximum is the raw-data MLE for any practical purpose;
    each search stage has its own evaluation budget, and ``limit`` seconds is one safety net for both.
    """
    deadline = time.perf_counter() + limit
    coarse, fine = summaries(sketch)
    first = search(family, points(coarse.values, coarse.weights, sketch.total), fixed, limit, rough=True)
    # The coarse search's other end (a descent from another pseudo-sample's start) is polished too: the coarse
    # summary's optimum is not always the fine one's (dweibull's cusp, truncpareto's edge). Each is judged on its own
    # summary, exact around its own cusp.
    chains = [_polished(family, sketch, fine, fixed, first.params, deadline, limit)]
    for start in first.others:
        try:
            chains.append(_polished(family, sketch, fine, fixed, start, deadline, limit))
        except (FitTimeout, DataError):  # the safety net reached in a second chance: keep the first chain's fit
            break
    best = max(chains, key=lambda chain: chain[1])[0]
    return best.params, _join("" if sketch.exact else "fitted on the fine sketch's cell means", budget_note(best))


def _polished(
    family: Family, sketch: Any, fine: Any, fixed: dict[str, float], start: dict[str, float], deadline: float, limit: float,
) -> tuple[Search, float]:
    """The polishing stages from one coarse optimum, and the polished fit's log-likelihood on its summary."""
    # Where the model's log f has a kink or a singularity inside a group (dgamma's and dweibull's at loc), the
    # summary's error has local optima of its own: those groups become exact values and the polish runs again
    # (loc may move on to a group that is not exact yet), then the polished fits are compared on a summary exact
    # around each of them.
    summary, polished, exact = fine, [], None
    for _ in range(_EXACT_ROUNDS):
        rough = _rough_groups(family, start, summary)
        if polished and not rough.any():
            break
        if rough.any():
            exact = exact_values(sketch) if exact is None else exact
            summary = with_exact_groups(summary, *exact, rough)
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise FitTimeout(time_box_message(family.name, limit))
        try:
            polished.append(search(family, points(summary.values, summary.weights, sketch.total), fixed, remaining, [start], polish=True))
        except FitTimeout:
            raise FitTimeout(time_box_message(family.name, limit)) from None
        start = polished[-1].params
    else:
        rough = _rough_groups(family, start, summary)
        if rough.any():
            summary = with_exact_groups(summary, *(exact_values(sketch) if exact is None else exact), rough)
    best = polished[-1] if len(polished) == 1 else max(polished, key=lambda found: _summary_loglik(family, found.params, summary))
    return best, _summary_loglik(family, best.params, summary)


_EXACT_ROUNDS = 3  # polishing rounds, each on exact values where the last one's optimum left the summary inexact
_CUSP_GROUP = 1e-5  # a group whose error bound exceeds this fraction of |Σ log f| holds a kink or a singularity of log f
# (a cusp inside one group costs 1e-4 to 1e-2; shapes run to a limit of the family leave 1e-9 to 1e-6 of rounding noise) ...
_ROUGH_GROUP = 1e-8  # ... and then every group off by more than this fraction (the cusp's neighbours) is replaced by its values
_EXACT_LIMIT = 8_000  # at most this many exact values replace groups (the worst groups first)


def _summary_loglik(family: Family, params: dict[str, float], summary: Any) -> float:
    """Σ w log f over a summary's points (−inf where the model leaves one out)."""
    shapes = [params[s] for s in family.shape_names]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logs = std_logpdf(family.dist, shapes, (summary.values - params["loc"]) / params["scale"])
    if logs is None or not np.all(np.isfinite(logs)):
        return -math.inf
    return float(np.einsum("i,i->", summary.weights, logs)) - float(summary.weights.sum()) * math.log(params["scale"])


def _rough_groups(family: Family, params: dict[str, float], summary: Any) -> np.ndarray:
    """Which Gauss groups of ``summary`` (and their neighbours) the model at ``params`` makes inexact (a kink or a
    singularity of log f inside: dgamma's and dweibull's at loc), so the search would chase the summary's error."""
    chosen = np.zeros(summary.groups, dtype=bool)
    if summary.groups == 0:
        return chosen
    shapes, loc, scale = [params[s] for s in family.shape_names], params["loc"], params["scale"]

    def log_density(x: np.ndarray) -> np.ndarray:
        return std_logpdf(family.dist, shapes, (x - loc) / scale) - math.log(scale)

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            found = group_error_bounds(summary, log_density)
        except Exception:  # noqa: BLE001 - a model the bound cannot be measured for keeps the summary
            return chosen
    if found is None:
        return chosen
    total, bounds = found
    if not bounds.max() > _CUSP_GROUP * abs(total):
        return chosen
    worst = np.flatnonzero(bounds > _ROUGH_GROUP * abs(total))
    worst = worst[np.argsort(-bounds[worst], kind="stable")]
    size = np.maximum(np.round(summary.group_weight), 1.0)  # about the values in a group (exact values: one per count)
    taken = 0.0
    for index in worst:
        around = np.arange(max(index - 1, 0), min(index + 2, summary.groups))  # the optimum may move next door
        extra = float(size[around][~chosen[around]].sum())
        if taken + extra > _EXACT_LIMIT:
            break
        chosen[around], taken = True, taken + extra
    return chosen


_CLOSED = "\x00closed form"  # internal marker, never shown
_EXACT_FROM_MOMENTS = frozenset({"norm", "lognorm", "gamma", "expon"})  # closed forms from Moments alone


# ------------------------------------------------------------- edges of the space
_LIMITS: dict[tuple[str, str], str] = {
    ("gamma", "a"): "here gamma tends to a normal",
    ("t", "df"): "here Student's t tends to a normal",
    ("lognorm", "s"): "here the log-normal tends to a normal",
    ("weibull_min", "c"): "here the Weibull tends to a Gumbel (minimum) distribution",
    ("invgauss", "mu"): "here the inverse Gaussian tends to a normal",
    ("genextreme", "c"): "here it tends to a Weibull or Fréchet limit",
    ("skewnorm", "a"): "here the skew normal tends to a half-normal",
    ("beta", "b"): "here the beta tends to a gamma",
    ("betaprime", "b"): "here the beta prime tends to a gamma",
}
_BIG = 1e4  # a shape beyond this (or a scale beyond 1e4 × the data's range) is at the edge
_LIMIT = 1e5  # beyond this the family's log density is the normal's up to rounding: scored as the normal
_SMALL = 1e-6


_NORMAL_LIMIT_SHAPES = {"gamma": "a", "t": "df", "invgauss": "mu", "lognorm": "s"}


def _at_normal_limit(family: Family, params: dict[str, float], fixed: dict[str, float]) -> bool:
    """Whether the fit ran to the edge where the family becomes a normal (a, df → ∞; lognorm s → 0 with loc free)."""
    shape = _NORMAL_LIMIT_SHAPES.get(family.name)
    if shape is None or shape in fixed or "loc" in fixed:
        return False
    value = params[shape]
    return value < 1 / _LIMIT if family.name in ("lognorm", "invgauss") else value > _LIMIT


def edge_notes(family: Family, params: dict[str, float], fixed: dict[str, float], emp: Empirical) -> list[str]:
    """Words for parameters that ran to the edge of the space (shape → ∞ or 0, scale → 0, |loc| ≫ range).

    Examples
    --------
    >>> from kl_core.models.continuous.catalogue import family
    >>> emp = Empirical.from_samples(np.linspace(1, 2, 50))
    >>> edge_notes(family("gamma"), {"a": 7e10, "loc": -1e5, "scale": 1e-6}, {}, emp)[0]
    'a=7e+10 ran to the edge of its range: here gamma tends to a normal'
    """
    notes: list[str] = []
    low, high = (emp.sketch.low, emp.sketch.high) if emp.sketch is not None else (float(emp.edges[0]), float(emp.edges[-1]))
    span = max(high - low, abs(high) * 1e-12, 1e-300)
    for name in family.shape_names:
        if name in fixed:
            continue
        value = params[name]
        t = family.transforms[name]
        near_bound = t.kind in ("lower", "interval") and abs(value - t.low) < _SMALL * max(1.0, abs(t.low))
        if abs(value) > _BIG or (near_bound and t.low == 0 and value < _SMALL):
            limit = _LIMITS.get((family.name, name), "the fit is at a limit of the family; another family probably fits better")
            notes.append(f"{name}={value:.3g} ran to the edge of its range: {limit}")
    if notes:
        return notes  # loc and scale running off follow from the shape's
    if "scale" not in fixed and params["scale"] < _SMALL * span:
        notes.append(f"scale={params['scale']:.3g} is tiny against the data's range: the fit is at a degenerate limit")
    if "scale" not in fixed and params["scale"] > 1e4 * span:
        notes.append(f"scale={params['scale']:.4g} is huge against the data's range: the fit is at a limit of the family")
    if "loc" not in fixed and abs(params["loc"] - (low + high) / 2) > 1e3 * span:
        notes.append(f"loc={params['loc']:.4g} lies far outside the data: the fit is at a limit of the family")
    return notes
