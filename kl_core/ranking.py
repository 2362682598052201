"""Rank fitted models by D_KL(empirical ‖ model), with the statistics that keep it honest.

Why KL ranks models: for N observations with empirical distribution P̂, the
log-likelihood of a model Q is ``log L = -N (H(P̂) + D_KL(P̂‖Q))`` (nats). H(P̂) is the
same for every model, so the smallest KL is the largest likelihood. From that identity
come AIC = 2m - 2 log L, BIC = m log N - 2 log L and the G-test, G = 2 N D_KL (nats),
with K - 1 - m degrees of freedom.

Cells. Every measure is computed over the data's K cells (support points or bins)
plus one "elsewhere" cell that holds the model's mass outside them. Nothing is
renormalised: a Poisson model's tail beyond the largest value counts against it in
the reverse KL and the JS divergence, and the forward KL is unaffected (p = 0 there).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence, Union

import numpy as np
import pandas as pd
from scipy import special, stats

from kl_core.empirical import Empirical, bits_or_nats
from kl_core.errors import DataError
from kl_core.measures import ZERO_POLICIES, ZeroPolicy, apply_zero_policy, entropy, js_divergence, log_unit
from kl_core.models import FittedModel, FitTimeout, fit

ModelRequest = Union[str, tuple[str, Mapping[str, Any]], FittedModel]
Progress = Callable[[int, int, str], None]

COLUMNS: tuple[str, ...] = (
    "model", "label", "params", "n_params", "kl", "reverse_kl", "js", "cross_entropy",
    "loglik", "aic", "bic", "g_stat", "dof", "p_value", "note",
)
_OUTSIDE_TOLERANCE = 1e-12  # model mass this small outside the data is float rounding
# Total model mass above 1 by less than this is float rounding (scipy's pmfs lose ~1e-9 at extreme
# parameters, e.g. boltzmann with lambda_ near 1e-8); the same tolerance as kl_core.measures.
_EXCESS_TOLERANCE = 1e-6
_MAX_NAMED_VALUES = 3


@dataclass(frozen=True, eq=False)
class Comparison:
    """The result of :func:`compare`: the ranking table and the fitted models behind it.

    Examples
    --------
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> result = compare(teeth, ["uniform", "binomial"])
    >>> result.table["model"].tolist(), result.best
    (['uniform', 'binomial'], 'uniform')
    """

    emp: Empirical
    table: pd.DataFrame
    fitted: dict[str, FittedModel]
    base: float
    zero_policy: str
    epsilon: float
    requests: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    @property
    def best(self) -> str | None:
        """The name of the model with the smallest finite KL, or None."""
        finite = self.table[np.isfinite(self.table["kl"])]
        return None if finite.empty else str(finite["model"].iloc[0])

    @property
    def unit(self) -> str:
        """'bits' or 'nats' (or the log base) for the KL columns."""
        return bits_or_nats(self.base)


def compare(
    emp: Empirical,
    models: Iterable[ModelRequest],
    base: float = 2,
    zero_policy: ZeroPolicy = "strict",
    epsilon: float = 1e-6,
    bootstrap: int = 0,
    seed: int = 0,
    progress: Progress | None = None,
    bootstrap_seconds: float = 30.0,
) -> Comparison:
    """Fit every requested model and rank them; see :func:`rank` for the parameters.

    ``progress(i, total, name)`` is called before each fit; ``bootstrap_seconds``
    bounds the time spent refitting bootstrap resamples.
    """
    unit = log_unit(base)
    if zero_policy not in ZERO_POLICIES:
        raise DataError(f"zero_policy must be one of {ZERO_POLICIES}; got {zero_policy!r}")
    if zero_policy == "epsilon" and not 0 < epsilon < 1:
        raise DataError(f"epsilon must be between 0 and 1 (exclusive); got {epsilon}")
    requests = _named_requests(models)
    if not requests:
        raise DataError("Choose at least one model to compare.")
    rows, fitted = [], {}
    for index, (key, request) in enumerate(requests.items()):
        if progress:
            progress(index, len(requests), key)
        model, failure = _fit_request(emp, request)
        if model is not None:
            try:
                rows.append({"model": key, **model_measures(emp, model, base, zero_policy, epsilon)})
                fitted[key] = model
                continue
            except DataError as error:
                failure = f"not usable: {error}"
            except Exception as error:  # noqa: BLE001 - a model that cannot be evaluated is a row, never a crash
                failure = f"not usable: {error or type(error).__name__}"
        rows.append(_failed_row(key, request, failure))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    specs = {key: _as_spec(request) for key, request in requests.items() if not isinstance(request, FittedModel)}
    if bootstrap:
        table = _with_bootstrap(table, emp, requests, fitted, bootstrap, seed, unit, zero_policy, epsilon, bootstrap_seconds)
    table = _sorted(table)
    return Comparison(emp, table, fitted, base, zero_policy, epsilon, specs)


def rank(
    emp: Empirical,
    models: Iterable[ModelRequest],
    base: float = 2,
    zero_policy: ZeroPolicy = "strict",
    epsilon: float = 1e-6,
    bootstrap: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """Fit each model to ``emp`` and rank them by D_KL(empirical ‖ model), best first.

    Parameters
    ----------
    emp : Empirical
        The data.
    models : iterable
        Model names (``"poisson"``), ``(name, options)`` pairs
        (``("binomial", {"n": 10})``) or ready :class:`~kl_core.models.FittedModel` s.
    base : float
        Log base of the information columns: 2 for bits, ``math.e`` for nats.
        ``loglik``, ``aic``, ``bic`` and ``g_stat`` are always in nats.
    zero_policy : {"strict", "epsilon"}
        ``"strict"`` reports +inf where a model gives 0 to an observed value, naming
        the values in ``note``. ``"epsilon"`` floors the model with the mixture
        ``(1-ε) q + ε / cells``, and says so in ``note``.
    epsilon : float
        The floor's weight for ``"epsilon"``.
    bootstrap : int
        Number of multinomial resamples of the counts; adds ``kl_low``, ``kl_high``
        (95% percentile interval, models refitted per resample) and ``p_best`` (how
        often the model ranks first).
    seed : int
        Seed for the bootstrap.

    Returns
    -------
    DataFrame
        One row per model, best first (∞ after the finite ones, failed fits last, ties
        broken by fewer parameters), with the columns in :data:`COLUMNS`. N-dependent
        columns are NaN for probability input, where N is unknown.

    Examples
    --------
    The worm teeth from the seeds (0..10 teeth, 100 worms):

    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> table = rank(teeth, ["uniform", "binomial"])
    >>> table[["model", "kl"]].round(5).values.tolist()
    [['uniform', 0.19719], ['binomial', 0.61654]]
    """
    return compare(emp, models, base, zero_policy, epsilon, bootstrap, seed).table


# ------------------------------------------------------------------ one model's row
def cells(emp: Empirical, model: FittedModel) -> tuple[np.ndarray, np.ndarray]:
    """Empirical and model probabilities over the data's cells plus the 'elsewhere' cell.

    Examples
    --------
    >>> emp = Empirical.from_counts([0, 1], [1, 1])
    >>> from kl_core.models import fit
    >>> p, q = cells(emp, fit(emp, "poisson", mu=1.0))
    >>> p.tolist(), q.round(4).tolist()
    ([0.5, 0.5, 0.0], [0.3679, 0.3679, 0.2642])
    """
    q = model.mass(emp)
    outside = max(1.0 - float(q.sum()), 0.0)
    if outside < _OUTSIDE_TOLERANCE:
        outside = 0.0
    if q.sum() > 1 + _EXCESS_TOLERANCE:
        raise DataError(f"{model.label} puts total mass {q.sum():.6g} > 1 on the data's values; it is not a distribution")
    return np.append(emp.probs, 0.0), np.append(q / max(1.0, float(q.sum())), outside)


def model_measures(
    emp: Empirical, model: FittedModel, base: float = 2, zero_policy: ZeroPolicy = "strict", epsilon: float = 1e-6
) -> dict[str, Any]:
    """Every column of a ranking row for one fitted model (all but ``model``).

    Examples
    --------
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> from kl_core.models import fit
    >>> row = model_measures(teeth, fit(teeth, "uniform"))
    >>> round(row["kl"], 5), row["dof"]
    (0.19719, 10)
    """
    unit = log_unit(base)
    p, q = cells(emp, model)
    used = _used_cells(p, q)
    p, q = p[used], q[used]
    q_used = apply_zero_policy(q, zero_policy, epsilon)
    kl_nats = max(float(special.rel_entr(p, q_used).sum()), 0.0)
    reverse_nats = _reverse_kl_nats(p, q, zero_policy, epsilon)
    entropy_nats = entropy(p, math.e)
    row = {
        "label": model.label,
        "params": dict(model.params),
        "n_params": int(model.n_params),
        "kl": kl_nats / unit,
        "reverse_kl": reverse_nats / unit,
        "js": js_divergence(p, q, base),
        "cross_entropy": (entropy_nats + kl_nats) / unit,
        "note": _note(emp, model, p, q, zero_policy, epsilon),
    }
    row.update(_likelihood_statistics(emp, model, p, q_used, kl_nats, entropy_nats))
    return row


def _used_cells(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Cells where the data or the model has mass (the elsewhere cell only when q > 0)."""
    return (p > 0) | (q > 0) | (np.arange(p.size) < p.size - 1)


