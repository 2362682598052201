"""Compare: the ranking, the verdict, why KL ranks models, and the models plotted side by side.

Two layouts: the normal one (verdict, table, explanations, plots in tabs) and the
presentation view (``view=present`` in the link, or the toggle here): large type, the
verdict and the distribution plot first, then the ranking table, no explanations.

The figures draw the best few models (5 unless the reader asks for more), each in the
colour :func:`kl_core.plots.model_colors` gives its rank; the table marks the same
colour beside each drawn model. Tabs keep their state: only the open tab is computed,
and changing a setting (units, bootstrap B) leaves the reader on the tab they were on.
"""

import math

import pandas as pd
import streamlit as st

from kl_core import plots
from kl_core.display import (DELTA_NOTE, GOF_NOTE, RANK_BY_WORDS, columns_named, family_label, fitted_label, format_number,
                              header_name, ranking_display)
from kl_core.ranking import RANK_BY, verdict
from kl_core.vocabulary import DEFAULT_PLOTTED, MAX_PLOTTED
from ui import state, url
from ui.charts import chart
from ui.draws import draws_download
from ui.model_checks import binned_resolutions, gof_by_model
from ui.run import fit_with_progress, rank_by, requests_for, show_failures, show_notes
from ui.styles import PRESENT_CSS
from ui.uncertainty_view import bootstrap_intervals, errors_wanted, standard_errors_by_model
from ui.sweep import sweep_section
from ui.text import escape_markdown, listed
from ui.widgets import bind
from ui.frame import require_app
from ui.diagnostic_tabs import agreement_tab, density_tab

require_app()

SWATCH = "Colour"  # the table column marking each drawn model's colour
# Numbers first, so a bootstrap's extra columns never push the p-value off the screen. No Note: the grid would cut
# it at the page's edge (one line a cell, on a canvas), so the notes are page text under the table (ui.run.show_notes).
MAIN_COLUMNS = (SWATCH, "Rank", "Model", "KL", "KL 95% interval", "P(best)", "ΔAIC", "p-value", "Parameters",
                "Free parameters")
TAB_NAMES = ("Distributions", "Density", "Small multiples", "Where bits are lost", "CDFs", "Q-Q", "P-P", "Ranking", "Try a parameter")


emp = state.emp()
title_column, present_column, share_column = st.columns([3, 1.5, 1], vertical_alignment="bottom")
with title_column:
    st.title("Compare")
if emp is not None:
    with present_column:
        st.toggle("Presentation view", help="Large type, the verdict and the plot first, the sidebar out of the way. "
                  "Also opened by view=present in the link.", **bind("w_present", state.PRESENT))
    with share_column:
        with st.popover("Share link", icon=":material/link:", width="stretch"):
            url.share_box("compare")
present = bool(state.get(state.PRESENT)) and emp is not None
url.waiting_note()

if emp is None:
    st.info("There is nothing to compare yet: load a dataset first (or pick a sample on Home).", icon=":material/info:")
    st.page_link("pages/data.py", label="Go to Data", icon=":material/table_chart:")
    st.stop()

requests, defaulted = requests_for(emp)
if defaulted:
    st.info(
        f"No models chosen yet, so the defaults for this data are compared: {', '.join(family_label(name) for name, _ in requests)}. "
        "Choose others on the Models page.", icon=":material/info:",
    )
    if not requests:
        st.page_link("pages/models.py", label="Choose models", icon=":material/functions:")
        st.stop()

base = state.base()
result = fit_with_progress(emp, requests)
state.put(state.LAST_COMPARISON, result)
if result is None:
    st.stop()
table = result.table

