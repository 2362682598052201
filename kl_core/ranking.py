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
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, Union

import numpy as np
import pandas as pd
from scipy import special, stats

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.measures import (
    ZERO_POLICIES,
    ZeroPolicy,
    apply_zero_policy_log,
    entropy,
    js_divergence_log,
    kl_contributions_log,
    log_unit,
    reverse_kl_log,
)
from kl_core.models import FittedModel, FitTimeout, fit
from kl_core.models.registry import fit_within_support
from kl_core.vocabulary import EPSILON, RANK_BY, bits_or_nats

__all__ = [
    "AIC_NOISE", "COLUMNS", "G_TEST_LEVEL", "P_BEST_CLEAR", "RANK_BY", "Comparison", "ModelRequest", "Progress",
    "bootstrap_kl", "bootstrap_resamples", "cells", "compare", "display_name", "kl_sweep", "log_cells",
    "model_measures", "named_requests", "rank", "ranked_by", "request_specs", "sample_size", "sweep_grid", "verdict",
    "with_akaike_weights",
]

ModelRequest = Union[str, tuple[str, Mapping[str, Any]], FittedModel]
Progress = Callable[[int, int, str], None]

COLUMNS: tuple[str, ...] = (
    "model", "label", "params", "n_params", "kl", "reverse_kl", "js", "cross_entropy",
    "loglik", "aic", "bic", "g_stat", "dof", "p_value", "note", "kl_binned", "akaike_weight",
)
AIC_NOISE = 2.0  # ΔAIC below this: the data cannot tell the models apart (Burnham & Anderson's rule of thumb)
P_BEST_CLEAR = 0.8  # bootstrap winner frequency below this: the winner is not clear
G_TEST_LEVEL = 0.05
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
    rank_by: str = "kl"  # what orders the table (RANK_BY)

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
    epsilon: float = EPSILON,
    bootstrap: int = 0,
    seed: int = 0,
    progress: Progress | None = None,
    bootstrap_seconds: float = 30.0,
    rank_by: str = "kl",
) -> Comparison:
    """Fit every requested model and rank them; see :func:`rank` for the parameters.

    ``progress(i, total, name)`` is called before each fit; ``bootstrap_seconds``
    bounds the time spent refitting bootstrap resamples.
    """
    unit = log_unit(base)
    _check_rank_by(emp, rank_by)
    if zero_policy not in ZERO_POLICIES:
        raise DataError(f"zero_policy must be one of {ZERO_POLICIES}; got {zero_policy!r}")
    if zero_policy == "epsilon" and not 0 < epsilon < 1:
        raise DataError(f"epsilon must be between 0 and 1 (exclusive); got {epsilon}")
    requests = named_requests(models)
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
    table = with_akaike_weights(pd.DataFrame(rows, columns=list(COLUMNS)))
    specs = request_specs(requests.values())
    if bootstrap:
        table = _with_bootstrap(table, emp, requests, fitted, bootstrap, seed, unit, zero_policy, epsilon, bootstrap_seconds)
    table = _sorted(table, rank_by)
    return Comparison(emp, table, fitted, base, zero_policy, epsilon, specs, rank_by)


