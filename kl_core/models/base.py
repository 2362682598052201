"""What every model is: a registry entry (:class:`ModelSpec`) and a fit (:class:`FittedModel`).

A :class:`ModelSpec` says what a family is called, which kinds of data it applies to,
how its parameters are found, and why it cannot be used on a given dataset. Its
``fit`` turns an :class:`~kl_core.empirical.Empirical` and the user's options into a
:class:`FittedModel`, whose :meth:`FittedModel.mass` gives the model's probability on
each support point or bin of the data, aligned for the measures.

Fitting is maximum likelihood on (value, count) pairs: the objective
``-Σ count_i · log q_i(θ)`` costs O(K), whatever the number of rows.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from scipy import optimize

from kl_core.empirical import MAX_EXACT_INTEGER, Empirical
from kl_core.errors import DataError

__all__ = [
    "FitTimeout", "FittedModel", "MassFunction", "ModelSpec", "Options", "expit", "format_params", "integer_option",
    "log_difference", "logit", "minimize_nll", "number_option", "option_mapping", "real_number",
    "require_integer_support", "DEFAULT_TIME_LIMIT", "time_box_message", "time_limit", "weighted_loglik",
]

Options = Mapping[str, Any]
MassFunction = Callable[[np.ndarray], np.ndarray]


DEFAULT_TIME_LIMIT = 60.0
"""The one wall-clock box of every fit, in seconds (option ``time_limit``).