# ---------------------------------------------------------------- the pieces
in_order = [str(key) for key in table["model"] if str(key) in result.fitted]
plotted_count = max(1, min(int(state.get(state.PLOTTED) or DEFAULT_PLOTTED), MAX_PLOTTED, len(in_order) or 1))
plotted = in_order[:plotted_count]
models = {key: result.fitted[key] for key in plotted}
colors = plots.model_colors(in_order)  # by rank: the same colour in every figure, the table and the report
kl_by_key = {str(row["model"]): float(row["kl"]) for _, row in table.iterrows()}
not_fitted = len(table) - len(in_order)
labels = {key: fitted_label(key, model) for key, model in result.fitted.items()}
order = rank_by(emp)
gof = gof_by_model(emp, result.fitted)


def _left_out_line(extra: str = "") -> None:
    """One line for what the figures leave out: never a paragraph of names."""
    parts = []
    if len(in_order) > len(plotted):
        parts.append(f"The best {len(plotted)} drawn, and {len(in_order) - len(plotted):,} more in the table")
    if not_fitted:
        parts.append(f"{not_fitted:,} could not be fitted (listed below)")
    if extra:
        parts.append(extra)
    if parts:
        st.caption("; ".join(parts) + ".")


def _chart(figure, key: str) -> None:
    """A figure with its title and notes as page text (in large type in the presentation view)."""
    chart(figure, key, present=present)


def _verdict() -> None:
    st.markdown(f"### {escape_markdown(verdict(table, base))}")
    st.caption(f"Data: {escape_markdown(state.get(state.DATASET_NAME) or emp.name)} · KL in {result.unit} per observation · "
               f"zero policy: {'ε-floor, ε = ' + format_number(result.epsilon) if result.zero_policy == 'epsilon' else 'strict'}")


def _how_many() -> None:
    """The control for how many models the figures draw (all of them share it)."""
    if len(in_order) <= 1:
        return
    top = min(len(in_order), MAX_PLOTTED)
    state.put(state.PLOTTED, plotted_count)
    column, _ = st.columns([1, 2])
    with column:
        st.number_input(f"Models in the figures (1–{top})", min_value=1, max_value=top, step=1,
                        help="The best models by KL. Past 7, colours repeat with a dash or a hatch.",
                        **bind("w_plotted", state.PLOTTED))


def _distributions() -> None:
    _chart(plots.distribution_bars(emp, models, colors=colors), "fig_bars")
    _left_out_line()


def _explanations(shown: pd.DataFrame) -> None:
    more = ", KS, Cramér–von Mises, Anderson–Darling" if gof else ""
    with st.expander(f"All statistics (reverse KL, JS divergence, cross-entropy, log-likelihood, BIC, G-test{more})",
                     key="x_statistics"):  # a key keeps it open across reruns
        st.dataframe(shown, hide_index=True, width="stretch", key="ranking_table_full")
        st.caption(DELTA_NOTE)
        if gof:
            st.caption(GOF_NOTE)
        if "kl_binned" in table.columns and table["kl_binned"].notna().any():
            st.caption("KL at these bins: the binned KL at the display bins, for comparison only; the KL column is D̂, "
                       "from the raw values, which does not depend on bins.")

    with st.expander("Why KL ranks models", key="x_why_kl"):
        st.markdown("For N observations with empirical distribution P̂, the log-likelihood of a model Q is")
        st.latex(r"\log L(Q) = \sum_x N\,\hat P(x)\log Q(x) = -N\left(H(\hat P) + D_{\mathrm{KL}}(\hat P \,\|\, Q)\right)")
        st.markdown("H(P̂) is the same for every model, so **the smallest KL is the largest likelihood**. "
                    "With m free parameters (natural logs):")
        st.latex(r"\mathrm{AIC} = 2m - 2\log L \qquad\qquad G = 2N \cdot D_{\mathrm{KL}}(\hat P \,\|\, Q)")
        st.markdown("AIC charges each free parameter 2 nats on the −2 log L scale, so ΔAIC = 2Δm + 2N·ΔKL (KL in nats); "
                    "the G statistic is the likelihood-ratio test of the model against the data, with K − 1 − m degrees "
                    "of freedom for K cells.")