def _reverse_kl_nats(p: np.ndarray, q: np.ndarray, zero_policy: str, epsilon: float) -> float:
    model_total = float(q.sum())
    q_normalised = q / model_total if model_total > 0 else q
    p_used = apply_zero_policy(p, zero_policy, epsilon)
    return max(float(special.rel_entr(q_normalised, p_used).sum()), 0.0)


def _likelihood_statistics(
    emp: Empirical, model: FittedModel, p: np.ndarray, q_used: np.ndarray, kl_nats: float, entropy_nats: float
) -> dict[str, Any]:
    cell_count = int(np.count_nonzero((p > 0) | (q_used > 0)))
    dof = cell_count - 1 - model.n_params
    if emp.n is None:
        return {"loglik": math.nan, "aic": math.nan, "bic": math.nan, "g_stat": math.nan, "dof": dof, "p_value": math.nan}
    n = emp.n
    loglik = -n * (entropy_nats + kl_nats) if math.isfinite(kl_nats) else -math.inf
    m = model.n_params
    g_stat = 2 * n * kl_nats
    p_value = float(stats.chi2.sf(g_stat, dof)) if dof >= 1 and math.isfinite(g_stat) else (0.0 if dof >= 1 else math.nan)
    return {
        "loglik": loglik,
        "aic": 2 * m - 2 * loglik,
        "bic": m * math.log(n) - 2 * loglik if n > 0 else math.nan,
        "g_stat": g_stat,
        "dof": dof,
        "p_value": p_value,
    }


