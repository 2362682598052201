"""Models: tick candidate families, set their options, add your own, and fit them."""

import pandas as pd
import streamlit as st

from kl_core import DataError
from kl_core.display import display_label
from kl_core.formula import describe_allowed, parse_formula
from kl_core.io import EXTENSIONS
from kl_core.models import REGISTRY, format_params
from kl_core.models.registry import catalogue_split, whole_catalogue
from kl_core.models.user import reference_from_table
from ui import cache, loading, state, url
from ui.requests import DECLARED, GROUP_TITLES, build_requests, fixable_parameters, groups, new_form, untouched, why_not
from ui.run import fit_with_progress, settings, show_failures
from ui.text import escape_markdown, error as show_error
from ui.widgets import bind_item
from ui.frame import require_app
from ui.mixture_choices import OWN_INPUTS, mixture_choices
from ui.cullen_frey import cullen_frey_expander

require_app()

CHECKBOX_COLUMNS = 4

st.title("Models")
url.waiting_note()
emp = state.emp()
if emp is None:
    st.info("Load some data first: the families on offer depend on it.", icon=":material/info:")
    st.page_link("pages/data.py", label="Go to Data", icon=":material/table_chart:")
    st.stop()

form = state.get(state.MODEL_FORM)
if form is None:
    form = new_form(emp, state.get(state.MODEL_REQUESTS))
    state.put(state.MODEL_FORM, form)
st.caption(
    f"Tick the candidate distributions for {escape_markdown(state.get(state.DATASET_NAME) or emp.name)} "
    f"({emp.kind} data). Greyed-out families do not apply to it: hover for the reason."
)
cullen_frey_expander(emp)


def _tick(name: str) -> None:
    form["ticked"][name] = st.session_state[f"w_pick_{name}"]


def _pin(index: int) -> None:
    form["pinned_on"][index] = st.session_state[f"w_pinned_{index}"]


def _whole_catalogue() -> None:
    on = st.session_state["w_whole_catalogue"]
    form["whole_catalogue"] = on
    for name in whole_catalogue(emp):
        form["ticked"][name] = on
        st.session_state[f"w_pick_{name}"] = on


def _checkboxes(names: list[str]) -> None:
    columns = st.columns(CHECKBOX_COLUMNS)
    for index, name in enumerate(names):
        spec = REGISTRY[name]
        reason = why_not(name, emp)
        key = f"w_pick_{name}"
        st.session_state[key] = bool(form["ticked"].get(name)) and reason is None
        with columns[index % CHECKBOX_COLUMNS]:
            st.checkbox(
                spec.label, key=key, disabled=reason is not None, on_change=_tick, args=(name,),
                help=escape_markdown(f"{name}: not applicable. {reason}" if reason else f"{name}: {spec.how_fitted}"),
            )


# ---------------------------------------------------------------- the families
for group, names in groups().items():
    st.subheader(GROUP_TITLES.get(group, group.title()))
    if group == "continuous":
        main, rest = catalogue_split(names)
        _checkboxes(main)
        if rest:
            if emp.kind == "binned":
                st.session_state["w_whole_catalogue"] = bool(form.get("whole_catalogue"))
                st.toggle(f"Select the whole continuous catalogue ({len(whole_catalogue(emp))} families; slower)",
                          key="w_whole_catalogue", on_change=_whole_catalogue)
            ticked_rest = sum(bool(form["ticked"].get(n)) for n in rest)
            with st.expander(f"The rest of the catalogue: {len(rest)} more families ({ticked_rest} ticked)"):
                _checkboxes(rest)
    else:
        _checkboxes(names)

# ------------------------------------------------------------------- options
ticked = [n for n in REGISTRY if form["ticked"].get(n) and why_not(n, emp) is None]
st.divider()
st.subheader("Options")
if "uniform" in ticked and emp.is_integer:
    st.markdown("**Uniform: declared support** (empty = the observed minimum and maximum)")
    low_col, high_col, _ = st.columns([1, 1, 2])
    with low_col:
        st.number_input("low", step=1, value=None, placeholder=f"{emp.low:g}", **bind_item("w_uniform_low", form["declared"], "uniform.low"))
    with high_col:
        st.number_input("high", step=1, value=None, placeholder=f"{emp.high:g}", **bind_item("w_uniform_high", form["declared"], "uniform.high"))
if "binomial" in ticked:
    # Same layout as the uniform's support: a bold line saying what it is, then a short-labelled box.
    st.markdown("**Binomial: number of trials** (empty = the largest observed value)")
    n_col, _ = st.columns([1, 3])
    with n_col:
        st.number_input("n", min_value=1, step=1, value=None, placeholder=f"{emp.high:g}",
                        **bind_item("w_binomial_n", form["declared"], "binomial.n"))

mixture_choices(form, emp, ticked)
for name in form.get("extra", {}):
    if name in ticked and name not in OWN_INPUTS:
        st.caption(f"{REGISTRY[name].label} keeps its options from the sample: {escape_markdown(format_params(form['extra'][name]))}")
