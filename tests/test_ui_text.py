"""ui.text: user text shown safely in Markdown, and names listed as a sentence lists them."""

import pytest

from ui.text import escape_markdown, listed


@pytest.mark.parametrize(
    ("names", "sentence"),
    [
        (["normal"], "normal"),
        (["normal", "gamma"], "normal and gamma"),
        (("Weibull", "logistic", "Laplace"), "Weibull, logistic and Laplace"),
    ],
)
def test_listed_joins_names_as_a_sentence_does(names, sentence):
    assert listed(names) == sentence


def test_listed_names_stay_as_typed_once_escaped():
    # The pages escape each name for Markdown after listing: a name's own commas and underscores survive.
    assert escape_markdown(listed(["a_b", "c, d"])) == r"a\_b and c, d"