A safety net for users, never what decides a fit: the work of every fit is bounded by
budgets of likelihood evaluations, so the same data gives the same parameters on any
machine. When the box fires the fit fails with :class:`FitTimeout`, and its row says so.
"""


class FitTimeout(DataError):
    """A fit ran past its time box.

    A :class:`~kl_core.errors.DataError` (so every caller that reports bad input reports this
    too, with its message); :func:`kl_core.ranking.compare` shows it as "fit failed: ...".
    """


def time_limit(options: "Options") -> float:
    """The time box in seconds: option ``time_limit``, else :data:`DEFAULT_TIME_LIMIT`.

    Examples
    --------
    >>> time_limit({}), time_limit({"time_limit": 5})
    (60.0, 5.0)
    """
    value = options.get("time_limit", DEFAULT_TIME_LIMIT)
    if isinstance(value, (bool, np.bool_)):
        raise DataError(f"option time_limit must be a number of seconds; got {value!r}")
    try:
        limit = float(value)
    except (TypeError, ValueError):
        raise DataError(f"option time_limit must be a number of seconds; got {value!r}") from None
    if not limit > 0 or not math.isfinite(limit):
        raise DataError(f"option time_limit must be a positive number of seconds; got {value!r}")
    return limit


def time_box_message(what: str, limit: float) -> str:
    """What a row says when the time box stopped a fit.

    Examples
    --------
    >>> time_box_message("gamma", 60)
    'gamma: hit the 60 s time box (the safety limit for users) before its evaluation budget ran out; the option time_limit raises it'
    """
    return (f"{what}: hit the {limit:g} s time box (the safety limit for users) before its evaluation budget ran out; "
            "the option time_limit raises it")


@dataclass(frozen=True, eq=False)
class FittedModel:
    """A model with its parameters fixed, able to give its mass on any data's cells.

    Parameters
    ----------
    name : str
        Registry name (``"binomial"``).
    params : dict
        Parameter values, fitted or fixed, as plain Python numbers.
    n_params : int
        How many parameters were fitted to the data (fixed ones do not count).
    pmf_function : callable, optional
        Mass at given points, for discrete and categorical models.
    cdf_function : callable, optional
        Cumulative distribution, for numeric models (used for bins and CDF plots).
    logpmf_function, logcdf_function, logsf_function : callable, optional
        The logs of the mass, the CDF and the survival function, computed directly
        (scipy's ``logpmf``/``logcdf``/``logsf``) so that tiny probabilities do not
        underflow to 0; when absent, the log of the non-log function is used.
    note : str
        Anything the user should know about this fit.
    label : str, optional
        How to show the model; defaults to ``name(p1=v1, ...)``.
    continuous : bool
        True for a density model, whose mass on a bin is CDF(right) - CDF(left).

    Examples
    --------
    >>> from scipy import stats
    >>> coin = FittedModel("bernoulli", {"p": 0.5}, 1, pmf_function=stats.bernoulli(0.5).pmf)
    >>> coin.pmf(np.array([0, 1])).round(6).tolist(), coin.label
    ([0.5, 0.5], 'bernoulli(p=0.5)')
    """

    name: str
    params: dict[str, Any]
    n_params: int
    pmf_function: MassFunction | None = None
    cdf_function: MassFunction | None = None
    note: str = ""
    label: str = ""
    continuous: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    logpmf_function: MassFunction | None = None
    logcdf_function: MassFunction | None = None
    logsf_function: MassFunction | None = None

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", f"{self.name}({format_params(self.params)})" if self.params else self.name)

    def pmf(self, values: np.ndarray) -> np.ndarray:
        """Mass at each value (per point), as float64; 0 off the model's support."""
        if self.pmf_function is None:
            raise DataError(f"{self.label} is a continuous model: ask for bin_mass(edges), not pmf(values)")
        return np.asarray(self.pmf_function(np.asarray(values)), dtype=float)

    def cdf(self, values: np.ndarray) -> np.ndarray:
        """Cumulative probability P(X ≤ value)."""
        if self.cdf_function is None:
            raise DataError(f"{self.label} has no cumulative distribution (categorical or table model)")
        return np.asarray(self.cdf_function(np.asarray(values, dtype=float)), dtype=float)

    def logpmf(self, values: np.ndarray) -> np.ndarray:
        """Log mass at each value; -inf off the model's support, finite wherever the mass is positive.

        Examples
        --------
        >>> from scipy import stats
        >>> far = FittedModel("poisson", {"mu": 1000.0}, 1, stats.poisson(1000).pmf, logpmf_function=stats.poisson(1000).logpmf)
        >>> float(far.pmf(np.array([0]))[0]), round(float(far.logpmf(np.array([0]))[0]), 1)
        (0.0, -1000.0)
        """
        if self.logpmf_function is None:
            with np.errstate(divide="ignore"):
                return np.log(np.clip(self.pmf(values), 0.0, 1.0))
        with np.errstate(all="ignore"):
            log_mass = np.asarray(self.logpmf_function(np.asarray(values)), dtype=float)
        return np.minimum(np.nan_to_num(log_mass, nan=np.nan, posinf=0.0, neginf=-np.inf), 0.0)

    def logcdf(self, values: np.ndarray) -> np.ndarray:
        """log P(X ≤ value), from ``logcdf_function`` when given, else the log of :meth:`cdf`."""
        return self._log_of(self.logcdf_function, self.cdf, values)

    def logsf(self, values: np.ndarray) -> np.ndarray:
        """log P(X > value), from ``logsf_function`` when given, else log(1 - CDF)."""
        return self._log_of(self.logsf_function, lambda x: 1.0 - self.cdf(x), values)

    def _log_of(self, log_function: MassFunction | None, function: MassFunction, values: np.ndarray) -> np.ndarray:
        points = np.asarray(values, dtype=float)
        with np.errstate(all="ignore"):
            if log_function is not None:
                result = np.asarray(log_function(points), dtype=float)
            else:
                result = np.log(np.clip(np.asarray(function(points), dtype=float), 0.0, 1.0))
        return np.minimum(np.nan_to_num(result, nan=np.nan, posinf=0.0, neginf=-np.inf), 0.0)

    def bin_mass(self, edges: np.ndarray) -> np.ndarray:
        """Mass of each bin [edges[i], edges[i+1]): CDF(right) - CDF(left), never a density."""
        return np.clip(np.diff(self.cdf(edges)), 0.0, 1.0)

    def log_bin_mass(self, edges: np.ndarray) -> np.ndarray:
        """log of each bin's mass, log(F(r) - F(l)), computed without underflow.

        Left of the median it is ``log F(r) + log(1 - exp(log F(l) - log F(r)))``; right of it
        the same with the survival function, so a bin 40 standard deviations out gets its
        true log mass (about -800), not log 0.

        Examples
        --------
        >>> from scipy import stats
        >>> model = FittedModel("norm", {}, 2, cdf_function=stats.norm.cdf, continuous=True,
        ...                     logcdf_function=stats.norm.logcdf, logsf_function=stats.norm.logsf)
        >>> model.log_bin_mass(np.array([40.0, 41.0])).round(1).tolist()
        [-804.6]
        """
        edges = np.asarray(edges, dtype=float)
        left, right = edges[:-1], edges[1:]
        log_cdf = self.logcdf(edges)
        log_sf = self.logsf(edges)
        from_cdf = log_difference(log_cdf[1:], log_cdf[:-1])
        from_sf = log_difference(log_sf[:-1], log_sf[1:])
        upper_tail = log_cdf[:-1] > math.log(0.5)  # left edge past the median: S is the accurate side
        return np.where((right > left) & upper_tail, from_sf, np.where(right > left, from_cdf, -np.inf))

    def _has_log_tails(self) -> bool:
        """True when logcdf/logsf are computed directly (given functions or a subclass's methods)."""
        overridden = type(self).logcdf is not FittedModel.logcdf or type(self).logsf is not FittedModel.logsf
        return overridden or self.logcdf_function is not None or self.logsf_function is not None

    def log_mass(self, emp: Empirical) -> np.ndarray:
        """The log of the model's probability of each of ``emp``'s cells (support points or bins).

        ``-inf`` only where the model's support excludes the cell: computed from ``logpmf``
        or a stable log(F(r) - F(l)), never as the log of a mass that underflowed.

        Examples
        --------
        >>> from scipy import stats
        >>> far = FittedModel("poisson", {"mu": 1000.0}, 1, stats.poisson(1000).pmf, logpmf_function=stats.poisson(1000).logpmf)
        >>> far.log_mass(Empirical.from_counts([0, 2000], [1, 1])).round(1).tolist()
        [-1000.0, -391.0]
        """
        if emp.kind == "binned":
            if not self.continuous:
                raise DataError(f"{self.label} is a discrete model; binned (continuous) data needs a continuous model")
            if not self._has_log_tails():
                with np.errstate(divide="ignore"):  # only the CDF is known: its (subclass's) bin mass is the best there is
                    return np.log(self.bin_mass(emp.edges))
            return self.log_bin_mass(emp.edges)
        if self.continuous:
            raise DataError(f"{self.label} is a continuous model; use its discretised form for discrete data")
        return self.logpmf(emp.support)

    def mass(self, emp: Empirical) -> np.ndarray:
        """The model's probability of each of ``emp``'s cells (support points or bins).

        Examples
        --------
        >>> from scipy import stats
        >>> model = FittedModel("norm", {"loc": 0.0, "scale": 1.0}, 2, cdf_function=stats.norm.cdf, continuous=True)
        >>> emp = Empirical(np.array([-0.5, 0.5]), np.array([1.0, 1.0]), "binned", edges=np.array([-1.0, 0.0, 1.0]), n=2.0)
        >>> model.mass(emp).round(4).tolist()
        [0.3413, 0.3413]
        """
        if emp.kind == "binned":
            if not self.continuous:
                raise DataError(f"{self.label} is a discrete model; binned (continuous) data needs a continuous model")
            return self.bin_mass(emp.edges)
        if self.continuous:
            raise DataError(f"{self.label} is a continuous model; use its discretised form for discrete data")
        return np.clip(self.pmf(emp.support), 0.0, 1.0)

    def sample(self, n: int, seed: int | None = 0) -> np.ndarray:
        """``n`` draws from the model: its quantile function at ``n`` uniforms seeded by ``seed``.

        Examples
        --------
        >>> from scipy import stats
        >>> coin = FittedModel("bernoulli", {"p": 0.5}, 1, stats.bernoulli(0.5).pmf, stats.bernoulli(0.5).cdf)
        >>> coin.sample(6, seed=0).tolist()
        [1.0, 0.0, 0.0, 0.0, 1.0, 1.0]
        """
        from kl_core.models.sampling import draw  # sampling needs FittedModel's module loaded first

        return draw(self, n, seed)


def log_difference(log_high: np.ndarray, log_low: np.ndarray) -> np.ndarray:
    """log(exp(a) - exp(b)) for a ≥ b, elementwise and without underflow; -inf where a ≤ b.

    Examples
    --------
    >>> log_difference(np.array([-1000.0, 0.0]), np.array([-1001.0, 0.0])).round(4).tolist()
    [-1000.4587, -inf]
    """
    high = np.asarray(log_high, dtype=float)
    low = np.asarray(log_low, dtype=float)
    with np.errstate(all="ignore"):
        gap = np.where(high > low, low - high, -np.inf)  # ≤ 0; -inf when low is -inf
        # log1mexp(gap) = log(1 - e^gap), accurate both near 0 (expm1) and far below it (log1p).
        log1mexp = np.where(gap > -math.log(2), np.log(-np.expm1(gap)), np.log1p(-np.exp(gap)))
        result = high + log1mexp
    return np.where((high > low) & np.isfinite(high), result, -np.inf)


@dataclass(frozen=True)
class ModelSpec:
    """A family in the registry.

    Parameters
    ----------
    name : str
        Registry key, used by :func:`kl_core.fit` and in URLs.
    label : str
        Human name ("Negative binomial").
    group : str
        "simple", "discrete", "continuous" or "yours": how the Models page groups it.
    kinds : frozenset of str
        Kinds of data it applies to.
    parameters : tuple of str
        Its parameter names, fitted or fixed.
    how_fitted : str
        One sentence on how the parameters are found (shown in the README and the app).
    fitter : callable
        ``fitter(emp, options) -> FittedModel``.
    checker : callable, optional
        ``checker(emp, options) -> str | None``: why it does not apply, or None.
    default : bool
        Ticked by default when it applies.
    options : tuple of str
        Option names a user may set.
    support : callable, optional
        ``support(emp, options) -> (low, high)``: the whole numbers the family gives positive
        mass to under these options (±inf for no bound), for discrete families. Data outside it
        is not a reason to refuse the family: it is fitted to the values it holds and ranked
        with KL = ∞ (see :func:`kl_core.models.registry.fit_within_support`).
    """

    name: str
    label: str
    group: str
    kinds: frozenset[str]
    parameters: tuple[str, ...]
    how_fitted: str
    fitter: Callable[[Empirical, Options], FittedModel]
    checker: Callable[[Empirical, Options], str | None] | None = None
    default: bool = False
    options: tuple[str, ...] = ()
    support: Callable[[Empirical, Options], tuple[float, float]] | None = None

    def why_not(self, emp: Empirical, options: Options | None = None) -> str | None:
        """Why this family cannot be fitted to ``emp``, or None when it can."""
        if emp.kind not in self.kinds:
            return f"{self.name} applies to {' or '.join(sorted(self.kinds))} data; this data is {emp.kind}"
        unknown = set(options or {}) - set(self.options)
        if unknown:
            allowed = ", ".join(self.options) or "none"
            return f"{self.name} has no option {', '.join(sorted(unknown))}; its options are: {allowed}"
        return self.checker(emp, options or {}) if self.checker else None


# ----------------------------------------------------------------------- helpers
def format_params(params: Mapping[str, Any]) -> str:
    """``n=10, p=0.544``: parameters as a person reads them (4 significant digits).

    Examples
    --------
    >>> format_params({"n": 10, "p": 0.54400001})
    'n=10, p=0.544'
    """
    return ", ".join(f"{key}={_format_value(value)}" for key, value in params.items())


def _format_value(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    return str(value)


def weighted_loglik(log_mass: np.ndarray, counts: np.ndarray) -> float:
    """Σ count · log q over cells with a positive count (nats); -inf if such a q is 0.

    Examples
    --------
    >>> round(weighted_loglik(np.log(np.array([0.5, 0.5])), np.array([3.0, 1.0])), 4)
    -2.7726
    """
    used = counts > 0
    return float(np.dot(counts[used], log_mass[used]))


def require_integer_support(emp: Empirical, family: str, minimum: int | None = None, maximum: int | None = None) -> str | None:
    """A reason string when ``emp`` is not whole numbers in [minimum, maximum], else None.

    Examples
    --------
    >>> emp = Empirical.from_counts([-2, 3], [1, 1])
    >>> require_integer_support(emp, "binomial", minimum=0)
    'binomial needs whole numbers ≥ 0; found -2'
    """
    if not emp.is_integer:
        if emp.kind != "discrete":
            return f"{family} applies to discrete data; this data is {emp.kind}"
        bad = emp.support[emp.support != np.round(emp.support)]
        if bad.size:
            return f"{family} needs whole numbers; found {bad[0]:g}"
        huge = emp.support[np.argmax(np.abs(emp.support))]
        return (
            f"{family} needs whole numbers within ±{MAX_EXACT_INTEGER:,} (2**53), where every whole number "
            f"is exact in floating point; found {huge:g}"
        )
    if minimum is not None and emp.low < minimum:
        return f"{family} needs whole numbers ≥ {minimum}; found {emp.low:g}"
    if maximum is not None and emp.high > maximum:
        return f"{family} needs whole numbers ≤ {maximum}; found {emp.high:g}"
    return None


def integer_option(options: Options, key: str, default: int) -> int:
    """An option that must be a whole number (a declared n, a support bound)."""
    value = options.get(key, default)
    if value is None:
        return default
    if isinstance(value, (bool, np.bool_)):
        raise DataError(f"option {key} must be a whole number; got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"option {key} must be a whole number; got {value!r}") from None
    if not math.isfinite(number) or number != round(number):
        raise DataError(f"option {key} must be a whole number; got {value!r}")
    if abs(number) > MAX_EXACT_INTEGER:
        raise DataError(f"option {key} must be a whole number within ±{MAX_EXACT_INTEGER:,} (2**53); got {value!r}")
    return int(number)


def number_option(options: Options, key: str, default: float | None = None) -> float | None:
    """An option that must be a finite real number (a fixed probability, a time limit, a start value)."""
    value = options.get(key, default)
    if value is None:
        return default
    return real_number(value, f"option {key}")


def real_number(value: Any, what: str) -> float:
    """``value`` as a finite float; DataError naming ``what`` for text, lists, NaN, ±inf or True/False."""
    if isinstance(value, (bool, np.bool_)):
        raise DataError(f"{what} must be a number; got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a number; got {value!r}") from None
    if not math.isfinite(number):
        raise DataError(f"{what} must be a finite number; got {value!r}")
    return number


def option_mapping(options: Options, key: str) -> dict[str, Any]:
    """An option that must be a mapping of names to values (``start``, ``fixed``), or empty."""
    value = options.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise DataError(f"option {key} must map parameter names to numbers, e.g. {{'p': 0.5}}; got {value!r}")
    return dict(value)


def minimize_nll(
    negative_loglik: Callable[[np.ndarray], float],
    start: Sequence[float],
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,  # a safety net for users; evaluation budgets bound the work
    method: str = "Nelder-Mead",
    max_evaluations: int | None = None,
    initial_step: float = 0.25,
) -> np.ndarray:
    """Minimise a negative log-likelihood over unconstrained parameters, within a time box.

    ``negative_loglik`` takes a vector of *unconstrained* parameters (use log for
    positive ones, logit for probabilities) and returns a float; non-finite values are
    treated as +inf. Raises :class:`FitTimeout` when ``time_limit`` seconds pass.
    ``max_evaluations`` caps Nelder–Mead's objective evaluations (a work budget that, unlike the
    time box, gives the same answer on any machine); the best point found so far is returned.
    ``initial_step`` sizes Nelder–Mead's first simplex (smaller when the start is already close).

    Examples
    --------
    >>> minimize_nll(lambda theta: float((theta[0] - 3.0) ** 2), [0.0]).round(3).tolist()
    [3.0]
    """
    deadline = time.perf_counter() + time_limit

    def objective(theta: np.ndarray) -> float:
        if time.perf_counter() > deadline:
            raise FitTimeout(time_box_message("the fit", time_limit))
        value = negative_loglik(np.asarray(theta, dtype=float))
        return value if math.isfinite(value) else 1e300

    start_array = np.asarray(start, dtype=float)
    options = {}
    if method == "Nelder-Mead":
        # scipy's default first simplex steps 5% of each start value (0.00025 at 0), which
        # stalls at once for starts near 0 such as log(1); steps of 0.25 (or 25%) do not.
        steps = np.where(np.abs(start_array) < 1, initial_step, initial_step * np.abs(start_array))
        simplex = np.vstack([start_array, start_array + np.diag(steps)])
        options = {"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000 * start_array.size, "initial_simplex": simplex}
        if max_evaluations is not None:
            options["maxfev"] = max_evaluations
    with np.errstate(all="ignore"):  # once around the search, not at each of its evaluations
        result = optimize.minimize(objective, start_array, method=method, options=options)
        last = objective(result.x)
    if last >= 1e300:
        raise DataError("no parameter values give the data a positive probability")
    return np.asarray(result.x, dtype=float)


def expit(value: float) -> float:
    """Logistic function, for mapping an unconstrained number to a probability."""
    return float(1.0 / (1.0 + math.exp(-value))) if value > -700 else 0.0


def logit(probability: float) -> float:
    """Inverse of :func:`expit`, clipped away from 0 and 1."""
    clipped = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log(clipped / (1 - clipped))
