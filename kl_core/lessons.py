"""The numbers and figures of the Learn page, computed with kl_core's own measures.

Four lessons, in the order the ideas build (pure: no Streamlit, nothing hard-coded):

1. :func:`entropy_lesson`: entropy as the bits per message an ideal code needs (the
   astronaut's planet temperatures: 2.32 bits instead of a 3-bit fixed-length code).
2. :func:`coding_lesson`: cross-entropy H(P, Q) = H(P) + D_KL(P‖Q): coding with the
   wrong distribution costs D_KL extra bits per message.
3. :func:`coin_lesson`: the average log-likelihood ratio of a flip sequence,
   (1/N)·log[P(seq)/Q(seq)], tends to D_KL(P‖Q) as N grows.
4. :func:`worm_lesson`: the worm teeth, uniform against binomial, and KL as a function
   of the binomial's p (smallest at the maximum-likelihood p = 0.544).
5. :func:`faithful_lesson`: Old Faithful's eruptions have two peaks; one normal against a
   mixture of two normal groups, and the bits per eruption the mixture saves (0.77).

Sources of the stories and numbers: the planet temperature levels and the worm-teeth
counts are the seeds of this project (``kl_core.samples``), after the worked example in
Will Kurt's "Kullback–Leibler Divergence Explained" (Count Bayesie, 2017); the coin
argument is the law of large numbers applied to the log-likelihood ratio (Cover &
Thomas, *Elements of Information Theory*, 2nd ed., §11.1 and §11.8).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kl_core.empirical import Empirical
from kl_core.vocabulary import bits_or_nats
from kl_core.measures import cross_entropy, entropy, kl_contributions, kl_divergence, log_unit
from kl_core.models import FittedModel, fit
from kl_core.plots import EMPIRICAL_COLOR, PALETTE, TEMPLATE, plain_text
from kl_core.ranking import kl_sweep, model_measures
from kl_core.samples import PLANET_PROBABILITIES, PLANET_TEMPERATURES, WORM_COUNTS, WORM_TEETH

__all__ = [
    "CoinLesson", "CodingLesson", "EntropyLesson", "FAITHFUL_ERUPTIONS", "FaithfulLesson", "MODEL_CHOICES", "WormLesson", "binomial_variance",
    "coding_figure", "coding_lesson", "coin_figure", "coin_flips", "coin_kl", "coin_lesson", "entropy_figure", "evidence_bits",
    "entropy_lesson", "fixed_length_bits", "huffman_lengths", "model_distribution", "reshape", "running_llr",
    "worm_empirical", "worm_figure", "worm_kl_at", "worm_lesson", "worm_models_figure", "faithful_figure", "faithful_lesson",
]

_HEIGHT = 380
_MARGIN = {"l": 60, "r": 20, "t": 60, "b": 50}
WORM_P_RANGE = (0.25, 0.85)  # beyond this the binomial's KL dwarfs the interesting part


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = _HEIGHT) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE, title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        xaxis_title=x_title, yaxis_title=y_title, height=height, margin=_MARGIN,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    )
    return fig


# ------------------------------------------------------------- 1. entropy as bits
def fixed_length_bits(levels: int) -> int:
    """Bits per message of a fixed-length code for ``levels`` different messages: ⌈log2 levels⌉.

    Examples
    --------
    >>> fixed_length_bits(8), fixed_length_bits(9), fixed_length_bits(1)
    (3, 4, 0)
    """
    if levels < 1:
        raise ValueError("a code needs at least one message")
    return int(math.ceil(math.log2(levels))) if levels > 1 else 0


def reshape(weights: Sequence[float], peakedness: float = 1.0) -> np.ndarray:
    """``weights ** peakedness``, normalised: 0 flattens to uniform, 1 keeps the shape, >1 sharpens.

    Levels with weight 0 stay impossible (unless ``peakedness`` is 0, which makes every
    level equally likely).

    Examples
    --------
    >>> reshape([0.30, 0.40, 0.30], 0).round(4).tolist()
    [0.3333, 0.3333, 0.3333]
    >>> reshape([1, 3], 1).tolist()
    [0.25, 0.75]
    """
    array = np.asarray(weights, dtype=float)
    if array.ndim != 1 or array.size == 0 or np.any(array < 0) or not np.all(np.isfinite(array)):
        raise ValueError("weights must be finite numbers ≥ 0")
    if peakedness < 0:
        raise ValueError("peakedness must be ≥ 0")
    if peakedness == 0:
        return np.full(array.size, 1.0 / array.size)
    if not np.any(array > 0):
        raise ValueError("at least one weight must be positive")
    # Work with logs so a large peakedness cannot overflow or underflow to all zeros.
    with np.errstate(divide="ignore"):
        logs = np.where(array > 0, peakedness * np.log(np.where(array > 0, array, 1.0)), -np.inf)
    shaped = np.exp(logs - logs.max())
    return shaped / shaped.sum()


def huffman_lengths(probs: Sequence[float]) -> np.ndarray:
    """Codeword lengths of a Huffman code: the best real prefix code, one whole bit at a time.

    Its average length L satisfies H ≤ L < H + 1 (levels with probability 0 get no codeword).

    Examples
    --------
    >>> huffman_lengths([0.5, 0.25, 0.25]).tolist()
    [1, 2, 2]
    """
    p = np.asarray(probs, dtype=float)
    used = np.flatnonzero(p > 0)
    lengths = np.zeros(p.size, dtype=int)
    if used.size <= 1:
        lengths[used] = 1 if used.size else 0
        return lengths
    heap = [(float(p[i]), int(i), [int(i)]) for i in used]  # (mass, tie-break, members)
    heapq.heapify(heap)
    while len(heap) > 1:
        mass_a, tie_a, members_a = heapq.heappop(heap)
        mass_b, tie_b, members_b = heapq.heappop(heap)
        for member in members_a + members_b:
            lengths[member] += 1
        heapq.heappush(heap, (mass_a + mass_b, min(tie_a, tie_b), members_a + members_b))
    return lengths


class _InUnits:
    """A lesson's ``unit`` ('bits' or 'nats') from its log ``base``."""

    base: float

    @property
    def unit(self) -> str:
        return bits_or_nats(self.base)