def _note(emp: Empirical, model: FittedModel, p: np.ndarray, q: np.ndarray, zero_policy: str, epsilon: float) -> str:
    parts = [model.note] if model.note else []
    zero_cells = np.flatnonzero((q == 0) & (p > 0))
    if zero_cells.size:
        named = ", ".join(_cell_name(emp, i) for i in zero_cells[:_MAX_NAMED_VALUES])
        more = f" and {zero_cells.size - _MAX_NAMED_VALUES} more" if zero_cells.size > _MAX_NAMED_VALUES else ""
        if zero_policy == "strict":
            parts.append(f"∞: {model.label} gives 0 probability to {named}{more}, which was observed")
        else:
            parts.append(f"finite only through the ε-floor (ε={epsilon:g}): {model.label} gives 0 probability to {named}{more}")
    elif zero_policy == "epsilon":
        parts.append(f"ε-floor (ε={epsilon:g}) applied")
    if emp.n is None:
        parts.append("probability input: N unknown, so log-likelihood, AIC, BIC and the G-test are not available")
    return "; ".join(parts)


def _cell_name(emp: Empirical, index: int) -> str:
    if emp.kind == "binned":
        return f"the bin [{emp.edges[index]:.4g}, {emp.edges[index + 1]:.4g})"
    value = emp.support[index]
    return repr(value) if emp.kind == "categorical" else f"{value:g}"