def rank(
    emp: Empirical,
    models: Iterable[ModelRequest],
    base: float = 2,
    zero_policy: ZeroPolicy = "strict",
    epsilon: float = EPSILON,
    bootstrap: int = 0,
    seed: int = 0,
    rank_by: str = "kl",
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
    rank_by : {"kl", "aic", "bic"}
        The order: by KL (the log-likelihood, whatever the parameter count), or by AIC or
        BIC, which charge for parameters. AIC and BIC need counts (N).

    Returns
    -------
    DataFrame
        One row per model, best first (∞ after the finite ones, failed fits last, ties
        broken by fewer parameters), with the columns in :data:`COLUMNS`. N-dependent
        columns are NaN for probability input, where N is unknown. ``akaike_weight`` is
        exp(-ΔAIC/2) normalised over the models with a finite AIC (0 for ∞).

    Examples
    --------
    The worm teeth from the seeds (0..10 teeth, 100 worms):

    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> table = rank(teeth, ["uniform", "binomial"])
    >>> table[["model", "kl"]].round(5).values.tolist()
    [['uniform', 0.19719], ['binomial', 0.61654]]
    """
    return compare(emp, models, base, zero_policy, epsilon, bootstrap, seed, rank_by=rank_by).table


# ------------------------------------------------------------------ one model's row
def log_cells(emp: Empirical, model: FittedModel) -> tuple[np.ndarray, np.ndarray]:
    """Empirical probabilities and the model's log probabilities over the data's cells plus 'elsewhere'.

    The model side comes from :meth:`~kl_core.models.FittedModel.log_mass`, so a cell the
    model makes merely improbable keeps a finite log mass; ``-inf`` means excluded.

    Examples
    --------
    >>> emp = Empirical.from_counts([0, 2000], [1, 1])
    >>> from kl_core.models import fit
    >>> p, log_q = log_cells(emp, fit(emp, "poisson"))
    >>> p.tolist(), log_q.round(1).tolist()
    ([0.5, 0.5, 0.0], [-1000.0, -391.0, 0.0])
    """
    log_q = np.asarray(model.log_mass(emp), dtype=float)
    if np.any(np.isnan(log_q)):
        named = ", ".join(_cell_name(emp, i) for i in np.flatnonzero(np.isnan(log_q))[:_MAX_NAMED_VALUES])
        raise DataError(f"{model.label} gives no probability (NaN) to {named}")
    log_total = float(special.logsumexp(log_q)) if np.any(log_q > -np.inf) else -math.inf
    if log_total > math.log1p(_EXCESS_TOLERANCE):
        raise DataError(
            f"{model.label} puts total mass {math.exp(log_total):.6g} > 1 on the data's values; it is not a distribution"
        )
    outside = -math.expm1(log_total) if log_total < 0 else 0.0
    if outside < _OUTSIDE_TOLERANCE:
        outside = 0.0
    log_q = log_q - max(log_total, 0.0)  # a total a hair above 1 is rounding: scale it back
    with np.errstate(divide="ignore"):
        log_outside = math.log(outside) if outside > 0 else -math.inf
    return np.append(emp.probs, 0.0), np.append(log_q, log_outside)


def cells(emp: Empirical, model: FittedModel) -> tuple[np.ndarray, np.ndarray]:
    """Empirical and model probabilities over the data's cells plus the 'elsewhere' cell.

    The model's masses are ``exp`` of :func:`log_cells` (for plots and tables; the
    measures use the logs).

    Examples
    --------
    >>> emp = Empirical.from_counts([0, 1], [1, 1])
    >>> from kl_core.models import fit
    >>> p, q = cells(emp, fit(emp, "poisson", mu=1.0))
    >>> p.tolist(), q.round(4).tolist()
    ([0.5, 0.5, 0.0], [0.3679, 0.3679, 0.2642])
    """
    p, log_q = log_cells(emp, model)
    return p, np.exp(log_q)


def model_measures(
    emp: Empirical, model: FittedModel, base: float = 2, zero_policy: ZeroPolicy = "strict", epsilon: float = EPSILON
) -> dict[str, Any]:
    """Every column of a ranking row for one fitted model (all but ``model``).

    Every measure is computed from the model's log masses (:func:`log_cells`).

    Examples
    --------
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> from kl_core.models import fit
    >>> row = model_measures(teeth, fit(teeth, "uniform"))
    >>> round(row["kl"], 5), row["dof"]
    (0.19719, 10)
    """
    unit = log_unit(base)
    p, log_q = log_cells(emp, model)
    used = _used_cells(p, log_q)
    p, log_q = p[used], log_q[used]
    log_q_used = apply_zero_policy_log(log_q, zero_policy, epsilon)
    kl_nats = _kl_nats(p, log_q_used)
    entropy_nats = entropy(p, math.e)
    row = {
        "label": model.label,
        "params": dict(model.params),
        "n_params": int(model.n_params),
        "kl": kl_nats / unit,
        "reverse_kl": reverse_kl_log(p, log_q, math.e, zero_policy, epsilon) / unit,
        "js": js_divergence_log(p, log_q, base),
        "cross_entropy": (entropy_nats + kl_nats) / unit,
        "note": _note(emp, model, p, log_q, zero_policy, epsilon),
    }
    row.update(_likelihood_statistics(emp, model, p, log_q_used, kl_nats))
    row["kl_binned"] = math.nan
    if emp.kind == "binned":  # continuous data: kl is the bin-free D̂, the binned KL moves to kl_binned
        from kl_core.continuous_kl import continuous_row  # the continuous models' code: loaded for continuous data only

        row.update(continuous_row(emp, model, row, unit))
    return row


def _kl_nats(p: np.ndarray, log_q: np.ndarray) -> float:
    """Σ p (log p - log q) in nats, ≥ 0 (the sum may round a hair below 0 for identical inputs)."""
    return max(float(kl_contributions_log(p, log_q, math.e).sum()), 0.0)


def _used_cells(p: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    """Cells where the data or the model has mass (the elsewhere cell only when q > 0)."""
    return (p > 0) | (log_q > -np.inf) | (np.arange(p.size) < p.size - 1)


def sample_size(emp: Empirical) -> float | None:
    """N for the N-dependent statistics: the counts' sum, or None when unknown or below one observation.

    Counts summing to less than 1 (weights such as 1e-300 and 3e-300) are read as proportions:
    a log-likelihood, AIC or G-test from "4e-300 observations" would look decisive and mean nothing.

    Examples
    --------
    >>> sample_size(Empirical.from_counts([0, 1], [3, 1])), sample_size(Empirical.from_counts([0, 1], [1e-300, 3e-300]))
    (4.0, None)
    """
    return emp.n if emp.n is not None and emp.n >= 1 else None


def _likelihood_statistics(
    emp: Empirical, model: FittedModel, p: np.ndarray, log_q_used: np.ndarray, kl_nats: float
) -> dict[str, Any]:
    cell_count = int(np.count_nonzero((p > 0) | (log_q_used > -np.inf)))
    dof = cell_count - 1 - model.n_params
    n = sample_size(emp)
    if n is None:
        return {"loglik": math.nan, "aic": math.nan, "bic": math.nan, "g_stat": math.nan, "dof": dof, "p_value": math.nan}
    # log L = Σ n p log q, summed directly from the log masses (exact to rounding, ∞ only for a true zero).
    observed = p > 0
    loglik = float(n * np.dot(p[observed], log_q_used[observed]))
    m = model.n_params
    g_stat = 2 * n * kl_nats
    p_value = float(stats.chi2.sf(g_stat, dof)) if dof >= 1 and math.isfinite(g_stat) else (0.0 if dof >= 1 else math.nan)
    return {
        "loglik": loglik,
        "aic": 2 * m - 2 * loglik,
        "bic": m * math.log(n) - 2 * loglik,
        "g_stat": g_stat,
        "dof": dof,
        "p_value": p_value,
    }


def _note(emp: Empirical, model: FittedModel, p: np.ndarray, log_q: np.ndarray, zero_policy: str, epsilon: float) -> str:
    parts = [model.note] if model.note else []
    zero_cells = np.flatnonzero((log_q == -np.inf) & (p > 0))
    if zero_cells.size:
        named = ", ".join(_cell_name(emp, i) for i in zero_cells[:_MAX_NAMED_VALUES])
        more = f" and {zero_cells.size - _MAX_NAMED_VALUES} more" if zero_cells.size > _MAX_NAMED_VALUES else ""
        if zero_policy == "strict":
            were = "which were" if zero_cells.size > 1 else "which was"
            parts.append(f"∞: {model.label} gives 0 probability to {named}{more}, {were} observed")
        else:
            parts.append(f"finite only through the ε-floor (ε={epsilon:g}): {model.label} gives 0 probability to {named}{more}")
    elif zero_policy == "epsilon":
        parts.append(f"ε-floor (ε={epsilon:g}) applied")
    if emp.n is None:
        parts.append("probability input: N unknown, so log-likelihood, AIC, BIC and the G-test are not available")
    elif sample_size(emp) is None:
        parts.append(
            f"the counts sum to {emp.n:.3g}, less than one observation: read as proportions, so log-likelihood, AIC, "
            "BIC and the G-test are not available"
        )
    return "; ".join(parts)


def _cell_name(emp: Empirical, index: int) -> str:
    if emp.kind == "binned":
        return f"the bin [{emp.edges[index]:.4g}, {emp.edges[index + 1]:.4g})"
    value = emp.support[index]
    return repr(value) if emp.kind == "categorical" else f"{value:g}"


# --------------------------------------------------------------------- requests
def named_requests(models: Iterable[ModelRequest]) -> dict[str, ModelRequest]:
    """Key each request by a unique name: the model name, suffixed ``#2``, ``#3``… when repeated.

    These keys name the rows of :func:`compare`'s table and its fitted models.

    Examples
    --------
    >>> list(named_requests(["uniform", ("uniform", {"over": "observed"}), "binomial"]))
    ['uniform', 'uniform#2', 'binomial']
    """
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


def request_specs(models: Iterable[ModelRequest]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each named request (see :func:`named_requests`) that is not already fitted, as ``(name, options)``.

    Examples
    --------
    >>> request_specs(["uniform", ("binomial", {"n": 10})])
    {'uniform': ('uniform', {}), 'binomial': ('binomial', {'n': 10})}
    """
    return {key: _as_spec(request) for key, request in named_requests(models).items() if not isinstance(request, FittedModel)}


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
        # A family whose support leaves out observed values is ranked, with KL = ∞ and the values named.
        excluding = fit_within_support(emp, name, **options)
        return (excluding, "") if excluding is not None else (None, f"not applicable: {error}")
    except Exception as error:  # noqa: BLE001 - a failed fit is a row with its reason, never a crash
        return None, f"fit failed: {error or type(error).__name__}"