@dataclass(frozen=True)
class EntropyLesson:
    """Lesson 1's numbers for a distribution over message levels."""

    levels: tuple[float, ...]
    probs: np.ndarray
    entropy: float  # bits per message, the ideal code
    fixed_bits: int  # bits per message of the fixed-length code
    waste: float  # fixed_bits - entropy
    messages: int
    ideal_total: float  # messages * entropy
    fixed_total: int  # messages * fixed_bits
    huffman: np.ndarray  # codeword length per level
    huffman_average: float  # average bits per message with the Huffman code


def entropy_lesson(
    probs: Sequence[float] = PLANET_PROBABILITIES, levels: Sequence[float] = PLANET_TEMPERATURES, messages: int = 10
) -> EntropyLesson:
    """Entropy of the levels' distribution against a fixed-length code, for ``messages`` messages.

    Examples
    --------
    The astronaut's eight temperature levels:

    >>> lesson = entropy_lesson()
    >>> round(lesson.entropy, 4), lesson.fixed_bits, round(lesson.waste, 2), round(lesson.ideal_total, 1)
    (2.3231, 3, 0.68, 23.2)
    """
    p = np.asarray(probs, dtype=float)
    p = p / p.sum()
    h = entropy(p, 2)
    fixed = fixed_length_bits(len(p))
    huffman = huffman_lengths(p)
    return EntropyLesson(
        levels=tuple(float(v) for v in levels), probs=p, entropy=h, fixed_bits=fixed, waste=fixed - h,
        messages=int(messages), ideal_total=messages * h, fixed_total=messages * fixed,
        huffman=huffman, huffman_average=float(np.dot(p, huffman)),
    )


