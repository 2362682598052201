"""ui.draws: which fitted models can be sampled, and the bounds on the draws the app makes."""

import io

import pandas as pd

from kl_core import Empirical, fit
from kl_core.export.csv import draws_csv
from ui.draws import MAX_APP_DRAWS, MAX_SEED, can_draw, draws_problem

TEETH = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])


def test_draws_within_the_bounds_have_no_problem_and_read_back():
    model = fit(TEETH, "binomial", n=10)
    assert draws_problem(model, MAX_APP_DRAWS, MAX_SEED) == ""
    frame = pd.read_csv(io.StringIO(draws_csv(model, 500, seed=3)))
    assert frame["value"].between(0, 10).all() and abs(frame["value"].mean() - 5.44) < 0.5


def test_too_many_draws_or_a_bad_seed_is_refused_in_words():
    model = fit(TEETH, "poisson")
    assert "at most 1,000,000 draws" in draws_problem(model, MAX_APP_DRAWS + 1, 0)
    assert "at most" in draws_problem(model, 0, 0)
    assert "seed" in draws_problem(model, 10, MAX_SEED + 1)


def test_categories_cannot_be_drawn_and_say_why():
    coin = fit(Empirical.from_counts(["H", "T"], [3, 1]), "uniform")
    assert not can_draw(coin)
    assert "no cumulative distribution" in draws_problem(coin, 10, 0)
    assert can_draw(fit(TEETH, "binomial", n=10))
