"""kl_core.export.html: an offline HTML report that escapes user text and fits its page."""

import re

import numpy as np

import pytest

from kl_core import Empirical, compare
from kl_core.export.html import html_report, report_figures
from kl_core.samples import SAMPLES
from tests.comparisons import EVIL, every_sample_fixture, worms_fixture  # noqa: F401 (the fixtures)


def _cells(text: str) -> list[str]:
    """The text of every table cell (a cell may carry attributes: its class, its column's name)."""
    return re.findall(r"<td[^>]*>(.*?)</td>", text)


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
    assert _figure_count(text) == 8 == len(report_figures(worms))


def test_html_has_every_section(worms):
    text = html_report(worms, title="Teeth report")
    for needed in ("<title>Teeth report</title>", "The data", "Ranking", "Why KL ranks models", "Settings and versions",
                   "Poisson loses 0.13 bits per observation", "0.1972", "0.6165", worms.emp.fingerprint(), "numpy"):
        assert needed in text, needed
    assert "log L = −N · (H(P̂) + D<sub>KL</sub>" in text
    for div_id in (f"figure-{n}" for n in range(1, 9)):
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
    assert {"negative binomial", "geometric"} <= set(_cells(text)) and "nbinom" not in _cells(text)
    assert "ΔAIC (nats)" in text and "−2 log L scale" in text
    css = text.split("<script", 1)[0]  # cells wrap rather than widen the page; a number keeps to one line on a wide one
    assert css.count("white-space: nowrap") == 1 and "@media (min-width: 1101px) { td.num { white-space: nowrap; } }" in css
    assert "and 2 more are in the table" in text  # one line, not a list of names
    assert "<td class='num' data-label=\"KL (bits/obs)\">" in text  # a phone shows each row as a card of named cells
    # The drawn models carry their figure colours, in rank order.
    from kl_core.plots import model_colors
    ranked = [str(key) for key in comparison.table["model"] if key in comparison.fitted]
    dots = re.findall(r"<td class='swatch' style='color: (#[0-9A-Fa-f]{6})'>●</td>", text)
    assert dots == [model_colors(ranked)[key] for key in ranked[:5]]


@pytest.mark.parametrize("key", list(SAMPLES))
def test_html_for_every_sample(every_sample, key):
    text = html_report(every_sample[key])
    assert _figure_count(text) == len(report_figures(every_sample[key]))


# ------------------------------------------------------- issue 12: the diagnostics analysts look for
def _faithful():
    from reference_data import real_values

    return compare(Empirical.from_samples(real_values("faithful", "eruptions"), name="Old Faithful eruptions"),
                   ["norm", "gamma", "uniform"])


def _headings(comparison) -> list[str]:
    return [heading for heading, _ in report_figures(comparison)]


def test_density_qq_and_pp_figures_for_numbers_only(worms):
    assert {"Probabilities", "Q-Q plot", "P-P plot"} <= set(_headings(worms))
    assert {"Densities", "Q-Q plot", "P-P plot"} <= set(_headings(_faithful()))
    colours = compare(Empirical.from_counts(["red", "green", "blue"], [5, 3, 2]), ["uniform"])
    assert not {"Densities", "Probabilities", "Q-Q plot", "P-P plot"} & set(_headings(colours))
    assert _figure_count(html_report(colours)) == len(_headings(colours)) == 5


def test_parameters_carry_their_standard_errors_only_where_one_exists(worms):
    text = html_report(worms)
    # binomial p on the worm teeth: sqrt(p(1-p)/(N n)) = 0.01575 (issue 12; R fitdistrplus agrees)
    assert "n=10, p=0.544 ± 0.016" in _cells(text)
    assert "low=0, high=10" in _cells(text)  # uniform's ends have no standard error: none shown
    assert "standard error from the observed information" in text


def test_akaike_weights_are_shown_next_to_delta_aic(worms):
    text = html_report(worms)
    head = re.search(r"<table class='ranking'><thead><tr>(.*?)</tr></thead>", text).group(1)
    headers = re.findall(r"<th scope='col'>(.*?)</th>", head)
    assert headers.index("Akaike weight") == headers.index("ΔAIC (nats)") + 1
    body = re.search(r"<table class='ranking'>.*?<tbody>(.*?)</tbody>", text).group(1)
    column = headers.index("Akaike weight")
    shown = [float(re.findall(r"<td[^>]*>(.*?)</td>", row)[column]) for row in re.findall(r"<tr>(.*?)</tr>", body)]
    aic = worms.table["aic"].to_numpy(dtype=float)
    expected = np.exp(-(aic - aic.min()) / 2) / np.exp(-(aic - aic.min()) / 2).sum()  # Burnham & Anderson (2002)
    assert shown == pytest.approx(expected, abs=6e-4)