def entropy_figure(lesson: EntropyLesson) -> go.Figure:
    """Bars of the levels' probabilities, each labelled with its ideal code length −log2 p."""
    levels = [f"{v:g}" for v in lesson.levels]
    with np.errstate(divide="ignore"):
        ideal = -np.log2(lesson.probs)
    text = [f"{p:.0%}" if p > 0 else "0" for p in lesson.probs]
    custom = np.column_stack([np.where(np.isfinite(ideal), ideal, np.nan), lesson.huffman]).astype(float)
    fig = go.Figure(go.Bar(
        x=levels, y=lesson.probs, marker_color=EMPIRICAL_COLOR, text=text, textposition="outside", cliponaxis=False,
        customdata=custom, name="probability",
        hovertemplate="level %{x}<br>probability %{y:.3f}<br>ideal code length %{customdata[0]:.2f} bits"
                      "<br>Huffman codeword %{customdata[1]} bits<extra></extra>",
    ))
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, max(0.5, float(lesson.probs.max()) * 1.2)], tickformat=".0%")
    return _layout(fig, f"H = {lesson.entropy:.3f} bits per message (a fixed-length code uses {lesson.fixed_bits})",
                   "temperature level", "probability")


# ------------------------------------------------------------ 2. cross-entropy
MODEL_CHOICES: tuple[str, ...] = ("uniform", "reshaped", "shuffled")  # the Learn page words them


def model_distribution(choice: str, p: Sequence[float], confidence: float = 1.0, shift: int = 1) -> np.ndarray:
    """A model Q for lesson 2: ``uniform``; ``reshaped`` (P to the power ``confidence``); ``shuffled``.

    ``shuffled`` rolls P's probabilities ``shift`` levels along (the code is built for the
    right numbers, attached to the wrong levels).

    Examples
    --------
    >>> model_distribution("shuffled", [0.5, 0.3, 0.2]).tolist()
    [0.2, 0.5, 0.3]
    """
    p_array = np.asarray(p, dtype=float)
    if choice == "uniform":
        return np.full(p_array.size, 1.0 / p_array.size)
    if choice == "reshaped":
        return reshape(p_array, confidence)
    if choice == "shuffled":
        return np.roll(p_array, shift)
    raise ValueError(f"choice must be one of {tuple(MODEL_CHOICES)}; got {choice!r}")


@dataclass(frozen=True)
class CodingLesson(_InUnits):
    """Lesson 2's numbers: H(P), H(P, Q) and their difference D_KL(P‖Q), in the unit of ``base``."""

    p: np.ndarray
    q: np.ndarray
    entropy: float
    cross_entropy: float
    kl: float
    base: float


def coding_lesson(p: Sequence[float], q: Sequence[float], base: float = 2) -> CodingLesson:
    """Cost of coding data from P with a code built for Q.

    Examples
    --------
    Coding the planet temperatures with the uniform (3-bit) code wastes D_KL = 3 − 2.32 bits:

    >>> lesson = coding_lesson(PLANET_PROBABILITIES, model_distribution("uniform", PLANET_PROBABILITIES))
    >>> round(lesson.entropy, 4), round(lesson.cross_entropy, 4), round(lesson.kl, 4)
    (2.3231, 3.0, 0.6769)
    """
    p_array = np.asarray(p, dtype=float)
    q_array = np.asarray(q, dtype=float)
    return CodingLesson(
        p=p_array, q=q_array, entropy=entropy(p_array, base), cross_entropy=cross_entropy(p_array, q_array, base),
        kl=kl_divergence(p_array, q_array, base), base=base,
    )


