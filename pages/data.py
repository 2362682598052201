"""Data: load a dataset (sample, upload, paste, typed table), choose how to read it, look at it."""

import pandas as pd
import streamlit as st

from kl_core.display import summary_rows
from kl_core.io import EXTENSIONS, shape
from kl_core.plots import empirical_figure
from kl_core.samples import SAMPLES
from ui import loading, server_folder, sidebar, state
from ui.charts import chart
from ui.text import escape_markdown, error as show_error, warning as show_warning
from ui.widgets import bind, bind_item, pairs_table
from ui.frame import require_app

require_app()

SOURCES = {
    "sample": "Sample dataset",
    "upload": "Upload a file",
    "paste": "Paste values",
    "table": "Type a frequency table",
    **server_folder.source_option(),  # "Server folder", when the operator set KL_DATA_DIR
}
UPLOAD_TYPES = list(EXTENSIONS)
KINDS = ("auto", "discrete", "categorical", "binned")
DEFAULT_TABLE = pd.DataFrame({"value": ["0", "1", "2", "3"], "count": [5.0, 9.0, 4.0, 2.0]})

st.title("Data")
st.caption("Bring the data whose distribution you want to model. It stays loaded while you move between pages.")

# ------------------------------------------------------------------ the source
source = st.radio("Where does the data come from?", list(SOURCES), format_func=SOURCES.get, horizontal=True,
                  **bind("w_source", state.DATA_SOURCE_CHOICE, SOURCES))

if source == "sample":
    pick_col, _ = st.columns([1, 1])
    with pick_col:
        choice = st.selectbox("Sample", list(SAMPLES), format_func=lambda key: SAMPLES[key].title,
                              **bind("w_sample", state.SAMPLE_CHOICE, SAMPLES))
        st.caption(SAMPLES[choice].description)
        st.button("Load this sample", type="primary", on_click=loading.load_sample, args=(choice,), key="load_sample")

elif source == "upload":
    uploaded = st.file_uploader(
        "Upload a table", type=UPLOAD_TYPES, key="w_upload",
        help="CSV, TSV or text (delimiter and decimal mark are detected), Excel, Parquet or JSON. Up to 200 MB.",
    )
    if uploaded is not None:
        picked_for, picked = state.get("upload_sheet") or (None, None)  # a sheet chosen for this very file
        problem = loading.load_upload(uploaded.getvalue(), uploaded.name, picked if picked_for == uploaded.file_id else None)
        if problem:
            show_error(problem)
        sheets = getattr(state.get(state.SOURCE_FRAME), "attrs", {}).get("sheets", [])
        if not problem and len(sheets) > 1:  # a workbook with several sheets: choose which one to read
            current = state.get(state.SOURCE_FRAME).attrs.get("sheet")
            chosen = st.selectbox("Sheet", sheets, index=sheets.index(current) if current in sheets else 0,
                                  key=f"w_sheet_{uploaded.file_id}")
            if chosen != current:
                state.put("upload_sheet", (uploaded.file_id, chosen))
                st.rerun()
    st.caption("One value per row, or a (value, count) or (value, probability) table: the shape is guessed below and you can change it.")

elif source == "paste":
    st.text_area("Values", height=120, placeholder="3, 5, 4, 4, 6, 2\nor: H T T H H", **bind("w_paste", state.PASTED_TEXT))
    st.caption("Numbers or labels, separated by commas, spaces or new lines. Each one is an observation.")
    if st.button("Use these values", type="primary", key="use_pasted"):
        problem = loading.load_pasted(state.get(state.PASTED_TEXT))
        if problem:
            show_error(problem)

elif source == server_folder.SOURCE_KEY:
    server_folder.render()

else:
    draft = state.get(state.TABLE_DRAFT)
    edited = st.data_editor(
        DEFAULT_TABLE if draft is None else draft, num_rows="dynamic", key="w_table", width="content",
        column_config={
            "value": st.column_config.TextColumn("value", help="A value or a label"),
            "count": st.column_config.NumberColumn("count", min_value=0, help="How often it was seen (or its probability)"),
        },
    )
    st.caption("Type each value with its count (or probability, then choose value + probability below). Add rows at the bottom.")
    if st.button("Use this table", type="primary", key="use_table"):
        problem = loading.load_table(edited)
        if problem:
            show_error(problem)
        else:
            state.put(state.TABLE_DRAFT, edited.copy())

