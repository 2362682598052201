"""Learn: what the KL divergence means, in five short stories that build on each other.

Every number on this page is computed live by ``kl_core.lessons`` (on kl_core's own
measures); the text only says what the numbers mean. Each section's controls live in
an ``st.fragment``, so moving one slider reruns only its own section.
"""

import math
import secrets

import numpy as np
import streamlit as st

from kl_core import lessons
from kl_core.samples import PLANET_PROBABILITIES, PLANET_TEMPERATURES
from kl_core.vocabulary import bits_or_nats
from ui import state
from ui.frame import require_app

require_app()

MODEL_WORDS = {  # lesson 2's models Q (kl_core.lessons.MODEL_CHOICES), as the radio says them
    "uniform": "Uniform: every level equally likely (the 3-bit code)",
    "reshaped": "The true shape, sharpened or flattened",
    "shuffled": "The right probabilities on the wrong levels",
}

st.title("Learn: what KL divergence measures")
st.markdown(
    "Five short stories, each adding one idea: **entropy** (how many bits a message needs), **cross-entropy** "
    "(what you pay when your code is built for the wrong distribution), **KL divergence** (the extra part of that "
    "bill), why the model with the smallest KL is the **most likely** one, and what a **mixture** saves on data with two peaks. Move the controls: every number "
    "is recomputed as you go."
)

LEVEL_KEYS = [f"learn_level_{i}" for i in range(len(PLANET_TEMPERATURES))]
DEFAULT_WEIGHTS = [round(100 * p) for p in PLANET_PROBABILITIES]


def _bits(value: float, digits: int = 3) -> str:
    return "∞" if math.isinf(value) else f"{value:.{digits}f}"


# --------------------------------------------------------------- 1. entropy
def _reset_levels() -> None:
    for key, weight in zip(LEVEL_KEYS, DEFAULT_WEIGHTS):
        st.session_state[key] = weight
    st.session_state["learn_peakedness"] = 1.0