def coding_figure(lesson: CodingLesson, levels: Sequence[float] = PLANET_TEMPERATURES) -> go.Figure:
    """Left: P and Q over the levels. Right: one stacked bar, H(P) + D_KL(P‖Q) = H(P, Q)."""
    from plotly.subplots import make_subplots

    unit = lesson.unit
    fig = make_subplots(rows=1, cols=2, column_widths=[0.68, 0.32], horizontal_spacing=0.12,
                        subplot_titles=("The truth P and the model Q", f"Cost per message ({unit})"))
    names = [f"{v:g}" for v in levels]
    fig.add_trace(go.Bar(x=names, y=lesson.p, name="P (true)", marker_color=EMPIRICAL_COLOR,
                         hovertemplate="level %{x}<br>P = %{y:.3f}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Bar(x=names, y=lesson.q, name="Q (model)", marker_color=PALETTE[0],
                         hovertemplate="level %{x}<br>Q = %{y:.3f}<extra></extra>"), row=1, col=1)
    column = ["coding with Q"]
    fig.add_trace(go.Bar(x=column, y=[lesson.entropy], name="H(P): unavoidable", marker_color="#9E9E9E",
                         text=[f"H(P) {lesson.entropy:.3f}"], textposition="inside",
                         hovertemplate=f"H(P) = %{{y:.4f}} {unit}<extra></extra>"), row=1, col=2)
    if math.isfinite(lesson.kl):
        fig.add_trace(go.Bar(x=column, y=[lesson.kl], base=[lesson.entropy], name="D_KL(P‖Q): the extra cost",
                             marker_color=PALETTE[3],
                             text=[f"KL {lesson.kl:.3f}"], textposition="inside",
                             hovertemplate=f"D_KL = %{{y:.4f}} {unit}<extra></extra>"), row=1, col=2)
        fig.add_annotation(x=column[0], y=lesson.cross_entropy, text=f"H(P,Q) = {lesson.cross_entropy:.3f}",
                           showarrow=False, yshift=12, row=1, col=2)
    else:
        fig.add_annotation(x=column[0], y=lesson.entropy, text="+ ∞: Q says a level is impossible", showarrow=False,
                           yshift=14, row=1, col=2)
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category", row=1, col=1)
    fig.update_xaxes(title_text="temperature level", row=1, col=1)
    fig.update_yaxes(title_text="probability", tickformat=".0%", row=1, col=1)
    fig.update_yaxes(title_text=unit, row=1, col=2)
    fig.update_traces(selector={"xaxis": "x2"}, offsetgroup="cost")
    top = lesson.cross_entropy if math.isfinite(lesson.cross_entropy) else lesson.entropy
    fig.update_yaxes(range=[0, max(top * 1.2, 0.5)], row=1, col=2)
    fig = _layout(fig, "", "", "", height=420)
    fig.update_layout(margin={**_MARGIN, "t": 70}, legend={"y": 1.12})
    return fig


# ---------------------------------------------------------------------- 3. coins
def coin_kl(p: float, q: float, base: float = 2) -> float:
    """D_KL between two coins with P(heads) = ``p`` and ``q``.

    Examples
    --------
    >>> round(coin_kl(0.5, 0.25), 4)
    0.2075
    """
    return kl_divergence(np.array([p, 1 - p]), np.array([q, 1 - q]), base)


def evidence_bits(kl: float, base: float = 2, flips: int = 100) -> float:
    """Bits of evidence that ``flips`` flips typically give for P over Q, at D_KL(P‖Q) = ``kl`` per flip.

    The data are then about 2 to this power times more probable under P than under Q.

    Examples
    --------
    >>> round(evidence_bits(coin_kl(0.5, 0.6)), 2)
    2.94
    >>> evidence_bits(math.log(2), math.e, flips=10)
    10.0
    """
    return flips * kl / math.log(2, base)


def coin_flips(p: float, n: int, seed: int) -> np.ndarray:
    """``n`` flips of a coin with P(heads) = ``p`` (True = heads), from numpy's default generator.

    Examples
    --------
    >>> flips = coin_flips(0.5, 1000, seed=1)
    >>> flips.shape, bool((flips == coin_flips(0.5, 1000, seed=1)).all()), 400 < int(flips.sum()) < 600
    ((1000,), True, True)
    """
    if not 0 <= p <= 1:
        raise ValueError("p must be a probability")
    return np.random.default_rng(seed).random(int(n)) < p


def running_llr(flips: np.ndarray, p: float, q: float, base: float = 2) -> np.ndarray:
    """(1/N)·log[P(first N flips)/Q(first N flips)] for N = 1..len(flips), in the unit of ``base``.

    Each flip adds log(p/q) (heads) or log((1−p)/(1−q)) (tails); the mean of those terms
    tends to their expectation under P, which is D_KL(P‖Q).

    Examples
    --------
    >>> running_llr(np.array([True, False]), 0.5, 0.25).round(4).tolist()
    [1.0, 0.2075]
    """
    unit = log_unit(base)
    heads_term = math.log(p / q) / unit if p > 0 else 0.0
    tails_term = math.log((1 - p) / (1 - q)) / unit if p < 1 else 0.0
    terms = np.where(np.asarray(flips, dtype=bool), heads_term, tails_term)
    return np.cumsum(terms) / np.arange(1, terms.size + 1)