sidebar.refresh_if_stale()
frame = state.get(state.SOURCE_FRAME)
options = state.get(state.READ_OPTIONS)

if frame is None:
    st.info("No data yet. Load a sample, upload a file, paste values or type a table above.", icon=":material/info:")
    st.stop()

# ------------------------------------------------------------ how to read it
st.divider()
st.subheader("How to read it")
st.text(f"Source: {state.get(state.DATASET_SOURCE)}")
guess = state.get(state.READ_GUESS)
if isinstance(guess, shape.Guess):
    guessed = loading.same_reading(options, guess.options)
    switch_to = guess.alternative if guessed else guess.options
    if guessed:
        st.info(loading.with_code_names(guess.text), icon=":material/lightbulb:")
    else:
        st.caption(f"Automatic guess: {loading.with_code_names(guess.text)}")
    if switch_to is not None:
        st.button(loading.with_code_names(f"Read {shape.describe(switch_to)} instead") if guessed else "Back to the automatic guess",
                  on_click=loading.use_reading, args=(switch_to,), key="switch_reading", icon=":material/swap_horiz:")

columns = [str(c) for c in frame.columns]
shapes = list(loading.SHAPE_LABELS)
left, middle, right = st.columns(3)
with left:
    st.selectbox("Column with the values", columns, **bind_item("w_column", options, "column", columns))
with middle:
    st.radio("Shape", shapes, format_func=loading.SHAPE_LABELS.get, **bind_item("w_shape", options, "shape", shapes))
with right:
    if options["shape"] != "observations":
        others = [c for c in columns if c != options["column"]] or columns
        label = "Count column" if options["shape"] == "counts" else "Probability column"
        st.selectbox(label, others, **bind_item("w_weight", options, "weight_column", others))
    st.selectbox("Kind", KINDS, help="auto: whole numbers with at most 1,000 distinct values → discrete, text → categorical, "
                 "other numbers (and tables with more values) → binned (continuous). Choose discrete to keep every value.",
                 **bind_item("w_kind", options, "kind", KINDS))
    emp_now = state.emp()
    if options["kind"] == "binned" or (options["kind"] == "auto" and emp_now is not None and emp_now.kind == "binned"):
        bins_modes = ("auto", "number")
        mode = st.radio("Bins", bins_modes, horizontal=True,
                        format_func={"auto": "auto (Freedman–Diaconis)", "number": "a number"}.get,
                        key="w_bins_mode", index=0 if options.get("bins", "auto") == "auto" else 1)
        if mode == "number":
            current = options.get("bins")
            bins = st.number_input("Number of bins", min_value=1, max_value=500, step=1, key="w_bins",
                                   value=int(current) if current not in (None, "auto") else 30)
            options["bins"] = int(bins)
        else:
            options["bins"] = "auto"

loading.build_current()
sidebar.refresh_if_stale()  # the sidebar was drawn before this page loaded or re-read the data
emp = state.emp()
error = state.get(state.READ_ERROR)
if error:
    show_error(f"{error}")
    text_rows, texts = loading.text_in_numbers(frame, options)
    if text_rows and not options.get("drop_text"):
        shown_texts = ", ".join(repr(t) for t in texts)
        st.button(escape_markdown(f"Drop these {text_rows:,} rows (text such as {shown_texts})"), on_click=loading.drop_text_rows,
                  key="drop_text_rows", icon=":material/delete_sweep:")
    st.caption("Change the column, the shape or the kind above, or load other data.")

# ------------------------------------------------------------------ look at it
st.divider()
preview_column, summary_column = st.columns([3, 2])
with preview_column:
    st.subheader("Preview")
    total = frame.attrs.get("rows", len(frame))  # a server-folder file: its own row count, None when unknown (CSV)
    st.caption(f"The first {min(len(frame), 10)} of {total:,} rows." if total is not None else f"The first {min(len(frame), 10)} rows.")
    st.dataframe(frame.head(10), hide_index=True, width="stretch")
with summary_column:
    st.subheader("Summary")
    if emp is not None:
        pairs_table(summary_rows(emp.summary(state.base()), state.base()), "Statistic", "Value")

if emp is None:
    st.stop()

for warning in emp.warnings:
    show_warning(warning)
chart(empirical_figure(emp, state.base()), "empirical_figure")
st.page_link("pages/models.py", label="Next: choose the models", icon=":material/arrow_forward:")
