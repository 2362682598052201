"""The Learn page (AppTest): it renders, its controls move the numbers, and the numbers come from kl_core.

The page does not use the sidebar or links to other pages, so it runs standalone; one
test also runs it inside the app's navigation (see tests/test_app_report.py).
"""

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kl_core import lessons
from kl_core.samples import PLANET_PROBABILITIES

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "pages" / "learn.py"
TIMEOUT = 60


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    app.run()
    assert not app.exception
    return app


def _metric(app: AppTest, starts_with: str) -> str:
    """The metric with exactly this label, else the first whose label starts with it."""
    found = [m.value for m in app.metric if m.label == starts_with] or [
        m.value for m in app.metric if m.label.startswith(starts_with)]
    assert found, f"no metric labelled {starts_with!r}: {[m.label for m in app.metric]}"
    return found[0]


def _all_text(app: AppTest) -> str:
    parts = [m.value for m in app.markdown] + [m.value for m in app.metric] + [c.value for c in app.caption]
    parts += [latex.value for latex in app.latex]
    return "\n".join(parts)


def test_renders_five_sections_with_formulas(at):
    assert [h.value for h in at.header] == [
        "1. Entropy: how many bits does a message need?",
        "2. Cross-entropy and KL: the price of the wrong code",
        "3. Two coins: KL is how fast the data tells the models apart",
        "4. The worm teeth: choosing a model by its KL divergence",
        "5. Old Faithful: two peaks need two groups",
    ]
    assert len(at.latex) >= 4
    assert len(at.get("plotly_chart")) == 6


def test_old_faithful_section_numbers(at):
    lesson = lessons.faithful_lesson()
    assert _metric(at, "One normal") == f"{lesson.normal_loglik:.1f}" == "-421.4"
    assert _metric(at, "Two normal groups mixed") == "-276.4"
    assert _metric(at, "Saved by the mixture") == "0.769 bits"


def test_entropy_section_numbers(at):
    assert _metric(at, "Entropy H(P)") == "2.323 bits"
    assert _metric(at, "Fixed-length code") == "3 bits"
    assert _metric(at, "Fixed code wastes") == "0.677 bits"
    text = _all_text(at)
    assert "23.2 bits" in text and "30 bits" in text  # 10 messages: ~23 bits rather than 30


def test_moving_the_peakedness_slider_changes_the_entropy(at):
    before = _metric(at, "Entropy H(P)")
    at.slider(key="learn_peakedness").set_value(0.0).run()
    assert not at.exception
    assert _metric(at, "Entropy H(P)") == "3.000 bits" != before
    at.slider(key="learn_peakedness").set_value(3.0).run()
    expected = lessons.entropy_lesson(lessons.reshape(PLANET_PROBABILITIES, 3.0)).entropy
    assert _metric(at, "Entropy H(P)") == f"{expected:.3f} bits"
    at.button(key="learn_reset").click().run()
    assert _metric(at, "Entropy H(P)") == before


def test_a_level_slider_reshapes_the_distribution(at):
    at.slider(key="learn_level_1").set_value(0).run()
    weights = [round(100 * p) for p in PLANET_PROBABILITIES]
    weights[1] = 0
    expected = lessons.entropy_lesson(lessons.reshape(weights, 1.0)).entropy
    assert _metric(at, "Entropy H(P)") == f"{expected:.3f} bits"
    messages = at.number_input(key="learn_messages").set_value(100).run()
    assert f"{100 * expected:,.1f} bits" in _all_text(messages)


def test_cross_entropy_section_follows_the_model_choice(at):
    assert _metric(at, "D_KL(P‖Q) extra") == "0.677 bits"  # uniform: the fixed code's waste
    at.radio(key="learn_model_choice").set_value("shuffled").run()
    p = PLANET_PROBABILITIES
    expected = lessons.coding_lesson(p, lessons.model_distribution("shuffled", p))
    assert _metric(at, "D_KL(P‖Q) extra") == f"{expected.kl:.3f} bits"
    assert _metric(at, "H(P,Q)") == f"{expected.cross_entropy:.3f} bits"


def test_coin_section_seed_and_sliders(at):
    caption = next(c.value for c in at.caption if c.value.startswith("Seed "))
    assert _metric(at, "D_KL(P‖Q)") == f"{lessons.coin_kl(0.7, 0.5):.4f} bits"
    at.button(key="learn_new_seed").click().run()
    seed = at.session_state["learn_seed"]
    assert next(c.value for c in at.caption if c.value.startswith("Seed ")).startswith(f"Seed {seed}.")
    assert seed != 2024 or caption.startswith("Seed 2024.")
    at.slider(key="learn_coin_q").set_value(0.9).run()
    assert _metric(at, "D_KL(P‖Q)") == f"{lessons.coin_kl(0.7, 0.9):.4f} bits"
    final = lessons.coin_lesson(0.7, 0.9, n=10_000, seed=seed).final
    assert _metric(at, "Log-ratio per flip") == f"{final:.4f} bits"


def test_worm_section_shows_the_computed_kl_values(at):
    text = _all_text(at)
    assert "0.197" in text and "0.617" in text
    assert _metric(at, "Uniform") == "0.197 bits"
    assert _metric(at, "Binomial at the best p") == "0.617 bits"
    lesson = lessons.worm_lesson()
    assert f"{lesson.data_variance:.2f}" in text and "2.5" in text  # the variance argument, computed


def test_worm_p_slider_moves_the_chosen_kl(at):
    at.slider(key="learn_worm_p").set_value(0.4).run()
    assert _metric(at, "Binomial at your p") == f"{lessons.worm_kl_at(0.4):.3f} bits"
    at.button(key="learn_worm_mle").click().run()
    assert _metric(at, "Binomial at your p") == "0.617 bits"


def test_sections_three_and_four_follow_the_sidebar_unit():
    app = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    app.session_state["units"] = "nats"
    app.run()
    assert not app.exception
    assert _metric(app, "Uniform") == f"{lessons.worm_lesson().uniform_kl * math.log(2):.3f} nats"
    assert _metric(app, "Entropy H(P)") == "2.323 bits"  # code lengths stay in bits


def test_learn_runs_inside_the_app_navigation(tmp_path):
    from tests.test_app_report import app_entrypoint

    app = AppTest.from_file(str(app_entrypoint(tmp_path)), default_timeout=TIMEOUT)
    app.run()
    app.switch_page("pages/learn.py").run()
    assert not app.exception
    assert app.title[0].value.startswith("Learn")