@dataclass(frozen=True)
class CoinLesson(_InUnits):
    """Lesson 3: the flips, the running average log-likelihood ratio, and the KL it tends to."""

    p: float
    q: float
    seed: int
    flips: np.ndarray
    path: pd.DataFrame  # columns N, llr at log-spaced N (for plotting)
    kl: float
    final: float  # the average log-likelihood ratio after all flips
    base: float

    @property
    def heads(self) -> int:
        return int(self.flips.sum())


def coin_lesson(p: float, q: float, n: int = 10_000, seed: int = 0, base: float = 2, points: int = 400) -> CoinLesson:
    """Flip coin P ``n`` times and follow the average log-likelihood ratio of P against Q.

    Examples
    --------
    >>> lesson = coin_lesson(0.7, 0.5, n=100_000, seed=42)
    >>> round(lesson.kl, 4), abs(lesson.final - lesson.kl) < 0.01
    (0.1187, True)
    """
    if not (0 < q < 1):
        raise ValueError("q must be strictly between 0 and 1 (a coin that never shows a face makes the ratio infinite)")
    flips = coin_flips(p, n, seed)
    llr = running_llr(flips, p, q, base)
    at = np.unique(np.geomspace(1, n, num=min(points, n)).round().astype(int))
    path = pd.DataFrame({"N": at, "llr": llr[at - 1]})
    return CoinLesson(p=p, q=q, seed=seed, flips=flips, path=path, kl=coin_kl(p, q, base),
                      final=float(llr[-1]), base=base)


def coin_figure(lesson: CoinLesson) -> go.Figure:
    """The running average log-likelihood ratio against N (log axis), with D_KL as a line."""
    unit = lesson.unit
    fig = go.Figure(go.Scatter(
        x=lesson.path["N"], y=lesson.path["llr"], mode="lines", name="(1/N)·log P(seq)/Q(seq)",
        line={"color": PALETTE[0], "width": 2},
        hovertemplate=f"after %{{x:,}} flips<br>%{{y:.4f}} {unit} per flip<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=[lesson.path["N"].iloc[0], lesson.path["N"].iloc[-1]], y=[lesson.kl, lesson.kl], mode="lines",
        name=f"D_KL(P‖Q) = {lesson.kl:.4f} {unit}", line={"color": PALETTE[3], "width": 2, "dash": "dash"},
        hoverinfo="skip",
    ))
    path = lesson.path["llr"].to_numpy()
    low = min(float(path.min()), lesson.kl, 0.0)
    high = max(float(path.max()), lesson.kl)
    pad = max(0.08 * (high - low), 0.02)
    fig.update_xaxes(type="log")
    fig.update_yaxes(range=[low - pad, high + pad], zeroline=True, zerolinecolor="#BDBDBD")
    return _layout(fig, f"Coin P (heads {lesson.p:.2f}) against coin Q (heads {lesson.q:.2f})",
                   "number of flips N (log scale)", f"{unit} per flip")


# ----------------------------------------------------------------- 4. worm teeth
def worm_empirical() -> Empirical:
    """The 100 worms: teeth 0..10 with their counts (the project's seed data).

    Examples
    --------
    >>> worm_empirical().n
    100.0
    """
    return Empirical.from_counts(WORM_TEETH, WORM_COUNTS, name="Worm teeth")


def binomial_variance(n: int, p: float) -> float:
    """n·p·(1−p): never more than n/4, reached at p = 1/2.

    Examples
    --------
    >>> binomial_variance(10, 0.5)
    2.5
    """
    return n * p * (1 - p)


def worm_kl_at(p: float, emp: Empirical | None = None, base: float = 2) -> float:
    """D_KL(teeth ‖ binomial(10, p)).

    Examples
    --------
    >>> round(worm_kl_at(0.5), 4)
    0.6725
    """
    emp = emp or worm_empirical()
    return float(model_measures(emp, fit(emp, "binomial", n=10, p=float(p)), base)["kl"])


