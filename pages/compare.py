"""Compare: the ranking, the verdict, why KL ranks models, and the models plotted side by side.

Two layouts: the normal one (verdict, table, explanations, plots in tabs) and the
presentation view (``view=present`` in the link, or the toggle here): large type, the
verdict and the distribution plot first, then the ranking table, no explanations.
"""

import math

import streamlit as st

from kl_core import plots
from kl_core.display import format_number, ranking_display
from kl_core.ranking import verdict
from ui import state, url
from ui.run import fit_with_progress, requests_for, show_failures
from ui.sweep import sweep_section
from ui.text import escape_markdown
from ui.widgets import bind
from ui.frame import require_app
from ui.diagnostic_tabs import agreement_tab

require_app()

MAX_PLOTTED = 8  # more models than this make side-by-side plots unreadable
MAIN_COLUMNS = ("Rank", "Model", "Parameters", "Fitted parameters", "KL", "KL 95% interval", "P(best)", "AIC", "p-value", "Note")

# Static CSS only (never user text), scoped to the presentation container.
PRESENT_CSS = """<style>
.st-key-present_view h3 { font-size: 2.3rem !important; line-height: 1.2; }
.st-key-present_view [data-testid="stCaptionContainer"] { font-size: 1.15rem; }
.st-key-present_view [data-testid="stTable"] table { font-size: 1.35rem; }
.st-key-present_view [data-testid="stTable"] th { font-size: 1.2rem; }
.st-key-present_view [data-testid="stTab"] p { font-size: 1.15rem; }
</style>"""
PRESENT_FONT = 18  # plot text size in the presentation view

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

if emp is None:
    st.info("There is nothing to compare yet: load a dataset first (or pick a sample on Home).", icon=":material/info:")
    st.page_link("pages/data.py", label="Go to Data", icon=":material/table_chart:")
    st.stop()

