"""kl_core.export.html: an offline HTML report that escapes user text and fits its page."""

import re

import pytest

from kl_core import Empirical, compare
from kl_core.export.html import html_report, report_figures
from kl_core.samples import SAMPLES
from tests import comparisons
from tests.comparisons import EVIL


@pytest.fixture(scope="module")
def worms():
    return comparisons.worms()


@pytest.fixture(scope="module")
def every_sample():
    return comparisons.every_sample()


def _figure_count(text: str) -> int:
    return len(re.findall(r'class="plotly-graph-div"', text))


def test_html_is_self_contained(worms):
    text = html_report(worms, source="sample: worms")
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.IGNORECASE)
    assert not re.search(r"<link\b", text, re.IGNORECASE)
    assert not re.search(r"@import|url\(", text.split("<script", 1)[0], re.IGNORECASE)
    assert text.count("<script type='text/javascript'>") == 1  # plotly.js, once
    # Outside the plotly.js bundle, no URL at all.
    head, rest = text.split("<script type='text/javascript'>", 1)
    bundle_end = rest.index("</script>")
    outside = head + rest[bundle_end:]
    assert not re.search(r"https?://", outside)
    assert "MathJax" not in outside
    assert _figure_count(text) == 5 == len(report_figures(worms))


def test_html_has_every_section(worms):
    text = html_report(worms, title="Teeth report")
    for needed in ("<title>Teeth report</title>", "The data", "Ranking", "Why KL ranks models", "Settings and versions",
                   "Poisson loses 0.13 bits per observation", "0.1972", "0.6165", worms.emp.fingerprint(), "numpy"):
        assert needed in text, needed
    assert "log L = −N · (H(P̂) + D<sub>KL</sub>" in text
    for div_id in ("figure-1", "figure-2", "figure-3", "figure-4", "figure-5"):
        assert f'id="{div_id}"' in text


def test_html_escapes_user_text():
    emp = Empirical.from_counts(["<b>x</b>", "y"], [3, 1], name=EVIL)
    comparison = compare(emp, ["uniform", ("custom", {"values": ["<b>x</b>", "y"], "weights": [2, 1], "label": EVIL})])
    text = html_report(comparison, title=EVIL, source=EVIL)
    outside = text.replace(text[text.index("<script type='text/javascript'>"):text.index("</script>") + 9], "")
    assert "<script>alert" not in outside and "<b>x</b>" not in outside
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in outside


def test_html_names_user_models_in_words_and_fits_its_page():
    teeth = SAMPLES["worms"].empirical()
    comparison = compare(teeth, ["uniform", ("custom", {"values": list(range(11)), "weights": [1] * 11}),
                                 ("expression", {"formula": "p*(1-p)^x", "start": {"p": 0.3}}), "nbinom", "geom", "poisson",
                                 "binomial"])
    text = html_report(comparison)
    assert "your formula: p*(1-p)^x (start p=0.3)" in text
    assert "your table: 11 values (0, 1, 2, 3, 4, 5, … (5 more)) with weights" in text
    assert '{"formula"' not in text and "{&quot;formula" not in text and '{"values"' not in text
    assert "<td>negative binomial</td>" in text and "<td>geometric</td>" in text and "<td>nbinom</td>" not in text
    assert "ΔAIC (nats)" in text and "−2 log L scale" in text
    assert "white-space: nowrap" not in text.split("<script", 1)[0]  # cells wrap rather than widen the page
    assert "and 2 more are in the table" in text  # one line, not a list of names
    # The drawn models carry their figure colours, in rank order.
    from kl_core.plots import model_colors
    ranked = [str(key) for key in comparison.table["model"] if key in comparison.fitted]
    dots = re.findall(r"<td class='swatch' style='color: (#[0-9A-Fa-f]{6})'>●</td>", text)
    assert dots == [model_colors(ranked)[key] for key in ranked[:5]]


@pytest.mark.parametrize("key", list(SAMPLES))
def test_html_for_every_sample(every_sample, key):
    text = html_report(every_sample[key])
    assert _figure_count(text) == len(report_figures(every_sample[key]))