@dataclass(frozen=True)
class WormLesson(_InUnits):
    """Lesson 4: uniform against binomial on the worm teeth, and KL along the binomial's p."""

    emp: Empirical
    sweep: pd.DataFrame  # value (p), kl
    p_mle: float
    binomial_kl: float  # at p_mle
    uniform_kl: float
    p_chosen: float
    chosen_kl: float
    data_variance: float
    binomial_variance: float  # at p_mle
    max_binomial_variance: float  # n/4
    uniform_variance: float  # discrete uniform on 0..10
    binomial_terms: np.ndarray  # p·log(p/q) per number of teeth, binomial at p_mle
    base: float

    def largest_terms(self, count: int = 2) -> list[tuple[int, float]]:
        """(teeth, KL term) of the binomial's ``count`` largest terms: where it loses the most."""
        order = np.argsort(self.binomial_terms)[::-1][:count]
        return [(int(self.emp.support[i]), float(self.binomial_terms[i])) for i in order]

    @property
    def sweep_min_p(self) -> float:
        """Where the sweep's KL is smallest (a grid point)."""
        return float(self.sweep["value"].iloc[int(self.sweep["kl"].idxmin())])


def worm_lesson(p_chosen: float | None = None, base: float = 2, grid: int = 121) -> WormLesson:
    """The worm-teeth numbers: KL of uniform and binomial, KL against p, and the variances.

    Examples
    --------
    >>> lesson = worm_lesson()
    >>> round(lesson.uniform_kl, 3), round(lesson.binomial_kl, 3), lesson.p_mle, round(lesson.sweep_min_p, 3)
    (0.197, 0.617, 0.544, 0.544)
    >>> round(lesson.data_variance, 2), round(lesson.binomial_variance, 2), lesson.max_binomial_variance
    (6.33, 2.48, 2.5)
    """
    emp = worm_empirical()
    n = int(emp.high)
    binomial = fit(emp, "binomial", n=n)
    p_mle = float(binomial.params["p"])
    uniform = fit(emp, "uniform")
    values = np.union1d(np.linspace(*WORM_P_RANGE, grid), [p_mle])
    sweep = kl_sweep(emp, "binomial", "p", values, base, n=n)
    chosen = p_mle if p_chosen is None else float(p_chosen)
    low, high = float(emp.low), float(emp.high)
    return WormLesson(
        emp=emp, sweep=sweep, p_mle=p_mle, binomial_kl=float(model_measures(emp, binomial, base)["kl"]),
        uniform_kl=float(model_measures(emp, uniform, base)["kl"]), p_chosen=chosen,
        chosen_kl=worm_kl_at(chosen, emp, base), data_variance=emp.var(),
        binomial_variance=binomial_variance(n, p_mle), max_binomial_variance=n / 4,
        uniform_variance=((high - low + 1) ** 2 - 1) / 12,
        binomial_terms=kl_contributions(emp.probs, binomial.mass(emp), base), base=base,
    )


def worm_figure(lesson: WormLesson) -> go.Figure:
    """KL of binomial(10, p) against p, the maximum-likelihood p starred, the uniform's KL as a line."""
    from kl_core.plots import sweep_figure

    unit = lesson.unit
    fig = sweep_figure(lesson.sweep, "p", lesson.base, lesson.p_mle, lesson.p_chosen, model_label="binomial(n=10, p)",
                       fitted_kl=lesson.binomial_kl, chosen_kl=lesson.chosen_kl)
    fig.add_hline(y=lesson.uniform_kl, line={"color": PALETTE[2], "width": 2, "dash": "dot"},
                  annotation={"text": f"uniform: {lesson.uniform_kl:.3f} {unit}", "font": {"color": PALETTE[2]}},
                  annotation_position="top left")
    top = float(np.nanmax(lesson.sweep["kl"].to_numpy(dtype=float)))
    fig.update_yaxes(range=[0, top * 1.08])
    fig.update_layout(
        title_text="KL divergence of binomial(10, p) as p varies",
        title_subtitle_text="star: the maximum-likelihood p; dotted line: the uniform model",
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": 0.99, "yanchor": "top", "yref": "paper",
                "bgcolor": "rgba(255,255,255,0.8)"},  # inside the U of the curve, where it is empty
        margin={"t": 90},
    )
    return fig


