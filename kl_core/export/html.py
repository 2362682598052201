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

from kl_core.vocabulary import DEFAULT_PLOTTED, bits_or_nats
from kl_core.export.provenance import BOOTSTRAP_SEED, bootstrap_count, ordered_models, versions
from kl_core.ranking import Comparison, display_name, verdict

__all__ = ["MAX_PLOTTED", "goodness_of_fit", "html_report", "report_figures", "standard_errors_of"]

MAX_PLOTTED = DEFAULT_PLOTTED  # models drawn in the side-by-side figures, as the app's Compare page by default (the ranking chart shows all)

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
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #f6f8fa; overflow-wrap: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ranking { width: 100%; table-layout: auto; }
.swatch { font-size: 1.2em; line-height: 1; }
.wide { max-width: 100%; }
.figure { margin: 0.75rem 0 1.5rem; }
.figure-title { font-weight: 600; margin: 0.2rem 0 0; }
.figure .note { margin: 0.1rem 0 0.3rem; }
.note { color: #57606a; font-size: 0.9rem; }
code { background: #f6f8fa; padding: 0 3px; border-radius: 3px; font-size: 0.9em; word-break: break-all; }
.pair { display: flex; flex-wrap: wrap; gap: 32px; }
.pair table { flex: 1 1 320px; }
@media (min-width: 1101px) { td.num { white-space: nowrap; } }  /* room enough: "1.3e-14" is not split at its "-" */
/* Narrower, a ranking table's row is a card: one line per cell, its column's name first. */
@media (max-width: 1100px) {
  table.ranking, table.ranking tbody, table.ranking tr { display: block; }
  table.ranking thead { display: none; }
  table.ranking tr { border: 1px solid #d0d7de; border-radius: 4px; margin: 0 0 8px; padding: 4px 0; }
  table.ranking td { display: flex; gap: 12px; justify-content: space-between; border: none; padding: 1px 8px; }
  table.ranking td::before { content: attr(data-label); font-weight: 600; color: #57606a; flex: 0 0 auto; max-width: 45%; }
  table.ranking td.num { text-align: right; }
  table.ranking td.swatch { display: inline-block; }
  table.ranking td:empty { display: none; }
}
@media (max-width: 700px) {
  main { padding: 12px 10px 32px; }
  table { font-size: 0.8rem; }
  th, td { padding: 3px 4px; overflow-wrap: anywhere; }  /* a phone: a long token (a fingerprint) breaks, not the page */
  th { overflow-wrap: anywhere; font-size: 0.75rem; }
}
"""
# The ranking in two tables that each fit a page: what decides, then every other statistic.
_MAIN_COLUMNS = ("Colour", "Rank", "Model", "KL", "KL 95% interval", "P(best)", "ΔAIC", "Akaike weight", "p-value",
                 "Parameters", "Free parameters", "Note")
_MORE_COLUMNS = ("Rank", "Model", "Reverse KL", "JS", "Cross-entropy", "log L", "ΔBIC", "G", "dof")
_TEXT_COLUMNS = ("Model", "Parameters", "Note")
_ORDER = {  # what orders the ranking (kl_core.ranking.RANK_BY), as the sentence that opens it
    "kl": "Ranked by KL divergence, best first (the same order as the log-likelihood).",
    "aic": "Ranked by AIC, best first: the log-likelihood penalised by 2 per free parameter.",
    "bic": "Ranked by BIC, best first: the log-likelihood penalised by log N per free parameter.",
}
_STDERR_NOTE = ("Parameters: estimate ± standard error from the observed information (the curvature of the "
                "log-likelihood at the fit, as R's fitdistrplus), shown only where one exists: fixed or whole-number "
                "parameters and fits at the edge of their range have none. Akaike weight: exp(−ΔAIC/2), normalised "
                "over the models with a finite AIC: the weight of evidence that each is the best of these models.")


def _pairs_html(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th scope='row'>{html.escape(str(a))}</th><td>{html.escape(str(b))}</td></tr>" for a, b in rows)
    return f"<table>{body}</table>"


def _frame_html(frame: pd.DataFrame, css_class: str = "", colors: Mapping[int, str] | None = None) -> str:
    """A table of text cells (escaped); ``colors`` maps a row position to the colour of its "Colour" dot."""
    head = "".join(f"<th scope='col'>{'' if column == 'Colour' else html.escape(str(column))}</th>" for column in frame.columns)
    labels = {column: html.escape(str(column), quote=True) for column in frame.columns}  # each cell's name on a phone
    rows = []
    for position, (_, row) in enumerate(frame.iterrows()):
        cells = []
        for column in frame.columns:
            if column == "Colour":
                color = (colors or {}).get(position)
                cells.append(f"<td class='swatch' style='color: {color}'>●</td>" if color else "<td></td>")
            elif column.split(" (")[0] in _TEXT_COLUMNS:
                cells.append(f"<td data-label=\"{labels[column]}\">{html.escape(str(row[column]))}</td>")
            else:
                cells.append(f"<td class='num' data-label=\"{labels[column]}\">{html.escape(str(row[column]))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<div class='wide'><table class='{css_class}'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"


def _ranking_html(comparison: Comparison, max_models: int, stderr: Mapping[str, Mapping[str, float]]) -> str:
    """The ranking as two tables that fit a page, the drawn models marked with their figure colours.

    Parameters carry ``± standard error`` where ``stderr`` has a finite one; the Akaike
    weight sits next to ΔAIC.
    """
    from kl_core import plots
    from kl_core.display import displayed_params, format_number, params_with_errors, ranking_display

    table = comparison.table
    shown = ranking_display(table, comparison.base)
    shown.insert(0, "Colour", "")
    keys = [str(key) for key in table["model"]]
    shown["Parameters"] = [
        params_with_errors(displayed_params(params, note, key), stderr.get(key)) if isinstance(params, Mapping) else text
        for key, params, note, text in zip(keys, table["params"], table["note"], shown["Parameters"])
    ]
    if "Akaike weight" not in shown.columns and "akaike_weight" in table.columns:
        shown["Akaike weight"] = [format_number(value, 3) for value in table["akaike_weight"]]
    ranked = list(ordered_models(comparison))
    colors = plots.model_colors(ranked)
    drawn = set(ranked[:max_models])
    dots = {position: colors[key] for position, key in enumerate(keys) if key in drawn}

    def columns(names: tuple[str, ...]) -> list[str]:
        return [column for name in names for column in shown.columns if column.split(" (")[0] == name]

    return (_frame_html(shown[columns(_MAIN_COLUMNS)], "ranking", dots)
            + "<p class='note'>Every other statistic:</p>"
            + _frame_html(shown[columns(_MORE_COLUMNS)], "ranking"))


def standard_errors_of(comparison: Comparison) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Model key -> {free parameter: standard error}, and model key -> why it has none.

    From the observed information (:func:`kl_core.uncertainty.covariance`). A covariance
    that comes with a note (a parameter at a limit, a Hessian that did not converge or is
    singular) gives no standard errors: the note says why, and no ± is shown. A fit at
    the edge of its family (:func:`kl_core.display.edge_limit`) has none either.

    Examples
    --------
    >>> from kl_core import Empirical, compare
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> errors, why = standard_errors_of(compare(teeth, ["binomial", "uniform"]))
    >>> round(errors["binomial"]["p"], 5), errors["uniform"], why["uniform"]
    (0.01575, {}, 'no free parameters')
    """
    from kl_core.display import edge_limit
    from kl_core.errors import DataError
    from kl_core.uncertainty import covariance

    errors: dict[str, dict[str, float]] = {}
    reasons: dict[str, str] = {}
    for key, model in ordered_models(comparison).items():
        errors[key] = {}
        if edge_limit(model.note) is not None:
            reasons[key] = "the fit ran to the edge of its family and is shown as its limit"
            continue
        try:
            found = covariance(comparison.emp, model)
        except (DataError, ValueError, ArithmeticError) as error:
            reasons[key] = f"no standard errors: {error}"
            continue
        if found.note:
            reasons[key] = found.note
        else:
            errors[key] = found.stderr
    return errors, reasons


def _no_errors_html(comparison: Comparison, reasons: Mapping[str, str]) -> str:
    """Which fitted models have no ± and why (the families whose parameters have no standard error by nature are left out)."""
    from kl_core.display import display_label

    labels = {str(row["model"]): display_label(row) for _, row in comparison.table.iterrows()}
    items = "".join(f"<li><b>{html.escape(labels.get(key, key))}</b>: {html.escape(reason)}</li>"
                    for key, reason in reasons.items() if reason != "no free parameters")
    return f"<p class='note'>Without standard errors:</p><ul class='note'>{items}</ul>" if items else ""


def goodness_of_fit(comparison: Comparison) -> dict[str, dict[str, Any]]:
    """Model key -> :func:`kl_core.diagnostics.gof_statistics` for each continuous model on continuous data.

    Empty for counts and categories (the ranking's G-test is their goodness of fit).
    """
    from kl_core.diagnostics import gof_statistics
    from kl_core.errors import DataError

    if comparison.emp.kind != "binned":
        return {}
    found: dict[str, dict[str, Any]] = {}
    for key, model in ordered_models(comparison).items():
        if not model.continuous:
            continue
        try:
            found[key] = gof_statistics(comparison.emp, model)
        except DataError:
            continue
    return found


def _gof_html(comparison: Comparison, statistics: Mapping[str, Mapping[str, Any]]) -> str:
    """The KS, CvM and AD table with the note on what its p-values mean (empty without statistics)."""
    from kl_core.diagnostics import FITTED_PARAMETERS_NOTE
    from kl_core.display import display_label, format_number

    if not statistics:
        return ""
    rows = []
    for _, row in comparison.table.iterrows():
        found = statistics.get(str(row["model"]))
        if found is None:
            continue
        rows.append({
            "Model": display_label(row), "KS": format_number(found["ks"]), "KS p (classical)": format_number(found["ks_pvalue"], 3),
            "CvM": format_number(found["cvm"]), "CvM p (classical)": format_number(found["cvm_pvalue"], 3),
            "AD": format_number(found["ad"]),
        })
    said = (FITTED_PARAMETERS_NOTE, "Anderson–Darling has no p-value for an arbitrary model")  # in the sentence above
    notes = set()
    for found in statistics.values():
        text = str(found.get("gof_note", ""))
        for known in said:
            text = text.replace(known, "")
        notes |= {note.strip() for note in text.split(";") if note.strip()}
    sentence = FITTED_PARAMETERS_NOTE[:1].upper() + FITTED_PARAMETERS_NOTE[1:]
    extra = "".join(f"<li>{html.escape(note)}</li>" for note in sorted(notes))
    return (
        "<h2>Goodness of fit</h2>"
        "<p class='note'>Kolmogorov–Smirnov (KS), Cramér–von Mises (CvM) and Anderson–Darling (AD) statistics of each "
        "model on the raw values (smaller is closer), as R's <code>fitdistrplus::gofstat</code>. "
        f"{html.escape(sentence)}. A p-value is shown only where it is valid (“—” where there is none); "
        "Anderson–Darling has none for an arbitrary model.</p>"
        + _frame_html(pd.DataFrame(rows), "ranking")
        + (f"<ul class='note'>{extra}</ul>" if extra else "")
    )


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
    figures = [
        ("Ranking", plots.ranking_figure(comparison.table, base, colors=plots.model_colors(list(ranked)))),
        ("Data and models", plots.distribution_bars(emp, models, colors=colors)),
        ("Each model against the data", plots.small_multiples(emp, models, kl=kl, base=base, colors=colors)),
    ]
    if emp.kind != "categorical":  # density, Q-Q and P-P need numbers (fitdistrplus denscomp, qqcomp, ppcomp)
        figures += [
            ("Densities" if emp.kind == "binned" else "Probabilities", plots.density_figure(emp, models, colors=colors)),
            ("Q-Q plot", plots.qq_figure(emp, models, colors=colors)),
            ("P-P plot", plots.pp_figure(emp, models, colors=colors)),
        ]
    return figures + [
        ("Where the information is lost", plots.contributions_figure(emp, models, base, colors=colors)),
        ("Cumulative distributions", plots.cdf_figure(emp, models, colors=colors)),
    ]


def _data_entropy(emp: Any) -> tuple[float, str]:
    """The data's entropy in nats, and which one: differential on raw values, else over the cells."""
    if emp.kind == "binned" and emp.sketch is not None:
        from kl_core.continuous_kl import differential_entropy

        return differential_entropy(emp.sketch), "the differential entropy of the raw values, as the KL column uses"
    return emp.entropy(math.e), "the entropy of the observed frequencies"


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
        h_nats, entropy_words = _data_entropy(emp)
        kl_nats = float(best["kl"]) * math.log(comparison.base)
        check = -emp.n * (h_nats + kl_nats)
        text += (
            f"<p>Here N = {emp.n:,.10g} and H(P̂) = {h_nats / math.log(comparison.base):.4f} {html.escape(unit)} "
            f"({html.escape(entropy_words)}). For the best model, {html.escape(display_name(best))}, "
            f"D<sub>KL</sub> = {float(best['kl']):.4f} {html.escape(unit)}, so "
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

    from kl_core import plots
    from kl_core.display import DELTA_NOTE, not_ranked, request_text, summary_rows

    emp, base, table = comparison.emp, comparison.base, comparison.table
    errors, reasons = standard_errors_of(comparison)
    figures = report_figures(comparison, max_models)
    figure_html = []
    for index, (heading, fig) in enumerate(figures):
        # Titles and notes as page text: it wraps at a phone's width, where plotly cuts a line at the figure's edge.
        figure_title, subtitle, figure_notes = plots.detach_text(fig)
        above = "".join(f"<p class='figure-title'>{html.escape(text)}</p>" for text in (figure_title,) if text)
        above += "".join(f"<p class='note'>{html.escape(text)}</p>" for text in (subtitle,) if text)
        below = "".join(f"<p class='note'>{html.escape(text)}</p>" for text in figure_notes)
        body = fig.to_html(
            full_html=False, include_plotlyjs=False, include_mathjax=False, div_id=f"figure-{index + 1}",
            config={"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]},
            default_width="100%",
        )
        figure_html.append(f"<section class='figure'><h3>{html.escape(heading)}</h3>{above}{body}{below}</section>")
    settings_rows = [
        ("Unit", f"{bits_or_nats(base)} (log base {base:.6g})"),
        ("Ranked by", comparison.rank_by.upper()),
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
        f"<p class='note'><b>{_ORDER[comparison.rank_by]}</b> D<sub>KL</sub>(data ‖ model) is in "
        f"{html.escape(comparison.unit)} per observation; log L and G are in nats. {html.escape(DELTA_NOTE)}</p>",
        _ranking_html(comparison, max_models, errors),
        f"<p class='note'>{html.escape(_STDERR_NOTE)}</p>",
        _no_errors_html(comparison, reasons),
        notes,
        _gof_html(comparison, goodness_of_fit(comparison)),
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