@st.fragment
def entropy_section() -> None:
    st.header("1. Entropy: how many bits does a message need?", divider="gray")
    st.markdown(
        "An astronaut on a distant planet radios home the temperature once a day. The planet only ever shows "
        f"{len(PLANET_TEMPERATURES)} temperature levels, so a plain fixed-length code gives every level the same "
        "number of bits. But the levels are not equally common: a clever code gives the common levels short "
        "codewords and the rare ones long codewords. **Entropy** is the average length of the best possible "
        "such code, in bits per message:"
    )
    st.latex(r"H(P) = -\sum_x P(x)\,\log_2 P(x) \qquad \text{(level } x \text{ ideally costs } -\log_2 P(x) \text{ bits)}")
    for key, weight in zip(LEVEL_KEYS, DEFAULT_WEIGHTS):
        st.session_state.setdefault(key, weight)
    st.session_state.setdefault("learn_peakedness", 1.0)

    controls, reset = st.columns([4, 1], vertical_alignment="bottom")
    with controls:
        peakedness = st.slider(
            "Peakedness", min_value=0.0, max_value=4.0, step=0.05, key="learn_peakedness",
            help="0 makes every level equally likely, 1 is the real planet, higher piles the probability on the "
                 "commonest level (each weight is raised to this power, then normalised)")
    with reset:
        st.button("Reset to the planet", on_click=_reset_levels, key="learn_reset", width="stretch")
    with st.expander("Reshape level by level (relative weights)"):
        columns = st.columns(4)
        for index, (key, level) in enumerate(zip(LEVEL_KEYS, PLANET_TEMPERATURES)):
            with columns[index % 4]:
                st.slider(f"level {level}", min_value=0, max_value=100, step=1, key=key)
    weights = [st.session_state[key] for key in LEVEL_KEYS]
    if not any(weights):
        st.warning("Every weight is 0, so there is no distribution: give at least one level some weight.")
        return
    probs = lessons.reshape(weights, peakedness)
    messages = int(st.session_state.get("learn_messages", 10))
    lesson = lessons.entropy_lesson(probs, PLANET_TEMPERATURES, messages)

    figure, numbers = st.columns([3, 2])
    with figure:
        st.plotly_chart(lessons.entropy_figure(lesson), key="learn_fig_entropy")
    with numbers:
        left, right = st.columns(2)
        left.metric("Entropy H(P)", f"{_bits(lesson.entropy)} bits", help="bits per message with the ideal code")
        right.metric("Fixed-length code", f"{lesson.fixed_bits} bits",
                     help=f"{len(PLANET_TEMPERATURES)} levels need ⌈log₂ {len(PLANET_TEMPERATURES)}⌉ bits each")
        left.metric("Fixed code wastes", f"{_bits(lesson.waste)} bits", help="per message: fixed length − entropy")
        right.metric("Huffman code", f"{_bits(lesson.huffman_average)} bits",
                     help="the best real prefix code: whole-bit codewords can only approach the entropy, H ≤ Huffman < H + 1")
        st.number_input("Messages to send", min_value=1, max_value=100_000, value=10, step=1, key="learn_messages")
        st.markdown(
            f"Sending **{lesson.messages:,}** messages takes about **{lesson.ideal_total:,.1f} bits** with an ideal "
            f"code, against **{lesson.fixed_total:,} bits** with the fixed {lesson.fixed_bits}-bit code."
        )
    st.markdown(
        f"With the real planet, the fixed {lesson.fixed_bits}-bit code throws away about "
        f"{_bits(lessons.entropy_lesson().waste, 2)} bits on every message: the planet's entropy is only "
        f"{_bits(lessons.entropy_lesson().entropy, 2)} bits. Slide the peakedness to 0 and the waste vanishes "
        "(when all levels are equally likely, no code can beat the fixed one); slide it up and the entropy falls "
        "towards 0 (a planet that is nearly always the same temperature tells you almost nothing new)."
    )


# ---------------------------------------------------------- 2. cross-entropy
@st.fragment
def cross_entropy_section() -> None:
    st.header("2. Cross-entropy and KL: the price of the wrong code", divider="gray")
    st.markdown(
        "Mission control builds its code from a *model* Q of the temperatures, but the planet follows its own "
        "distribution P (the real planet from section 1). Each level then costs −log₂ Q(x) bits instead of "
        "−log₂ P(x). The average bill is the **cross-entropy**, and the part above the unavoidable H(P) is the "
        "**KL divergence**: the extra bits per message paid for believing Q when the truth is P."
    )
    st.latex(r"H(P,Q) = -\sum_x P(x)\log_2 Q(x) = H(P) + D_{\mathrm{KL}}(P\,\|\,Q)")
    st.latex(r"D_{\mathrm{KL}}(P\,\|\,Q) = \sum_x P(x)\log_2\frac{P(x)}{Q(x)} \;\ge\; 0")
    p = np.asarray(PLANET_PROBABILITIES, dtype=float)
    choice_col, confidence_col = st.columns(2)
    with choice_col:
        choice = st.radio("The model Q", lessons.MODEL_CHOICES, format_func=MODEL_WORDS.get,
                          key="learn_model_choice")
    with confidence_col:
        confidence = st.slider(
            "Model's confidence", min_value=0.0, max_value=4.0, value=2.0, step=0.05, key="learn_confidence",
            disabled=choice != "reshaped",
            help="For 'sharpened or flattened': 1 is exactly right, below 1 too cautious, above 1 too sure")
    q = lessons.model_distribution(choice, p, confidence)
    lesson = lessons.coding_lesson(p, q)
    first, second, third = st.columns(3)
    first.metric("H(P) entropy", f"{_bits(lesson.entropy)} bits", help="the planet's entropy: the best possible code")
    second.metric("H(P,Q) cross-entropy", f"{_bits(lesson.cross_entropy)} bits", help="bits per message with Q's code")
    third.metric("D_KL(P‖Q) extra bits", f"{_bits(lesson.kl)} bits", help="cross-entropy − entropy")
    st.plotly_chart(lessons.coding_figure(lesson), key="learn_fig_coding")
    uniform = lessons.coding_lesson(p, lessons.model_distribution("uniform", p))
    st.markdown(
        f"The uniform model is the fixed-length code in disguise: every level costs log₂ {len(p)} = "
        f"{_bits(uniform.cross_entropy, 0)} bits, so its KL divergence, {_bits(uniform.kl)} bits, is exactly the "
        "waste found in section 1. A model that is too sure of itself is punished hardest on the levels it calls "
        "rare; a model that calls an observed level impossible (Q = 0) pays an infinite price."
    )