def worm_models_figure(lesson: WormLesson) -> go.Figure:
    """The teeth counts as probabilities, with the uniform and binomial(10, p chosen) over them."""
    emp = lesson.emp
    teeth = emp.support
    uniform = fit(emp, "uniform").mass(emp)
    binomial = fit(emp, "binomial", n=10, p=lesson.p_chosen).mass(emp)
    fig = go.Figure(go.Bar(x=teeth, y=emp.probs, name="the worms", marker_color=EMPIRICAL_COLOR, opacity=0.75,
                           hovertemplate="%{x} teeth<br>%{y:.0%} of worms<extra></extra>"))
    fig.add_trace(go.Scatter(x=teeth, y=uniform, name=f"uniform (KL {lesson.uniform_kl:.3f})", mode="lines+markers",
                             line={"color": PALETTE[2], "width": 2, "dash": "dot"},
                             hovertemplate="%{x} teeth<br>uniform %{y:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=teeth, y=binomial, name=plain_text(f"binomial(10, {lesson.p_chosen:.3f}) (KL {lesson.chosen_kl:.3f})"),
                             mode="lines+markers", line={"color": PALETTE[3], "width": 2},
                             hovertemplate="%{x} teeth<br>binomial %{y:.3f}<extra></extra>"))
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(tickformat=".0%")
    fig = _layout(fig, "Teeth per worm: the data and two models", "teeth", "share of worms")
    fig.update_layout(legend={"orientation": "v", "x": 0.01, "xanchor": "left", "y": 0.99, "yanchor": "top",
                              "bgcolor": "rgba(255,255,255,0.8)"})  # top left is empty: few worms have 0-2 teeth
    return fig


# ------------------------------------------------------------ 5. Old Faithful
# Eruption durations (minutes) of the Old Faithful geyser: R's datasets::faithful$eruptions
# (Härdle 1991; Azzalini & Bowman 1990, Applied Statistics 39, 357-365), 272 values in R's order.
FAITHFUL_ERUPTIONS: tuple[float, ...] = (
    3.6, 1.8, 3.333, 2.283, 4.533, 2.883, 4.7, 3.6, 1.95, 4.35, 1.833, 3.917, 4.2, 1.75, 4.7, 2.167, 1.75, 4.8,
    1.6, 4.25, 1.8, 1.75, 3.45, 3.067, 4.533, 3.6, 1.967, 4.083, 3.85, 4.433, 4.3, 4.467, 3.367, 4.033, 3.833,
    2.017, 1.867, 4.833, 1.833, 4.783, 4.35, 1.883, 4.567, 1.75, 4.533, 3.317, 3.833, 2.1, 4.633, 2.0, 4.8, 4.716,
    1.833, 4.833, 1.733, 4.883, 3.717, 1.667, 4.567, 4.317, 2.233, 4.5, 1.75, 4.8, 1.817, 4.4, 4.167, 4.7, 2.067,
    4.7, 4.033, 1.967, 4.5, 4.0, 1.983, 5.067, 2.017, 4.567, 3.883, 3.6, 4.133, 4.333, 4.1, 2.633, 4.067, 4.933,
    3.95, 4.517, 2.167, 4.0, 2.2, 4.333, 1.867, 4.817, 1.833, 4.3, 4.667, 3.75, 1.867, 4.9, 2.483, 4.367, 2.1, 4.5,
    4.05, 1.867, 4.7, 1.783, 4.85, 3.683, 4.733, 2.3, 4.9, 4.417, 1.7, 4.633, 2.317, 4.6, 1.817, 4.417, 2.617,
    4.067, 4.25, 1.967, 4.6, 3.767, 1.917, 4.5, 2.267, 4.65, 1.867, 4.167, 2.8, 4.333, 1.833, 4.383, 1.883, 4.933,
    2.033, 3.733, 4.233, 2.233, 4.533, 4.817, 4.333, 1.983, 4.633, 2.017, 5.1, 1.8, 5.033, 4.0, 2.4, 4.6, 3.567,
    4.0, 4.5, 4.083, 1.8, 3.967, 2.2, 4.15, 2.0, 3.833, 3.5, 4.583, 2.367, 5.0, 1.933, 4.617, 1.917, 2.083, 4.583,
    3.333, 4.167, 4.333, 4.5, 2.417, 4.0, 4.167, 1.883, 4.583, 4.25, 3.767, 2.033, 4.433, 4.083, 1.833, 4.417,
    2.183, 4.8, 1.833, 4.8, 4.1, 3.966, 4.233, 3.5, 4.366, 2.25, 4.667, 2.1, 4.35, 4.133, 1.867, 4.6, 1.783, 4.367,
    3.85, 1.933, 4.5, 2.383, 4.7, 1.867, 3.833, 3.417, 4.233, 2.4, 4.8, 2.0, 4.15, 1.867, 4.267, 1.75, 4.483, 4.0,
    4.117, 4.083, 4.267, 3.917, 4.55, 4.083, 2.417, 4.183, 2.217, 4.45, 1.883, 1.85, 4.283, 3.95, 2.333, 4.15,
    2.35, 4.933, 2.9, 4.583, 3.833, 2.083, 4.367, 2.133, 4.35, 2.2, 4.45, 3.567, 4.5, 4.15, 3.817, 3.917, 4.45,
    2.0, 4.283, 4.767, 4.533, 1.85, 4.25, 1.983, 2.25, 4.75, 4.117, 2.15, 4.417, 1.817, 4.467,
)