def _with_swatches(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with a first column holding each drawn model's colour (blank for the others)."""
    keys = [str(key) for key in table["model"]]
    frame = frame.copy()
    frame.insert(0, SWATCH, ["●" if key in models else "" for key in keys])
    return frame


def _swatch_style(frame: pd.DataFrame):
    keys = [str(key) for key in table["model"]]
    css = [f"color: {colors[key]}; font-size: 1.3em" if key in models else "" for key in keys]
    return frame.style.apply(lambda _: css, subset=[SWATCH], axis=0)


def _present_table(frame: pd.DataFrame, main_columns: list[str]):
    """The few columns a room reads, narrow enough for a phone: the colour beside the rank, the parameters
    under the model's name; the notes are listed under the table (:func:`ui.run.show_notes`)."""
    keep = [c for c in main_columns if header_name(c) not in (SWATCH, "Parameters", "Free parameters")]
    small = frame[keep].copy()
    small["Rank"] = [f"● {rank}" if dot else rank for dot, rank in zip(frame[SWATCH], frame["Rank"])]
    # A model whose label already names its fixed parameters ("uniform (low=100, high=180)") is not given them twice.
    small["Model"] = [f"{model} ({params})" if params and not model.endswith(f"({params})") else model
                      for model, params in zip(frame["Model"], frame["Parameters"])]
    keys = [str(key) for key in table["model"]][:len(frame)]
    css = [f"color: {colors[key]}" if key in models else "" for key in keys]
    # Only the model's name wraps: "1.3e-14" never splits at its "-" (a table style, as each cell's text is a paragraph).
    whole = [{"selector": f"td.col{index} p", "props": "white-space: nowrap"}
             for index, column in enumerate(small.columns) if column != "Model"]
    return small.style.apply(lambda _: css, subset=["Rank"], axis=0).set_table_styles(whole).hide(axis="index")


def _rank_by_control() -> None:
    """KL, AIC or BIC: what orders the table and the verdict (AIC and BIC need N observations)."""
    if emp.n is None:
        return
    st.segmented_control("Rank by", RANK_BY, format_func=str.upper, selection_mode="single", required=True,
                         help="KL ranks by the log-likelihood alone; AIC and BIC charge each free parameter "
                              "(BIC more, for large N).", **bind("w_rank_by", state.RANK_BY, RANK_BY))


def _ranking_table() -> pd.DataFrame:
    """The ranking table (with its controls); returns every statistic as shown, for the All statistics table."""
    if present:  # the room reads the table; the controls stay in the normal view
        with_errors = errors_wanted(emp, show=False)
    else:
        rank_column, errors_column = st.columns([2, 1], vertical_alignment="bottom")
        with rank_column:
            _rank_by_control()
        with errors_column:
            with_errors = errors_wanted(emp)
    stderr, no_errors = standard_errors_by_model(emp, result.fitted) if with_errors else (None, {})
    shown = ranking_display(table, base, stderr=stderr, gof=gof)
    frame = _with_swatches(shown)
    delta = "ΔBIC" if order == "bic" else "ΔAIC"  # the gap in the criterion that orders the table
    main_columns = columns_named(frame.columns, [delta if name == "ΔAIC" else name for name in MAIN_COLUMNS])
    if present:  # an HTML table, so the presentation's large type reaches it (the grid draws on a canvas)
        rows = max(len(plotted), min(5, len(frame)))
        st.table(_present_table(frame.iloc[:rows], main_columns))
        if len(frame) > rows:
            st.caption(f"and {len(frame) - rows:,} more: the normal view lists every model.")
    else:
        st.dataframe(_swatch_style(frame), hide_index=True, width="stretch", column_order=main_columns, key="ranking_table",
                     column_config={SWATCH: st.column_config.TextColumn(SWATCH, width=52, help="The model's colour in the figures"),
                                    "Parameters": st.column_config.TextColumn("Parameters", width="medium")})
    errors = " ± : one standard error (observed information), shown where it exists." if with_errors else ""
    st.caption(f"Ordered by {RANK_BY_WORDS[order]}. {delta}: each model's {delta[1:]} minus the best one, in nats on the "
               f"−2 log L scale; 0 is the best. Free parameters: the ones fitted to the data.{errors}")
    unclear = {labels.get(key, key): why for key, why in no_errors.items() if why != "no free parameters"}
    if unclear and not present:
        st.caption(f"No ± for {listed(list(unclear))}: hover over ? for why.",
                   help="\n\n".join(f"**{escape_markdown(name)}**: {escape_markdown(why)}" for name, why in unclear.items()))
    show_notes(table)
    return shown


def _other_views() -> None:
    names = list(TAB_NAMES[1:] if present else TAB_NAMES)
    tabs = dict(zip(names, st.tabs(names, key="w_compare_tab", on_change="rerun")))

    def is_open(name: str) -> bool:
        return tabs[name].open is not False  # None: the tabs do not track state (then every tab is drawn)

    if "Distributions" in tabs and is_open("Distributions"):
        with tabs["Distributions"]:
            _distributions()
    if is_open("Density"):
        with tabs["Density"]:
            density_tab(emp, models, colors, _chart)
            _left_out_line()
    if is_open("Small multiples"):
        with tabs["Small multiples"]:
            _chart(plots.small_multiples(emp, models, kl={k: kl_by_key[k] for k in models}, base=base, colors=colors,
                                         columns=2 if present else 3), "fig_multiples")
            _left_out_line()
    if is_open("Where bits are lost"):
        with tabs["Where bits are lost"]:
            _chart(plots.contributions_figure(emp, models, base, colors=colors), "fig_contributions")
            mark, cell = ("point", "bin") if emp.kind == "binned" else ("bar", "value")
            st.caption(f"Each {mark} is one {cell}'s term p·log(p/q); a model's terms add up to its KL. "
                       "Positive: the model under-predicts there; negative: it over-predicts.")
            _left_out_line()
    if is_open("CDFs"):
        with tabs["CDFs"]:
            no_cdf = sum(1 for model in models.values() if model.cdf_function is None and emp.kind != "categorical")
            _chart(plots.cdf_figure(emp, models, colors=colors), "fig_cdf")
            _left_out_line(f"{no_cdf} without a cumulative distribution" if no_cdf else "")
    for which in ("Q-Q", "P-P"):
        if is_open(which):
            with tabs[which]:
                agreement_tab(emp, models, colors, which, _chart)
    if is_open("Ranking"):
        with tabs["Ranking"]:
            bootstrap_col, _ = st.columns([1, 3])
            with bootstrap_col:
                st.number_input("Bootstrap resamples B (0 = off)", min_value=0, max_value=2000, step=50,
                                help="Resample the data B times, refit every model, and show 95% intervals for the KL.",
                                **bind("w_bootstrap", state.BOOTSTRAP))
            if emp.n is None and state.get(state.BOOTSTRAP):
                st.caption("Probability input has no N, so there is nothing to resample: no intervals.")
            _chart(plots.ranking_figure(table, base, colors=colors), "fig_ranking")
            failed = sum(1 for _, row in table.iterrows() if math.isnan(float(row["kl"])))
            if failed:
                st.caption(f"{failed} could not be fitted: see the table.")
            bootstrap_intervals(emp, result.requests, labels, in_order, int(state.get(state.BOOTSTRAP) or 0))
    if is_open("Try a parameter"):
        with tabs["Try a parameter"]:
            sweep_section(emp, result, base)


# ---------------------------------------------------------------- the layouts
if present:
    st.html(PRESENT_CSS)
    with st.container(key="present_view"):
        _verdict()
        _how_many()
        _distributions()
        _ranking_table()
    _other_views()
else:
    _verdict()
    _explanations(_ranking_table())
    binned_resolutions(emp, models, labels, kl_by_key, base)
    draws_download(result.fitted, labels, in_order)
    _how_many()
    _other_views()

show_failures(table)