if form.get("pinned"):
    st.markdown("**Also compared, as the sample set them up**")
    for index, (name, options) in enumerate(form["pinned"]):
        st.session_state[f"w_pinned_{index}"] = form["pinned_on"][index]
        st.checkbox(f"{REGISTRY[name].label} ({escape_markdown(format_params(options))})", key=f"w_pinned_{index}",
                    on_change=_pin, args=(index,))

fixable = [n for n in ticked if REGISTRY[n].group != "yours" and [p for p in fixable_parameters(n) if p not in DECLARED.get(n, ())]]
if fixable:
    with st.expander(f"Fix parameters instead of fitting them ({len(fixable)} ticked families)"):
        st.caption("Write name=number, separated by commas, e.g. p=0.5. A fixed parameter is not fitted and not counted in AIC.")
        for name in fixable:
            allowed = ", ".join(p for p in fixable_parameters(name) if p not in DECLARED.get(name, ()))
            st.text_input(f"{REGISTRY[name].label}: fixed parameters ({allowed})", placeholder=f"{allowed.split(', ')[0]}=…",
                          **bind_item(f"w_fixed_{name}", form["fixed"], name, default=""))

if "custom" in ticked:
    st.markdown("**Your PMF table**: each value with a weight (normalised for you). Values not listed get probability 0.")
    if form.get("custom_table") is None:
        form["custom_table"] = pd.DataFrame({"value": [str(v) for v in emp.support.tolist()], "weight": [1.0] * emp.k})
    if "w_custom" not in st.session_state:
        form["custom_base"] = form["custom_table"]
    form["custom_table"] = st.data_editor(
        form.get("custom_base", form["custom_table"]), num_rows="dynamic", key="w_custom", width="content",
        column_config={"value": st.column_config.TextColumn("value"), "weight": st.column_config.NumberColumn("weight", min_value=0.0)},
    )

if "expression" in ticked:
    st.markdown("**Your formula**: an unnormalised probability mass in x, fitted by maximum likelihood.")
    formula_col, help_col = st.columns([1, 1])
    with formula_col:
        formula_text = st.text_input("Formula", placeholder="p*(1-p)**x", **bind_item("w_formula", form, "formula", default=""))
        if formula_text.strip():
            try:
                parameters = parse_formula(formula_text).parameters
            except DataError as error:
                show_error(str(error))
            else:
                st.caption(f"Free parameters: {escape_markdown(', '.join(parameters)) or 'none'}")
                if parameters:
                    st.text_input("Start values", placeholder=", ".join(f"{p}=0.5" for p in parameters),
                                  **bind_item("w_formula_start", form, "formula_start", default=""))
    with help_col:
        st.code(describe_allowed(), language=None, wrap_lines=True)

if "empirical" in ticked:
    st.markdown("**Another dataset as the model** (drift): its empirical distribution is the model.")
    second = st.file_uploader("Second dataset", type=list(EXTENSIONS), key="w_reference_upload")
    if second is not None:
        reference_frame, message = loading.read_upload(second.getvalue(), second.name)
        if reference_frame is None:
            show_error(message)
        else:
            names = [str(c) for c in reference_frame.columns]
            column = st.selectbox("Its column with the values", names, key="w_reference_column")
            try:
                form["reference"] = reference_from_table(emp, reference_frame, column, name=second.name)
                form["reference_name"] = second.name
            except (DataError, ValueError) as error:
                show_error(f"Could not use {second.name}: {error}")
    if form.get("reference") is not None:
        st.text(f"Model: dataset {form['reference_name']} ({form['reference'].k:,} cells)")

requests, problems = build_requests(form, emp)
state.put(state.MODEL_REQUESTS, requests)
for name, problem in problems.items():
    if untouched(name, form):  # nothing typed or uploaded yet: a hint, not an error
        st.caption(f"{escape_markdown(REGISTRY[name].label)}: {escape_markdown(problem)}")
    else:
        show_error(f"{REGISTRY[name].label}: {problem}")

if not any(form["ticked"].get(n) for n in REGISTRY):
    st.caption("Nothing ticked: the Compare page will use the defaults for this data.")

# ------------------------------------------------------------------- fitting
st.divider()
left, right = st.columns([1, 3])
with left:
    fit_now = st.button(f"Fit {len(requests)} model{'s' if len(requests) != 1 else ''}", type="primary",
                        disabled=not requests, key="fit_models")
with right:
    st.page_link("pages/compare.py", label="See the comparison", icon=":material/leaderboard:")
if requests:
    key = cache.comparison_key(emp, requests, **settings())
    result = cache.cached_comparison(key)
    if fit_now and result is None:
        result = fit_with_progress(emp, requests)
    if result is not None:
        fitted = sum(1 for _ in result.fitted)
        best = display_label(result.table.iloc[0]) if result.best else "none with a finite KL"
        st.success(f"Fitted {fitted} of {len(result.table)}. Best: {escape_markdown(best)}.", icon=":material/check:")
        show_failures(result.table)