@dataclass(frozen=True)
class FaithfulLesson(_InUnits):
    """Lesson 5: one normal against a mixture of two normal groups, on Old Faithful's eruptions."""

    emp: Empirical  # display bins of the eruptions
    normal: FittedModel
    mixture: FittedModel
    normal_loglik: float  # raw-data log-likelihood, nats
    mixture_loglik: float
    n: int
    base: float

    @property
    def saved(self) -> float:
        """Information saved per eruption by the mixture, in the lesson's unit: the drop in D̂(data ‖ model)."""
        return (self.mixture_loglik - self.normal_loglik) / self.n / math.log(self.base)

    @property
    def aic_gain(self) -> float:
        """AIC(normal) − AIC(mixture): positive when the mixture's 3 extra parameters pay for themselves."""
        return 2 * (self.normal.n_params - self.mixture.n_params) + 2 * (self.mixture_loglik - self.normal_loglik)


def faithful_lesson(base: float = 2) -> FaithfulLesson:
    """Old Faithful: the maximum-likelihood normal and two-normal mixture on the 272 raw eruption times.

    Examples
    --------
    >>> lesson = faithful_lesson()
    >>> round(lesson.normal_loglik, 2), round(lesson.mixture_loglik, 2), round(lesson.saved, 3), lesson.unit
    (-421.42, -276.36, 0.769, 'bits')
    """
    from scipy import stats

    from kl_core.models.mixture import Mixture, fit_mixture, mixture_model, model_from_fit

    x = np.asarray(FAITHFUL_ERUPTIONS, dtype=float)
    loc, scale = stats.norm.fit(x)  # the normal's maximum likelihood: mean and divisor-N sd
    normal = mixture_model("norm", Mixture(np.array([1.0]), (stats.norm(loc, scale),), True),
                           {"loc": float(loc), "scale": float(scale)}, 2, "one normal")
    values, counts = np.unique(x, return_counts=True)
    result = fit_mixture(values, counts.astype(float), "norm", 2)
    mixture = model_from_fit(result)
    emp = Empirical.from_samples(x, bins="auto", name="eruption time (minutes)")
    return FaithfulLesson(emp=emp, normal=normal, mixture=mixture, normal_loglik=float(normal.logpdf(x).sum()),
                          mixture_loglik=result.loglik, n=x.size, base=base)


def faithful_figure(lesson: FaithfulLesson) -> go.Figure:
    """The eruptions as a density histogram, the normal and the mixture (with its two groups) over it."""
    from kl_core.plots import density_figure

    fig = density_figure(lesson.emp, {"one normal": lesson.normal, "two normal groups mixed": lesson.mixture})
    fig.update_layout(title_text="Old Faithful: how long eruptions last",
                      title_subtitle_text="grey: the 272 eruptions; blue: one normal; orange: two normal groups mixed "
                                          "(dotted: each group)")
    return fig