# -------------------------------------------------------------------- 3. coins
def _new_seed() -> None:
    st.session_state["learn_seed"] = secrets.randbelow(1_000_000)


@st.fragment
def coin_section() -> None:
    base = state.base()
    unit = bits_or_nats(base)
    st.header("3. Two coins: KL is how fast the data tells the models apart", divider="gray")
    st.markdown(
        "Someone flips coin **P** over and over. You have a second idea, coin **Q**. After each flip, compare how "
        "probable the whole sequence so far is under each coin. The log of that ratio, per flip, settles down "
        "to the KL divergence: D(P‖Q) is the evidence each flip gives, on average, that the coin is P and not Q."
    )
    st.latex(r"\frac{1}{N}\log\frac{P(x_1,\dots,x_N)}{Q(x_1,\dots,x_N)} = \frac{1}{N}\sum_{i=1}^{N}\log\frac{P(x_i)}{Q(x_i)}"
             r"\;\xrightarrow[N\to\infty]{}\; \mathbb{E}_P\!\left[\log\frac{P(X)}{Q(X)}\right] = D_{\mathrm{KL}}(P\,\|\,Q)")
    st.session_state.setdefault("learn_seed", 2024)
    p_col, q_col, n_col, seed_col = st.columns([2, 2, 2, 1.2], vertical_alignment="bottom")
    with p_col:
        p = st.slider("Coin P: chance of heads", 0.01, 0.99, 0.70, 0.01, key="learn_coin_p",
                      help="the coin actually being flipped")
    with q_col:
        q = st.slider("Coin Q: chance of heads", 0.01, 0.99, 0.50, 0.01, key="learn_coin_q",
                      help="the other idea of the coin")
    with n_col:
        n = st.select_slider("Flips", options=[100, 1_000, 10_000, 100_000], value=10_000, key="learn_coin_n",
                             format_func=lambda v: f"{v:,}")
    with seed_col:
        st.button("New seed", on_click=_new_seed, key="learn_new_seed", width="stretch",
                  help="Flip a fresh sequence (numpy's default generator with this seed)")
    seed = int(st.session_state["learn_seed"])
    lesson = lessons.coin_lesson(p, q, n=n, seed=seed, base=base)
    first, second, third = st.columns(3)
    first.metric("D_KL(P‖Q)", f"{lesson.kl:.4f} {unit}")
    second.metric(f"Log-ratio per flip after {n:,}", f"{lesson.final:.4f} {unit}",
                  delta=f"{lesson.final - lesson.kl:+.4f} from KL", delta_color="off")
    third.metric("Heads", f"{lesson.heads:,} of {n:,}", help=f"expected about {p * n:,.0f}")
    st.plotly_chart(lessons.coin_figure(lesson), key="learn_fig_coin")
    shown = "".join("H" if flip else "T" for flip in lesson.flips[:80])
    st.caption(f"Seed {seed}. The first {min(80, n)} flips: `{shown}`")
    if lesson.kl == 0:
        st.markdown("The two coins are the same, so no number of flips can tell them apart: the KL divergence is 0.")
    else:
        hundred = lessons.evidence_bits(lesson.kl, base, flips=100)
        st.markdown(
            f"At D = {lesson.kl:.4f} {unit} per flip, 100 flips of coin P are typically about "
            f"2^{hundred:.1f} ≈ {_big(hundred)} times more probable under P than under Q. Early on the "
            "curve wanders (a few flips prove little); by thousands of flips it hugs the dashed line. "
            "Swap the two coins and the number changes: KL is not symmetric."
        )


