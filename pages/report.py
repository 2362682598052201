"""Report: download the current comparison as CSV, JSON, an offline HTML report, or a Python script.

The comparison is the one the Compare page shows: the same dataset, model requests and
settings, fetched through the same cached function (``ui.run.fit_with_progress``), so
nothing is recomputed differently here. The file contents come from ``kl_core.export``.
"""

import dataclasses
import re

import streamlit as st

from kl_core import export
from kl_core.display import format_count
from kl_core.ranking import RANK_BY, ranked_by, verdict
from ui import state
from ui.run import fit_with_progress, requests_for
from ui.text import escape_markdown
from ui.frame import require_app

require_app()

PREVIEW_LINES = 18

st.title("Report")
emp = state.emp()
if emp is None:
    st.info("There is nothing to report yet: load a dataset first (or pick a sample on Home), then come back here "
            "to download the ranking, the full results, an offline HTML report or a Python script.", icon=":material/info:")
    st.page_link("pages/data.py", label="Go to Data", icon=":material/table_chart:")
    st.stop()

requests, _ = requests_for(emp)  # the same requests the Compare page uses
if not requests:
    st.info("No model applies to this data yet: choose models first.", icon=":material/info:")
    st.page_link("pages/models.py", label="Choose models", icon=":material/functions:")
    st.stop()

result = fit_with_progress(emp, requests)
if result is None:
    st.stop()
# The Compare page's "Rank by" (session key "rank_by"); AIC and BIC need N observations, else KL.
order = state.get("rank_by") or "kl"
order = order if order in RANK_BY and (order == "kl" or emp.n is not None) else "kl"
if order != result.rank_by:
    result = dataclasses.replace(result, table=ranked_by(result.table, order), rank_by=order)

name = state.get(state.DATASET_NAME) or emp.name or "data"
source = state.get(state.DATASET_SOURCE) or None
stem = "kl-" + (re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:60] or "data")

st.markdown(f"**{escape_markdown(verdict(result.table, result.base))}**")
st.caption(
    f"Data: {escape_markdown(name)} · N {format_count(emp.n) if emp.n is not None else 'unknown'} · "
    f"{len(result.table)} model(s) ranked by {result.rank_by.upper()} · KL in {result.unit} · zero policy {result.zero_policy}. "
    "These files describe exactly the ranking shown on the Compare page."
)
st.page_link("pages/compare.py", label="See it on the Compare page", icon=":material/leaderboard:")

drawn = int(state.get(state.PLOTTED) or export.MAX_PLOTTED)  # as many models as the Compare page's figures draw
csv_text = export.ranking_csv(result.table)
json_text = export.comparison_json(result, source=source)
snippet = export.python_snippet(result)


def _html() -> bytes:
    # Built only when the button is clicked (a few MB, most of it plotly.js), outside the script run.
    return export.html_report(result, title=f"KL Model Lab report: {name}", source=source, max_models=drawn).encode("utf-8")


def _head(text: str, lines: int = PREVIEW_LINES) -> str:
    shown = text.splitlines()
    more = len(shown) - lines
    return "\n".join(shown[:lines]) + (f"\n… ({more:,} more lines)" if more > 0 else "")


top_left, top_right = st.columns(2)
bottom_left, bottom_right = st.columns(2)

with top_left.container(border=True):
    st.subheader("Ranking (CSV)")
    st.markdown("One row per model, best first: KL, reverse KL, JS, cross-entropy, log-likelihood, AIC, BIC, "
                "G-test, parameters and notes. Opens safely in a spreadsheet (∞ is written `inf`).")
    st.download_button("Download ranking.csv", data=csv_text.encode("utf-8"), file_name=f"{stem}-ranking.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:", key="report_csv")
    with st.expander("Preview"):
        st.code(_head(csv_text, 6), language="text", wrap_lines=False)

with top_right.container(border=True):
    st.subheader("Everything (JSON)")
    st.markdown("The data itself (support, counts, fingerprint), the settings, every model's request, fit and "
                "measures, the verdict and the library versions. KL Model Lab can rerun it exactly; "
                "infinite values are the strings `\"inf\"`, unavailable ones `null`.")
    st.download_button("Download comparison.json", data=json_text.encode("utf-8"), file_name=f"{stem}-comparison.json",
                       mime="application/json", on_click="ignore", icon=":material/download:", key="report_json")
    with st.expander("Preview"):
        st.code(_head(json_text), language="json")

with bottom_left.container(border=True):
    st.subheader("Report (HTML)")
    st.markdown("A single file to share or present: the verdict, the data summary, the ranking table (parameters "
                "± standard errors, Akaike weights), every figure (interactive, with density, Q-Q and P-P plots), "
                "goodness of fit for continuous data, the settings and a short note on why KL ranks models. It works "
                "offline: plotly.js is inside (which makes it about 5 MB), with no links to the internet.")
    st.download_button("Download report.html", data=_html, file_name=f"{stem}-report.html", mime="text/html",
                       on_click="ignore", icon=":material/download:", key="report_html")
    with st.expander("Preview"):
        figures = ", ".join(heading if heading[:3] in ("Q-Q", "P-P") else heading.lower()
                            for heading, _ in export.report_figures(result, drawn))
        fit_check = " · goodness of fit (KS, CvM, AD)" if emp.kind == "binned" else ""
        st.markdown(f"Sections: the verdict · the data · ranking table{fit_check} · figures ({escape_markdown(figures)}) · "
                    "why KL ranks models · settings and versions.")

with bottom_right.container(border=True):
    st.subheader("Python script")
    st.markdown("Rebuilds this dataset and reruns the same models with the same settings using `kl_core`, then "
                f"prints the ranking. It runs in any folder where `kl_core` is installed (`pip install .` in the "
                f"project folder, see the README): `python {stem}-rerun.py`.")
    st.download_button("Download rerun.py", data=snippet.encode("utf-8"), file_name=f"{stem}-rerun.py",
                       mime="text/x-python", on_click="ignore", icon=":material/download:", key="report_python")
    with st.expander("Preview"):
        st.code(_head(snippet, 30), language="python", wrap_lines=False)

not_rerunnable = [key for key in result.table["model"] if key not in result.requests]
if not_rerunnable:
    st.caption("Not in the JSON rerun or the script (they were passed as ready-made models): "
               + ", ".join(escape_markdown(k) for k in not_rerunnable))