def test_goodness_of_fit_for_continuous_data_with_valid_p_values_only():
    from scipy import stats

    from reference_data import real_values

    comparison = _faithful()
    text = html_report(comparison)
    assert "<h2>Goodness of fit</h2>" in text
    assert "fitted to the same data, which makes the p-values conservative (too large)" in text
    section = text.split("<h2>Goodness of fit</h2>", 1)[1].split("</table>", 1)[0]
    norm = comparison.fitted["norm"].params
    ks = stats.kstest(real_values("faithful", "eruptions"), stats.norm(norm["loc"], norm["scale"]).cdf).statistic
    cells = re.findall(r"<td[^>]*>(.*?)</td>", re.split(r"<td[^>]*>normal</td>", section, maxsplit=1)[1])[:5]
    assert float(cells[0]) == pytest.approx(ks, rel=5e-4)
    assert cells[4] != "—" and "AD p" not in section  # AD: a statistic, never a p-value for an arbitrary model


def test_no_goodness_of_fit_table_for_counts(worms):
    assert "<h2>Goodness of fit</h2>" not in html_report(worms)



def test_the_likelihood_identity_holds_for_continuous_data_with_the_differential_entropy():
    text = html_report(_faithful())
    check, loglik = re.search(r"= (-?[\d,.]+) nats, which is its log-likelihood \((-?[\d,.]+)\)", text).groups()
    assert check == loglik
    assert "differential entropy of the raw values" in text


def test_an_edge_fit_is_named_as_its_limit_without_standard_errors():
    from reference_data import real_values

    comparison = compare(Empirical.from_samples(real_values("faithful", "eruptions")), ["norm", "t"])
    text = html_report(comparison)
    assert "Student&#x27;s t → normal (df → ∞)" in _cells(text)
    ranking = text.split("<table class='ranking'>", 1)[1].split("</table>", 1)[0]
    assert _cells(ranking).count("loc=3.488 ± 0.069, scale=1.139 ± 0.049") == 1  # the normal, with its errors
    assert _cells(ranking).count("loc=3.488, scale=1.139") == 1  # the t as its limit: no raw df = 7e10, no ±
    assert not [cell for cell in re.findall(r"<td[^>]*>(df=[^<]*)</td>", ranking) if "ran to the edge" not in cell]
    assert re.search(r"<li><b>Student&#x27;s t → normal \(df → ∞\)</b>: the fit ran to the edge", text)


def test_the_report_says_what_orders_the_ranking(worms):
    assert "Ranked by KL divergence, best first" in html_report(worms)
    by_bic = compare(SAMPLES["worms"].empirical(), ["betabinom", "nbinom", "poisson"], rank_by="bic")
    text = html_report(by_bic)
    assert "Ranked by BIC, best first" in text and "<th scope='row'>Ranked by</th><td>BIC</td>" in text
    ranking = text.split("<table class='ranking'>", 1)[1].split("</table>", 1)[0]
    models = re.findall(r"<tr><td[^>]*>●?</td><td class='num'[^>]*>\d</td><td[^>]*>([^<]+)</td>", ranking)
    assert models == ["beta-binomial", "Poisson", "negative binomial"]


def test_figure_titles_and_notes_are_page_text_that_wraps():
    """At a phone's width plotly cuts a one-line title or note at the figure's edge: the report writes them as text."""
    comparison = compare(SAMPLES["worms"].empirical(),
                         ["uniform", "poisson", ("custom", {"values": list(range(11)), "weights": [1] * 11})])
    text = html_report(comparison)
    assert "<p class='figure-title'>Models ranked by KL divergence</p>" in text
    assert "<p class='note'>Not shown (no quantiles or probabilities for these data): your table</p>" in text
    figures = text.split("<h2>Figures</h2>", 1)[1]
    assert '"title":{"text":"Models ranked' not in figures and '"name":"skipped"' not in figures
    assert figures.count("class='figure-title'") == len(report_figures(comparison))