def _failed_row(key: str, request: ModelRequest, reason: str) -> dict[str, Any]:
    row = {column: math.nan for column in COLUMNS}
    row.update({"model": key, "label": key, "params": {}, "n_params": 0, "dof": math.nan, "note": reason})
    return row


def _check_rank_by(emp: Empirical, rank_by: str) -> None:
    if rank_by not in RANK_BY:
        raise DataError(f"rank_by must be one of {', '.join(RANK_BY)}; got {rank_by!r}")
    if rank_by != "kl" and sample_size(emp) is None:
        raise DataError(f"ranking by {rank_by.upper()} needs counts (N observations); this data has none. Rank by kl instead.")


def ranked_by(table: pd.DataFrame, rank_by: str = "kl") -> pd.DataFrame:
    """``table`` reordered by ``rank_by`` (one of :data:`RANK_BY`), as :func:`rank` would order it.

    Failed fits and infinite KLs stay last; ties keep the model with fewer parameters first.
    Reordering a finished ranking refits nothing (the app switches the order this way).

    Examples
    --------
    >>> frame = pd.DataFrame({"model": ["a", "b"], "kl": [0.10, 0.12], "aic": [210.0, 204.0], "bic": [215.0, 206.0],
    ...                       "n_params": [3, 1]})
    >>> ranked_by(frame, "kl")["model"].tolist(), ranked_by(frame, "aic")["model"].tolist()
    (['a', 'b'], ['b', 'a'])
    """
    if rank_by not in RANK_BY:
        raise DataError(f"rank_by must be one of {', '.join(RANK_BY)}; got {rank_by!r}")
    return _sorted(table, rank_by)