# --------------------------------------------------------------------- requests
def _named_requests(models: Iterable[ModelRequest]) -> dict[str, ModelRequest]:
    """Key each request by a unique name: the model name, suffixed when repeated."""
    if isinstance(models, (str, FittedModel)):
        models = [models]
    named: dict[str, ModelRequest] = {}
    for request in models:
        base_name = _request_name(request)
        key, copy = base_name, 2
        while key in named:
            key, copy = f"{base_name}#{copy}", copy + 1
        named[key] = request
    return named


def _request_name(request: ModelRequest) -> str:
    if isinstance(request, FittedModel):
        return request.name
    if isinstance(request, str):
        return request
    if isinstance(request, tuple) and len(request) == 2 and isinstance(request[0], str) and isinstance(request[1], Mapping):
        return request[0]
    raise DataError(f"A model must be a name, a (name, options) pair or a FittedModel; got {request!r}")


def _as_spec(request: ModelRequest) -> tuple[str, dict[str, Any]]:
    if isinstance(request, str):
        return request, {}
    name, options = request  # type: ignore[misc]
    return name, dict(options)


def _fit_request(emp: Empirical, request: ModelRequest) -> tuple[FittedModel | None, str]:
    if isinstance(request, FittedModel):
        return request, ""
    name, options = _as_spec(request)
    try:
        return fit(emp, name, **options), ""
    except FitTimeout as error:
        return None, f"fit failed: {error}"
    except DataError as error:
        return None, f"not applicable: {error}"
    except Exception as error:  # noqa: BLE001 - a failed fit is a row with its reason, never a crash
        return None, f"fit failed: {error or type(error).__name__}"


def _failed_row(key: str, request: ModelRequest, reason: str) -> dict[str, Any]:
    row = {column: math.nan for column in COLUMNS}
    row.update({"model": key, "label": key, "params": {}, "n_params": 0, "dof": math.nan, "note": reason})
    return row


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    order = table.assign(
        _failed=table["kl"].isna(), _infinite=np.isinf(table["kl"].astype(float)), _kl=table["kl"].fillna(np.inf)
    ).sort_values(["_failed", "_infinite", "_kl", "n_params"], kind="stable")
    return table.loc[order.index].reset_index(drop=True)


# -------------------------------------------------------------------- bootstrap
def _with_bootstrap(
    table: pd.DataFrame,
    emp: Empirical,
    requests: Mapping[str, ModelRequest],
    fitted: Mapping[str, FittedModel],
    resamples: int,
    seed: int,
    unit: float,
    zero_policy: str,
    epsilon: float,
    seconds: float,
) -> pd.DataFrame:
    """Add kl_low / kl_high / p_best from multinomial resamples, refitting each model."""
    if emp.n is None:
        return table.assign(kl_low=math.nan, kl_high=math.nan, p_best=math.nan)
    if resamples < 2:
        raise DataError(f"bootstrap needs at least 2 resamples; got {resamples}")
    samples = bootstrap_kl(emp, requests, fitted, resamples, seed, zero_policy, epsilon, seconds) / unit
    done = samples.shape[0]
    low, high = (np.percentile(samples, q, axis=0) if done else np.full(len(fitted), np.nan) for q in (2.5, 97.5))
    finite = np.where(np.isfinite(samples), samples, np.inf)
    winners = np.argmin(finite, axis=1) if done else np.array([], dtype=int)
    names = list(fitted)
    p_best = {name: float(np.mean(winners == i)) if done else math.nan for i, name in enumerate(names)}
    by_name = {name: (low[i], high[i]) for i, name in enumerate(names)}
    out = table.copy()
    out["kl_low"] = [by_name.get(name, (math.nan, math.nan))[0] for name in out["model"]]
    out["kl_high"] = [by_name.get(name, (math.nan, math.nan))[1] for name in out["model"]]
    out["p_best"] = [p_best.get(name, math.nan) for name in out["model"]]
    out.attrs["bootstrap_resamples"] = done
    return out