def _big(bits: float) -> str:
    """2**bits in words: a plain number up to a million, else a power of ten."""
    if bits < 20:
        return f"{2 ** bits:,.0f}"
    return f"10^{bits * math.log10(2):.0f}"


# --------------------------------------------------------------- 4. worm teeth
def _to_mle() -> None:
    st.session_state["learn_worm_p"] = round(lessons.worm_lesson().p_mle, 3)


@st.fragment
def worm_section() -> None:
    base = state.base()
    st.header("4. The worm teeth: choosing a model by its KL divergence", divider="gray")
    st.markdown(
        "Space scientists have counted the teeth of 100 alien worms (each has room for at most 10). The radio "
        "link home is too thin for the raw counts, so they will send a *model* and its parameters instead. "
        "Two candidates: the **uniform** (every number of teeth equally likely; nothing to send) and the "
        "**binomial** (10 chances to grow a tooth, each with probability p; one number to send). "
        "The better model is the one that loses less information: the smaller D_KL(data ‖ model)."
    )
    start = lessons.worm_lesson(base=base)
    st.session_state.setdefault("learn_worm_p", round(start.p_mle, 3))
    slider_col, button_col = st.columns([4, 1], vertical_alignment="bottom")
    with slider_col:
        p = st.slider("The binomial's p", min_value=lessons.WORM_P_RANGE[0], max_value=lessons.WORM_P_RANGE[1],
                      step=0.001, format="%.3f", key="learn_worm_p")
    with button_col:
        st.button("Best p", on_click=_to_mle, key="learn_worm_mle", width="stretch",
                  help="Jump to the maximum-likelihood p (the mean number of teeth divided by 10)")
    lesson = lessons.worm_lesson(p_chosen=p, base=base)
    unit = lesson.unit
    first, second, third = st.columns(3)
    first.metric("Uniform", f"{lesson.uniform_kl:.3f} {unit}", help="D_KL(teeth ‖ uniform on 0..10)")
    second.metric(f"Binomial at the best p = {lesson.p_mle:.3f}", f"{lesson.binomial_kl:.3f} {unit}",
                  help="p = mean teeth / 10, the maximum-likelihood estimate")
    extra = lesson.chosen_kl - lesson.binomial_kl
    third.metric(f"Binomial at your p = {p:.3f}", f"{lesson.chosen_kl:.3f} {unit}",
                 delta=f"{extra:+.3f} vs best p" if extra >= 5e-4 else None, delta_color="inverse")
    st.plotly_chart(lessons.worm_models_figure(lesson), key="learn_fig_worm_models")
    st.plotly_chart(lessons.worm_figure(lesson), key="learn_fig_worm_sweep")
    (worst, worst_term), (second_worst, second_term) = lesson.largest_terms(2)
    st.markdown(
        f"However you set p, the binomial never gets below **{lesson.binomial_kl:.3f} {unit}** (at p = "
        f"{lesson.p_mle:.3f}, which is also the maximum-likelihood estimate: minimising KL and maximising "
        f"likelihood are the same thing), while the uniform loses only **{lesson.uniform_kl:.3f} {unit}**. "
        "The reason is the spread of the teeth:"
    )
    st.latex(
        rf"\mathrm{{Var}}(\text{{teeth}}) = {lesson.data_variance:.2f}\quad>\quad"
        rf"\max_p\, 10\,p(1-p) = {lesson.max_binomial_variance:g}\quad"
        rf"(\text{{at }} p = {lesson.p_mle:.3f}:\ {lesson.binomial_variance:.2f})"
    )
    st.markdown(
        f"A binomial with 10 trials can never be spread out wider than a variance of {lesson.max_binomial_variance:g}; "
        f"the worms' teeth have a variance of {lesson.data_variance:.2f} (the uniform on 0..10 has "
        f"{lesson.uniform_variance:g}). So the binomial piles its probability in the middle and starves the edges: "
        f"its largest losses are at {worst} teeth ({worst_term:.3f} {unit}) and {second_worst} teeth "
        f"({second_term:.3f} {unit}), where it calls common worms rare. The flat uniform, with no parameters "
        "at all, describes these worms better."
    )
    st.markdown(
        "**Continuous data** (durations, amounts, sizes) has no list of values to count, so the KL divergence "
        "is measured with densities: D̂ = −Ĥ − (1/N)·Σ log q(xᵢ), the data's estimated differential entropy "
        "minus the average log density the fitted model gives each observed value. No bins are involved, "
        "the parameters are the usual maximum-likelihood ones on the raw values (as R and scipy fit them), and "
        "the smallest D̂ is again the largest likelihood. The histogram's bins are only for the picture: a KL "
        "computed on them (shown as “KL at these bins”) changes when the bins change."
    )


