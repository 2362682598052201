"""A self-contained HTML report of a comparison: verdict, data, ranking, figures, settings, versions.

plotly.js is inlined once in ``<head>``; the figures use it and MathJax is off, so the
file opens offline and makes no network request. Every piece of user text is
HTML-escaped, and the tables fit a phone's page (390 px).
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from kl_core.empirical import bits_or_nats
from kl_core.export.provenance import BOOTSTRAP_SEED, bootstrap_count, ordered_models, versions
from kl_core.ranking import Comparison, display_name, verdict

__all__ = ["MAX_PLOTTED", "html_report", "report_figures"]

MAX_PLOTTED = 5  # models drawn in the side-by-side figures, as the app's Compare page by default (the ranking chart shows all)

_CSS = """
:root { color-scheme: light; }
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2328;
       margin: 0; background: #fafafa; line-height: 1.5; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; box-sizing: border-box; }
h1 { font-size: 1.8rem; margin: 0.2rem 0 0.2rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; padding-bottom: 0.25rem; border-bottom: 1px solid #e5e7eb; }
.meta { color: #57606a; font-size: 0.9rem; margin: 0 0 1rem; }
.verdict { background: #eef6fc; border-left: 4px solid #0072B2; padding: 0.75rem 1rem; font-size: 1.05rem; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 0.5rem 0; max-width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f6f8fa; overflow-wrap: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ranking { width: 100%; table-layout: auto; }
.swatch { font-size: 1.2em; line-height: 1; }
.wide { max-width: 100%; }
.figure { margin: 0.75rem 0 1.5rem; }
.note { color: #57606a; font-size: 0.9rem; }
code { background: #f6f8fa; padding: 0 3px; border-radius: 3px; font-size: 0.9em; word-break: break-all; }
.pair { display: flex; flex-wrap: wrap; gap: 32px; }
.pair table { flex: 1 1 320px; }
@media (max-width: 700px) {
  main { padding: 12px 10px 32px; }
  table { font-size: 0.8rem; }
  th, td { padding: 3px 4px; }
  th { overflow-wrap: anywhere; font-size: 0.75rem; }
}
"""
# The ranking in two tables that each fit a page: what decides, then every other statistic.
_MAIN_COLUMNS = ("Colour", "Rank", "Model", "KL", "KL 95% interval", "P(best)", "ΔAIC", "p-value", "Parameters",
                 "Free parameters", "Note")
_MORE_COLUMNS = ("Rank", "Model", "Reverse KL", "JS", "Cross-entropy", "log L", "ΔBIC", "G", "dof")
_TEXT_COLUMNS = ("Model", "Parameters", "Note")


def _pairs_html(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th scope='row'>{html.escape(str(a))}</th><td>{html.escape(str(b))}</td></tr>" for a, b in rows)
    return f"<table>{body}</table>"


def _frame_html(frame: pd.DataFrame, css_class: str = "", colors: Mapping[int, str] | None = None) -> str:
    """A table of text cells (escaped); ``colors`` maps a row position to the colour of its "Colour" dot."""
    head = "".join(f"<th scope='col'>{'' if column == 'Colour' else html.escape(str(column))}</th>" for column in frame.columns)
    rows = []
    for position, (_, row) in enumerate(frame.iterrows()):
        cells = []
        for column in frame.columns:
            if column == "Colour":
                color = (colors or {}).get(position)
                cells.append(f"<td class='swatch' style='color: {color}'>●</td>" if color else "<td></td>")
            elif column.split(" (")[0] in _TEXT_COLUMNS:
                cells.append(f"<td>{html.escape(str(row[column]))}</td>")
            else:
                cells.append(f"<td class='num'>{html.escape(str(row[column]))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<div class='wide'><table class='{css_class}'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"


def _ranking_html(comparison: Comparison, max_models: int) -> str:
    """The ranking as two tables that fit a page, the drawn models marked with their figure colours."""
    from kl_core import plots
    from kl_core.display import ranking_display

    shown = ranking_display(comparison.table, comparison.base)
    shown.insert(0, "Colour", "")
    ranked = list(ordered_models(comparison))
    colors = plots.model_colors(ranked)
    drawn = set(ranked[:max_models])
    keys = [str(key) for key in comparison.table["model"]]
    dots = {position: colors[key] for position, key in enumerate(keys) if key in drawn}

    def columns(names: tuple[str, ...]) -> list[str]:
        return [column for name in names for column in shown.columns if column.split(" (")[0] == name]

    return (_frame_html(shown[columns(_MAIN_COLUMNS)], "ranking", dots)
            + "<p class='note'>Every other statistic:</p>"
            + _frame_html(shown[columns(_MORE_COLUMNS)], "ranking"))


def report_figures(comparison: Comparison, max_models: int = MAX_PLOTTED) -> list[tuple[str, Any]]:
    """(heading, plotly figure) for each figure of the report, in order.

    The models keep one colour each (their ranking position) across all figures. The
    ranking chart shows every fitted model; the other figures the best ``max_models``
    (more make side-by-side plots unreadable), as the app's Compare page does.
    """
    from kl_core import plots

    emp, base = comparison.emp, comparison.base
    ranked = ordered_models(comparison)
    models = dict(list(ranked.items())[:max_models])
    if not models:
        return [("The data", plots.empirical_figure(emp, base))]
    kl = {key: float(value) for key, value in zip(comparison.table["model"], comparison.table["kl"]) if key in models}
    colors = plots.model_colors(list(models))
    return [
        ("Ranking", plots.ranking_figure(comparison.table, base, colors=plots.model_colors(list(ranked)))),
        ("Data and models", plots.distribution_bars(emp, models, colors=colors)),
        ("Each model against the data", plots.small_multiples(emp, models, kl=kl, base=base, colors=colors)),
        ("Where the information is lost", plots.contributions_figure(emp, models, base, colors=colors)),
        ("Cumulative distributions", plots.cdf_figure(emp, models, colors=colors)),
    ]


def _why_kl(comparison: Comparison) -> str:
    emp, unit = comparison.emp, comparison.unit
    text = (
        "<p>For N observations whose empirical distribution is P̂, a model Q has log-likelihood "
        "<b>log L = −N · (H(P̂) + D<sub>KL</sub>(P̂ ‖ Q))</b> (in nats). The entropy H(P̂) is a property of the data, "
        "the same for every model, so the model with the smallest KL divergence is exactly the model with the "
        "largest likelihood. The KL divergence is the information lost per observation when the data is described "
        "by the model instead of by itself: the extra bits (or nats) a code built for Q pays on data from P̂.</p>"
    )
    table = comparison.table
    finite = table[np.isfinite(table["kl"].astype(float))]
    if emp.n is not None and not finite.empty:
        best = finite.iloc[0]
        h_nats = emp.entropy(math.e)
        kl_nats = float(best["kl"]) * math.log(comparison.base)
        check = -emp.n * (h_nats + kl_nats)
        text += (
            f"<p>Here N = {emp.n:,.10g} and H(P̂) = {emp.entropy(comparison.base):.4f} {html.escape(unit)}. "
            f"For the best model, {html.escape(display_name(best))}, D<sub>KL</sub> = {float(best['kl']):.4f} {html.escape(unit)}, so "
            f"−N · (H + KL) = {check:,.2f} nats, which is its log-likelihood ({float(best['loglik']):,.2f}).</p>"
        )
    elif emp.n is None:
        text += ("<p>This data was given as probabilities, so N is unknown: the KL ranking still holds, but the "
                 "log-likelihood, AIC, BIC and the G-test need N and are not available.</p>")
    return text


def html_report(comparison: Comparison, *, title: str = "KL Model Lab report", source: str | None = None,
                max_models: int = MAX_PLOTTED) -> str:
    """A self-contained HTML report: summary, verdict, ranking, figures, settings, versions.

    The figures draw the best ``max_models`` models, each in the colour it has in the
    app (its rank); the ranking table marks them with that colour.

    plotly.js is inlined once in ``<head>``; the figures use it (``include_plotlyjs=False``)
    and MathJax is off, so the file opens offline and makes no network request. Every
    piece of user text is HTML-escaped.
    """
    import plotly.offline

    from kl_core.display import DELTA_NOTE, not_ranked, request_text, summary_rows

    emp, base, table = comparison.emp, comparison.base, comparison.table
    figures = report_figures(comparison, max_models)
    figure_html = []
    for index, (heading, fig) in enumerate(figures):
        body = fig.to_html(
            full_html=False, include_plotlyjs=False, include_mathjax=False, div_id=f"figure-{index + 1}",
            config={"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]},
            default_width="100%",
        )
        figure_html.append(f"<section class='figure'><h3>{html.escape(heading)}</h3>{body}</section>")
    settings_rows = [
        ("Unit", f"{bits_or_nats(base)} (log base {base:.6g})"),
        ("Zero policy", "strict: a model giving 0 probability to an observed value has KL = ∞"
         if comparison.zero_policy == "strict" else f"ε-floor, ε = {comparison.epsilon:g}: (1−ε)·q + ε/cells"),
    ]
    bootstrap = bootstrap_count(comparison)
    if bootstrap:
        settings_rows.append(("Bootstrap", f"{bootstrap:,} multinomial resamples (seed {BOOTSTRAP_SEED})"))
    for key, (name, options) in comparison.requests.items():
        settings_rows.append((f"Model {key}", request_text(name, options)))
    dataset_rows = [("Name", emp.name or "(unnamed)")] + summary_rows(emp.summary(base), base)
    if source:
        dataset_rows.append(("Source", source))
    dataset_rows.append(("Fingerprint (SHA-256)", emp.fingerprint()))
    unranked = not_ranked(table)
    notes = ""
    if unranked:
        items = "".join(f"<li><b>{html.escape(name)}</b>: {html.escape(reason)}</li>" for name, reason in unranked)
        notes += f"<p class='note'>Not ranked:</p><ul class='note'>{items}</ul>"
    left_out = len(ordered_models(comparison)) - max_models
    if left_out > 0:
        notes += (f"<p class='note'>The figures other than the ranking chart draw the best {max_models}, "
                  f"and {left_out:,} more are in the table.</p>")
    if emp.warnings:
        items = "".join(f"<li>{html.escape(w)}</li>" for w in emp.warnings)
        notes += f"<p class='note'>About the data:</p><ul class='note'>{items}</ul>"
    created = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    version_rows = list(versions().items())
    return "\n".join([
        "<!DOCTYPE html>",
        "<html lang='en'>",
        "<head>",
        "<meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style>",
        f"<script type='text/javascript'>{plotly.offline.get_plotlyjs()}</script>",
        "</head>",
        "<body><main>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='meta'>{html.escape(emp.name or 'Unnamed data')} · generated {created} by KL Model Lab "
        f"(kl_core {html.escape(versions()['kl_core'])})</p>",
        f"<p class='verdict'>{html.escape(verdict(table, base))}</p>",
        "<h2>The data</h2>",
        _pairs_html(dataset_rows),
        "<h2>Ranking</h2>",
        f"<p class='note'>Best first, by D<sub>KL</sub>(data ‖ model) in {html.escape(comparison.unit)} per observation. "
        f"log L and G are in nats. {html.escape(DELTA_NOTE)}</p>",
        _ranking_html(comparison, max_models),
        notes,
        "<h2>Figures</h2>",
        *figure_html,
        "<h2>Why KL ranks models</h2>",
        _why_kl(comparison),
        "<h2>Settings and versions</h2>",
        "<div class='pair'>",
        _pairs_html(settings_rows),
        _pairs_html(version_rows),
        "</div>",
        "</main></body>",
        "</html>",
    ])