def bootstrap_kl(
    emp: Empirical,
    requests: Mapping[str, ModelRequest],
    fitted: Mapping[str, FittedModel],
    resamples: int,
    seed: int = 0,
    zero_policy: str = "strict",
    epsilon: float = 1e-6,
    seconds: float = 30.0,
) -> np.ndarray:
    """KL in nats of each fitted model (columns, in ``fitted`` order) on each resample (rows).

    Each resample draws N observations from the empirical distribution (a multinomial
    on the counts) and refits every model given by name; ready-made models stay fixed.
    Stops early, returning the rows finished, when ``seconds`` run out.
    """
    rng = np.random.default_rng(seed)
    total = int(round(emp.n))
    draws = rng.multinomial(total, emp.probs, size=resamples).astype(float)
    deadline = time.perf_counter() + seconds
    rows = []
    for counts in draws:
        if time.perf_counter() > deadline:
            break
        resample = emp.with_counts(counts)
        rows.append([_resample_kl(resample, requests[name], model, zero_policy, epsilon) for name, model in fitted.items()])
    return np.array(rows, dtype=float).reshape(len(rows), len(fitted))


def _resample_kl(resample: Empirical, request: ModelRequest, model: FittedModel, zero_policy: str, epsilon: float) -> float:
    if not isinstance(request, FittedModel):
        refitted, _ = _fit_request(resample, request)
        model = refitted if refitted is not None else model
    p, q = cells(resample, model)
    return max(float(special.rel_entr(p, apply_zero_policy(q, zero_policy, epsilon)).sum()), 0.0)


# ------------------------------------------------------------- reading a ranking
def verdict(table: pd.DataFrame, base: float = 2) -> str:
    """One sentence a person can read off the ranking.

    Examples
    --------
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> verdict(rank(teeth, ["uniform", "binomial"]))
    'Uniform loses 0.197 bits per observation, binomial 0.617: the uniform model keeps the most information, with fewer parameters.'
    """
    unit = bits_or_nats(base)
    finite = table[np.isfinite(table["kl"].astype(float))]
    if finite.empty:
        return "No model gives every observed value a positive probability, so every KL divergence is infinite; see the notes."
    best = finite.iloc[0]
    best_name = display_name(best)
    lead = f"{best_name[0].upper()}{best_name[1:]} loses {best['kl']:.3g} {unit} per observation"
    if len(finite) == 1:
        return f"{lead}; it is the only model with a finite KL divergence."
    second = finite.iloc[1]
    parameters = _parameter_comparison(int(best["n_params"]), int(second["n_params"]))
    return f"{lead}, {display_name(second)} {second['kl']:.3g}: the {best_name} model keeps the most information{parameters}."


def display_name(row: Mapping[str, Any]) -> str:
    """A ranking row's model name as people read it (see :func:`kl_core.display.display_label`)."""
    from kl_core.display import display_label  # display formats ranking tables, so it is imported late

    return display_label(row)


def _parameter_comparison(best: int, second: int) -> str:
    if best < second:
        return ", with fewer parameters"
    if best == second:
        return f" with as many parameters ({best})"
    return f", though it fits {best - second} more parameter{'s' if best - second > 1 else ''}"


def contributions(emp: Empirical, model: FittedModel, base: float = 2) -> pd.DataFrame:
    """Per-cell terms p log(p/q) of D_KL(P‖Q), for plotting where the bits are lost.

    Examples
    --------
    >>> emp = Empirical.from_counts([0, 1], [1, 1])
    >>> from kl_core.models import fit
    >>> contributions(emp, fit(emp, "uniform"))["contribution"].tolist()
    [0.0, 0.0]
    """
    q = model.mass(emp)
    p = emp.probs
    terms = special.rel_entr(p, q) / log_unit(base)
    return pd.DataFrame({"value": emp.support, "p": p, "q": q, "contribution": terms})


def kl_sweep(
    emp: Empirical, name: str, parameter: str, values: Sequence[float], base: float = 2, **options: Any
) -> pd.DataFrame:
    """KL of model ``name`` with ``parameter`` fixed at each of ``values`` (others fitted).

    Examples
    --------
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> sweep = kl_sweep(teeth, "binomial", "p", [0.5, 0.544, 0.6])
    >>> int(sweep["kl"].idxmin())
    1
    """
    unit = log_unit(base)
    rows = []
    for value in values:
        try:
            model = fit(emp, name, **{**options, parameter: value})
            p, q = cells(emp, model)
            kl = max(float(special.rel_entr(p, q).sum()), 0.0) / unit
        except DataError:
            kl = math.nan
        rows.append({"value": float(value), "kl": kl})
    return pd.DataFrame(rows)