def _sorted(table: pd.DataFrame, rank_by: str = "kl") -> pd.DataFrame:
    key = table[rank_by].astype(float)
    order = table.assign(
        _failed=table["kl"].isna(), _infinite=np.isinf(table["kl"].astype(float)), _key=key.fillna(np.inf)
    ).sort_values(["_failed", "_infinite", "_key", "n_params"], kind="stable")
    return table.loc[order.index].reset_index(drop=True)


def with_akaike_weights(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``akaike_weight`` = exp(-ΔAIC/2) / Σ exp(-ΔAIC/2) over the rows with a finite AIC.

    Rows with an infinite AIC (a model that excludes observed values) weigh 0; rows without
    an AIC (a failed fit, or probability input) have NaN.

    Examples
    --------
    >>> frame = pd.DataFrame({"aic": [10.0, 12.0, float("inf"), float("nan")]})
    >>> with_akaike_weights(frame)["akaike_weight"].round(4).tolist()
    [0.7311, 0.2689, 0.0, nan]
    """
    aic = table["aic"].astype(float).to_numpy() if len(table) else np.array([], dtype=float)
    finite = np.isfinite(aic)
    weights = np.where(np.isinf(aic), 0.0, np.nan)
    if finite.any():
        relative = -(aic[finite] - aic[finite].min()) / 2
        weights[finite] = np.exp(relative - special.logsumexp(relative))
    return table.assign(akaike_weight=weights)


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
    epsilon: float = EPSILON,
    seconds: float = 30.0,
) -> np.ndarray:
    """KL in nats of each fitted model (columns, in ``fitted`` order) on each resample (rows).

    Each resample draws N observations from the empirical distribution (a multinomial
    on the counts) and refits every model given by name; ready-made models stay fixed.
    Stops early, returning the rows finished, when ``seconds`` run out.
    """
    deadline = time.perf_counter() + seconds
    rows = []
    for resample in bootstrap_resamples(emp, resamples, seed):
        if time.perf_counter() > deadline:
            break
        rows.append([_resample_kl(resample, requests[name], model, zero_policy, epsilon) for name, model in fitted.items()])
    return np.array(rows, dtype=float).reshape(len(rows), len(fitted))


def bootstrap_resamples(emp: Empirical, resamples: int, seed: int = 0) -> Iterator[Empirical]:
    """``resamples`` bootstrap copies of counted data: N observations drawn from it (a multinomial on the counts).

    Examples
    --------
    >>> emp = Empirical.from_counts([0, 1, 2], [5, 3, 2])
    >>> [resample.total for resample in bootstrap_resamples(emp, 3, seed=1)]
    [10.0, 10.0, 10.0]
    """
    rng = np.random.default_rng(seed)
    total = int(round(emp.n))
    if emp.kind == "binned" and emp.sketch is not None:  # resample the raw values (drawn one at a time: 2M cells)
        weights = emp.sketch.counts / emp.sketch.total
        return (emp.with_sketch_counts(rng.multinomial(total, weights).astype(float)) for _ in range(resamples))
    draws = rng.multinomial(total, emp.probs, size=resamples).astype(float)
    return (emp.with_counts(counts) for counts in draws)


def _resample_kl(resample: Empirical, request: ModelRequest, model: FittedModel, zero_policy: str, epsilon: float) -> float:
    if not isinstance(request, FittedModel):
        refitted, _ = _fit_request(resample, request)
        model = refitted if refitted is not None else model
    if resample.kind == "binned" and resample.sketch is not None:
        from kl_core.continuous_kl import continuous_kl

        return continuous_kl(resample, model)
    p, log_q = log_cells(resample, model)
    return _kl_nats(p, apply_zero_policy_log(log_q, zero_policy, epsilon))


# ------------------------------------------------------------- reading a ranking
def verdict(table: pd.DataFrame, base: float = 2) -> str:
    """One sentence a person can read off the ranking, claiming no more than the data support.

    Models whose log-likelihoods differ by less than the noise (ΔAIC < 2, or a bootstrap
    winner frequency below 0.8) are called indistinguishable and the simpler one is named;
    when even the best model is rejected by the G-test at 5 %, the sentence says so.

    Examples
    --------
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> print(verdict(rank(teeth, ["uniform", "binomial"])))
    Uniform loses 0.197 bits per observation, binomial 0.617: the uniform model keeps the most information, with fewer parameters. But even uniform is rejected by the G-test at 5 % (p = 0.0023): no model here describes the data well.
    >>> coin = Empirical.from_counts([0, 1], [51, 49])
    >>> print(verdict(rank(coin, ["uniform", "bernoulli"])))
    Bernoulli loses 0 bits per observation, uniform 0.000289: the two are indistinguishable on this data (ΔAIC = 1.96 < 2), so take the simpler uniform (0 parameters).
    """
    unit = bits_or_nats(base)
    finite = table[np.isfinite(table["kl"].astype(float))]
    if finite.empty:
        return "No model gives every observed value a positive probability, so every KL divergence is infinite; see the notes."
    best = finite.iloc[0]
    best_name = display_name(best)
    lead = f"{best_name[0].upper()}{best_name[1:]} loses {best['kl']:.3g} {unit} per observation"
    if len(finite) == 1:
        return f"{lead}; it is the only model with a finite KL divergence.{_rejection(best)}"
    second = finite.iloc[1]
    lead = f"{lead}, {display_name(second)} {second['kl']:.3g}"
    tied, why = _indistinguishable(finite)
    if len(tied) > 1:
        simplest = min(tied, key=lambda row: int(row["n_params"]))  # min keeps the first (best-fitting) on a tie
        count = int(simplest["n_params"])
        names = _joined([display_name(row) for row in tied])
        who = "the two are" if len(tied) == 2 and display_name(tied[1]) == display_name(second) else f"{names} are"
        return (f"{lead}: {who} indistinguishable on this data ({why}), so take the simpler {display_name(simplest)} "
                f"({count} parameter{'' if count == 1 else 's'}).{_rejection(best)}")
    parameters = _parameter_comparison(int(best["n_params"]), int(second["n_params"]))
    subject = best_name if best_name.startswith(("your ", "second dataset")) else f"the {best_name} model"
    return f"{lead}: {subject} keeps the most information{parameters}.{_rejection(best)}"


def _indistinguishable(finite: pd.DataFrame) -> tuple[list[pd.Series], str]:
    """The best row and every row the data cannot tell from it, with the reason in words."""
    best = finite.iloc[0]
    rows = [row for _, row in finite.iterrows()]
    tied = [best]
    reasons = []
    best_aic = float(best["aic"])
    if math.isfinite(best_aic):
        close = [row for row in rows[1:] if abs(float(row["aic"]) - best_aic) < AIC_NOISE]
        if close:
            gap = abs(float(close[0]["aic"]) - best_aic)
            reasons.append(f"ΔAIC = {gap:.2f} < {AIC_NOISE:g}")
            tied += close
    p_best = float(best.get("p_best", math.nan)) if "p_best" in finite.columns else math.nan
    if math.isfinite(p_best) and p_best < P_BEST_CLEAR:
        reasons.append(f"it wins only {p_best:.0%} of bootstrap resamples")
        tied += [row for row in rows[1:] if float(row.get("p_best", 0.0) or 0.0) > 0 and not any(row is t for t in tied)]
    return tied, "; ".join(reasons)


def _rejection(best: pd.Series) -> str:
    p_value = float(best.get("p_value", math.nan))
    if not math.isfinite(p_value) or p_value >= G_TEST_LEVEL:
        return ""
    shown = f"{p_value:.2g}" if p_value >= 1e-4 else "< 0.0001"
    equals = "" if shown.startswith("<") else "= "
    return (f" But even {display_name(best)} is rejected by the G-test at 5 % (p {equals}{shown}): "
            "no model here describes the data well.")


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


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


def sweep_grid(emp: Empirical, parameter: str, value: float, points: int) -> np.ndarray:
    """Values of ``parameter`` to try around its fitted ``value`` (for :func:`kl_sweep`).

    ±0.3 inside (0, 1) for a probability, a third to twice a positive value, ±2 standard
    deviations of the data for a location.

    Examples
    --------
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> sweep_grid(teeth, "p", 0.5, 3).tolist(), sweep_grid(teeth, "mu", 6.0, 3).tolist()
    ([0.2, 0.5, 0.8], [2.0, 7.0, 12.0])
    """
    if parameter.startswith("p") and 0 < value < 1:
        return np.linspace(max(0.005, value - 0.3), min(0.995, value + 0.3), points)
    if value > 0 and parameter != "loc":
        return np.linspace(value / 3, value * 2, points)
    spread = math.sqrt(emp.var()) if emp.is_numeric and emp.var() > 0 else max(abs(value), 1.0)
    return np.linspace(value - 2 * spread, value + 2 * spread, points)


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
            p, log_q = log_cells(emp, model)
            kl = _kl_nats(p, log_q) / unit
        except DataError:
            kl = math.nan
        rows.append({"value": float(value), "kl": kl})
    return pd.DataFrame(rows)