requests, defaulted = requests_for(emp)
if defaulted:
    st.info(
        f"No models chosen yet, so the defaults for this data are compared: {', '.join(name for name, _ in requests)}. "
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
shown = ranking_display(table, base)
main_columns = [c for c in shown.columns if c.split(" (")[0] in MAIN_COLUMNS]
in_order = [str(key) for key in table["model"] if str(key) in result.fitted]
plotted = in_order[:MAX_PLOTTED]
models = {key: result.fitted[key] for key in plotted}
colors = plots.model_colors(plotted)
left_out = [(key, f"ranked below the top {MAX_PLOTTED}; see the table") for key in in_order[MAX_PLOTTED:]]
left_out += [(str(row["model"]), str(row["note"])) for _, row in table.iterrows() if str(row["model"]) not in result.fitted]
kl_by_key = {str(row["model"]): float(row["kl"]) for _, row in table.iterrows()}


def _caption_left_out(extra: list[tuple[str, str]] = ()) -> None:
    rows = left_out + list(extra)
    if rows:
        st.caption("Not plotted: " + "; ".join(f"{escape_markdown(name)} ({escape_markdown(why)})" for name, why in rows))


def _chart(figure, key: str) -> None:
    if present:  # Streamlit's chart theme sets tick and axis-title sizes, so they are set here too
        figure.update_layout(font={"size": PRESENT_FONT}, legend={"font": {"size": PRESENT_FONT}},
                             title={"font": {"size": PRESENT_FONT + 6}, "subtitle": {"font": {"size": PRESENT_FONT - 2}}},
                             margin={"t": (figure.layout.margin.t or 64) + 48},  # room for the larger title and legend
                             height=(figure.layout.height or 450) + 60)
        for update in (figure.update_xaxes, figure.update_yaxes):
            update(tickfont={"size": PRESENT_FONT - 2}, title={"font": {"size": PRESENT_FONT}})
    st.plotly_chart(figure, key=key)


def _verdict() -> None:
    st.markdown(f"### {escape_markdown(verdict(table, base))}")
    st.caption(f"Data: {escape_markdown(state.get(state.DATASET_NAME) or emp.name)} · KL in {result.unit} per observation · "
               f"zero policy: {'ε-floor, ε = ' + format_number(result.epsilon) if result.zero_policy == 'epsilon' else 'strict'}")


def _distributions() -> None:
    _chart(plots.distribution_bars(emp, models, colors=colors), "fig_bars")
    _caption_left_out()


def _explanations() -> None:
    with st.expander("All statistics (reverse KL, JS divergence, cross-entropy, log-likelihood, BIC, G-test)"):
        st.dataframe(shown, hide_index=True, width="stretch", key="ranking_table_full")

    with st.expander("Why KL ranks models"):
        st.markdown("For N observations with empirical distribution P̂ and a model Q, the log-likelihood is")
        st.latex(r"\log L(Q) = \sum_x N\,\hat P(x)\log Q(x) = -N\left(H(\hat P) + D_{\mathrm{KL}}(\hat P \,\|\, Q)\right)")
        st.markdown("H(P̂) is the same for every model, so **the smallest KL is the largest likelihood**. "
                    "With m fitted parameters (natural logs):")
        st.latex(r"\mathrm{AIC} = 2m - 2\log L \qquad\qquad G = 2N \cdot D_{\mathrm{KL}}(\hat P \,\|\, Q)")
        st.markdown("AIC charges each fitted parameter 2 nats; the G statistic is the likelihood-ratio test of the model "
                    "against the data, with K − 1 − m degrees of freedom for K cells.")


def _ranking_table() -> None:
    if present:  # an HTML table, so the presentation's large type reaches it (the grid draws on a canvas)
        st.table(shown[main_columns].set_index(main_columns[0]))
        return
    st.dataframe(shown, hide_index=True, width="stretch", column_order=main_columns, key="ranking_table",
                 column_config={"Parameters": st.column_config.TextColumn("Parameters", width="medium"),
                                "Note": st.column_config.TextColumn("Note", width="large")})


def _other_views() -> None:
    names = ["Small multiples", "Where bits are lost", "CDFs", "Q-Q", "P-P", "Ranking", "Try a parameter"]
    tabs = dict(zip(names if present else ["Distributions", *names],
                    st.tabs(names if present else ["Distributions", *names])))
    if "Distributions" in tabs:
        with tabs["Distributions"]:
            _distributions()
    with tabs["Small multiples"]:
        _chart(plots.small_multiples(emp, models, kl={k: kl_by_key[k] for k in models}, base=base, colors=colors), "fig_multiples")
        _caption_left_out()
    with tabs["Where bits are lost"]:
        _chart(plots.contributions_figure(emp, models, base, colors=colors), "fig_contributions")
        mark, cell = ("point", "bin") if emp.kind == "binned" else ("bar", "value")
        st.caption(f"Each {mark} is one {cell}'s term p·log(p/q); a model's terms add up to its KL. "
                   "Positive: the model under-predicts there; negative: it over-predicts.")
        _caption_left_out()
    with tabs["CDFs"]:
        no_cdf = [(key, "no cumulative distribution (a table or categorical model)") for key, model in models.items()
                  if model.cdf_function is None and emp.kind != "categorical"]
        _chart(plots.cdf_figure(emp, models, colors=colors), "fig_cdf")
        _caption_left_out(no_cdf)
    for which in ("Q-Q", "P-P"):
        with tabs[which]:
            agreement_tab(emp, models, colors, which, _chart)
    with tabs["Ranking"]:
        bootstrap_col, _ = st.columns([1, 3])
        with bootstrap_col:
            st.number_input("Bootstrap resamples B (0 = off)", min_value=0, max_value=2000, step=50,
                            help="Resample the data B times, refit every model, and show 95% intervals for the KL.",
                            **bind("w_bootstrap", state.BOOTSTRAP))
        if emp.n is None and state.get(state.BOOTSTRAP):
            st.caption("Probability input has no N, so there is nothing to resample: no intervals.")
        _chart(plots.ranking_figure(table, base, colors=plots.model_colors(in_order)), "fig_ranking")
        failed = [(str(row["model"]), str(row["note"])) for _, row in table.iterrows() if math.isnan(float(row["kl"]))]
        if failed:
            st.caption("Not plotted: " + "; ".join(f"{escape_markdown(n)} ({escape_markdown(w)})" for n, w in failed))
    with tabs["Try a parameter"]:
        sweep_section(emp, result, base)


# ---------------------------------------------------------------- the layouts
if present:
    st.html(PRESENT_CSS)
    with st.container(key="present_view"):
        _verdict()
        _distributions()
        _ranking_table()
    _other_views()
else:
    _verdict()
    _ranking_table()
    _explanations()
    _other_views()

show_failures(table)