# ------------------------------------------------------------ 5. Old Faithful
@st.fragment
def faithful_section() -> None:
    base = state.base()
    lesson = lessons.faithful_lesson(base)
    unit = lesson.unit
    short, long = lesson.mixture.extra["components"]
    st.header("5. Old Faithful: two peaks need two groups", divider="gray")
    st.markdown(
        f"The Old Faithful geyser in Yellowstone erupts every hour or so. Of {lesson.n} eruptions timed by "
        "geologists, some were short (about 2 minutes) and most were long (about 4.3 minutes), with hardly any in "
        "between. **One normal** curve (2 parameters: a mean and a spread) has to sit across both peaks, right where "
        "eruptions almost never happen. **Two normal groups mixed** (5 parameters: two means, two spreads, and the "
        "share of short eruptions) can follow both."
    )
    first, second, third = st.columns(3)
    first.metric("One normal", f"{lesson.normal_loglik:.1f}", help="log-likelihood of the 272 eruptions (nats)")
    second.metric("Two normal groups mixed", f"{lesson.mixture_loglik:.1f}", help="log-likelihood (nats), fitted by EM")
    third.metric("Saved by the mixture", f"{lesson.saved:.3f} {unit}", help="per eruption: the drop in KL divergence")
    st.plotly_chart(lessons.faithful_figure(lesson), key="learn_fig_faithful")
    st.markdown(
        f"The mixture finds {short['weight']:.0%} short eruptions (mean {short['params']['loc']:.2f} min) and "
        f"{long['weight']:.0%} long ones (mean {long['params']['loc']:.2f} min). The entropy of the data is the same "
        f"for both models, so the difference in KL divergence is the difference in log-likelihood per eruption: "
        f"the mixture loses **{lesson.saved:.3f} {unit} less** information on every eruption, "
        f"{lesson.saved * lesson.n:.0f} {unit} over all {lesson.n}. Its three extra parameters cost 6 on the AIC "
        f"scale; it still wins by {lesson.aic_gain:.0f}. Choose **Groups mixed** on the Models page to fit a "
        "mixture to your own data."
    )


entropy_section()
cross_entropy_section()
coin_section()
worm_section()
faithful_section()
st.divider()
st.caption(
    "The planet and worm-teeth stories follow Will Kurt's “Kullback–Leibler Divergence Explained” (Count Bayesie). "
    f"Sections 3 and 4 use the unit chosen in the sidebar ({'bits' if state.base() == 2 else 'nats'}); "
    "sections 1 and 2 are about code lengths, so they stay in bits."
)
