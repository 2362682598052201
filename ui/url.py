"""The address bar and the session: a link restores a comparison, and the link follows it.

* :func:`restore` (first run of a session): the query parameters become the state
  (sample, models, units, zero policy, ε, bootstrap, bins, presentation view, page).
* :func:`run_page` runs the page, then :func:`sync` writes the current comparison back
  to ``st.query_params``, only when it differs (no rerun loops: writing query
  parameters does not rerun the script).
* :func:`share_box`: the shareable link in ``st.code`` (which has a copy button).

The URL format and the strict parsing live in :mod:`kl_core.share` (no Streamlit there).
Only a sample's data can travel in a link; for uploaded, pasted or typed data the link
carries the settings and the models, and the UI says so.
"""

from __future__ import annotations

from typing import Any, Mapping

import streamlit as st

from kl_core import share, vocabulary
from kl_core.display import family_label
from kl_core.samples import SAMPLES
from ui import loading, state
from ui.requests import usable_requests
from ui.streamlit_private import RerunException, StopException
from ui.text import escape_markdown
from ui.widgets import forget

SETTING_WIDGETS = ("w_units", "w_zero_policy", "w_epsilon", "w_bootstrap", "w_rank_by", "w_present")
UPLOAD_NOTE = "The link restores the settings and the models; upload the data again (it is not in the link)."
UPLOAD_AGAIN_NOTE = ("This link was made with uploaded data, which a link cannot carry: upload the same file again "
                     "(same contents, read the same way) and the comparison comes back, models, table and formula included.")


# ------------------------------------------------------------------ reading a link
def present_requested() -> bool:
    """Whether this run shows the presentation layout (decided before anything renders).

    On a session's first run the link decides (``view=present``); afterwards the state.
    """
    if not state.get(state.URL_RESTORED):
        try:
            return st.query_params.get("view") == "present"
        except Exception:  # noqa: BLE001 - a bad address must never stop the app
            return False
    return bool(state.get(state.PRESENT))


def restore(pages: Mapping[str, Any], current: Any) -> None:
    """On a session's first run, build the state from the query parameters.

    ``pages``: page name (as in ``page=``) -> ``st.Page``; ``current``: the page
    ``st.navigation`` chose. Messages about what was ignored are kept in
    ``URL_MESSAGES`` and shown by :func:`show_messages`.
    """
    if state.get(state.URL_RESTORED):
        return
    state.put(state.URL_RESTORED, True)
    shared, problems = share.from_params(st.query_params.to_dict(), pages=tuple(pages))
    messages = [("warning", text) for text in problems]
    given = shared.given
    if "sample" in given:
        _restore_sample(shared, messages)
    elif "bins" in given:
        messages.append(("warning", "bins only apply to a sample's continuous data: ignored."))
    if "models" in given:
        _restore_models(shared, messages)
    for key, plain, value in (("units", state.UNITS, shared.units), ("policy", state.ZERO_POLICY, shared.policy),
                              ("eps", state.EPSILON, shared.epsilon), ("boot", state.BOOTSTRAP, shared.bootstrap),
                              ("rank", state.RANK_BY, shared.rank_by),
                              ("view", state.PRESENT, shared.present)):
        if key in given:
            state.put(plain, value)
    forget(*SETTING_WIDGETS)
    state.put(state.URL_MESSAGES, tuple(messages))
    if "page" in given and shared.page in pages and pages[shared.page].url_path != getattr(current, "url_path", None):
        rest = {k: v for k, v in st.query_params.to_dict().items() if k != "page"}
        st.switch_page(pages[shared.page], query_params=rest)


def _restore_sample(shared: share.Shared, messages: list[tuple[str, str]]) -> None:
    key = shared.sample
    loading.load_sample(key)
    state.put(state.SAMPLE_CHOICE, key)
    state.put(state.DATA_SOURCE_CHOICE, "sample")
    forget("w_sample", "w_source")
    if shared.bins is None:
        return
    emp = state.emp()
    if emp is None or emp.kind != "binned":
        messages.append(("warning", f"bins only apply to continuous (binned) data; {SAMPLES[key].title} is not: ignored."))
        return
    options = dict(state.get(state.READ_OPTIONS) or {})
    options["bins"] = int(shared.bins)
    state.put(state.READ_OPTIONS, options)
    loading.build_current()
    if state.emp() is None:  # the data could not be read with these bins: back to automatic bins
        messages.append(("warning", f"The data could not be read with {shared.bins} bins: automatic bins are used."))
        options["bins"] = "auto"
        state.put(state.READ_OPTIONS, options)
        loading.build_current()


def _restore_models(shared: share.Shared, messages: list[tuple[str, str]]) -> None:
    requests = [(name, dict(options)) for name, options in shared.models or ()]
    emp = state.emp()
    if emp is None:
        state.put(state.PENDING_REQUESTS, requests)
        state.put(state.PENDING_DATA, shared.data)
        messages.append(("info", UPLOAD_AGAIN_NOTE if shared.data else UPLOAD_NOTE))
        return
    problems: list[str] = []
    usable = usable_requests(requests, emp, problems)
    messages += [("warning", f"{problem}.") for problem in problems]
    if usable:
        state.put(state.MODEL_REQUESTS, usable)
        state.put(state.MODEL_FORM, None)
    else:
        messages.append(("warning", "None of the link's models applies to this data: its default models are used."))


def show_messages() -> None:
    """What the link had that could not be used (plain text, Markdown escaped)."""
    for kind, text in state.get(state.URL_MESSAGES) or ():
        if kind == "info":
            st.info(escape_markdown(text), icon=":material/link:")
        else:
            st.warning(escape_markdown(text), icon=":material/link_off:")


# ------------------------------------------------------------------ writing a link
def current() -> share.Shared:
    """The shareable part of the session's comparison."""
    source = str(state.get(state.SOURCE_ID) or "")
    key = vocabulary.sample_key(source)
    sample = key if key in SAMPLES else None
    requests = state.get(state.MODEL_REQUESTS)
    emp = state.emp()
    waiting = state.waiting_for(emp)
    if (requests is None and emp is None) or waiting:
        requests = state.get(state.PENDING_REQUESTS)
    if waiting:
        data = waiting
    elif sample is None and emp is not None:
        data = share.fingerprint_prefix(emp.fingerprint())
    else:
        data = None
    bins = None
    options = state.get(state.READ_OPTIONS) or {}
    if sample is not None and options.get("bins") not in (None, "auto"):
        bins = int(options["bins"])
    units = state.get(state.UNITS)
    policy = state.get(state.ZERO_POLICY)
    return share.Shared(
        sample=sample,
        models=tuple((name, dict(opts)) for name, opts in requests) if requests else None,
        units=units if units in vocabulary.UNITS else vocabulary.DEFAULT_UNITS,
        policy=policy if policy in vocabulary.ZERO_POLICIES else vocabulary.DEFAULT_ZERO_POLICY,
        epsilon=float(state.get(state.EPSILON)),
        bootstrap=int(state.get(state.BOOTSTRAP) or 0),
        rank_by=state.get(state.RANK_BY) if state.get(state.RANK_BY) in vocabulary.RANK_BY else vocabulary.DEFAULT_RANK_BY,
        bins=bins,
        present=bool(state.get(state.PRESENT)),
        data=data,
    )


def sync() -> None:
    """Make ``st.query_params`` show the current comparison; writes only when something differs.

    Parameters this app does not own (``embed``, tracking tags, ...) are kept.
    """
    now = st.query_params.to_dict()
    wanted = share.to_params(current())
    wanted.update({key: value for key, value in now.items() if key not in share.KEYS})
    if now != wanted:
        st.query_params.from_dict(wanted)


def run_page(page: Any) -> None:
    """Run ``page``; when its run completes (or stops), sync the address bar and drop shown messages.

    A rerun (``st.switch_page``, ``st.rerun``) skips both: the next run does them.
    """
    try:
        page.run()
    except RerunException:
        raise
    except StopException:
        _finish()
        raise
    _finish()


def _finish() -> None:
    sync()
    state.put(state.URL_MESSAGES, ())


# ------------------------------------------------------------------ the share box
def share_link(page: str = "compare") -> tuple[str, bool]:
    """The link to the current comparison, and whether it is a full URL.

    With ``st.context.url`` (the page's address without its query) the link is that
    plus the query; without it, only the query string, which names the page.
    """
    shared = current()
    base = _base_url()
    if base:
        query = share.to_query(shared)
        return (f"{base}?{query}" if query else base), True
    return "?" + share.to_query(share.with_page(shared, page)), False


def _base_url() -> str | None:
    try:
        url = st.context.url
    except Exception:  # noqa: BLE001 - older or embedded runtimes
        return None
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None


def share_box(page: str = "compare") -> None:
    """The shareable link in ``st.code`` (copy button top right), with what it does not carry."""
    link, full = share_link(page)
    st.code(link, language=None, wrap_lines=True)
    if not full:
        st.caption("Add this to the app's address (the part before any ?) to share it.")
    if current().sample is None and state.emp() is not None:
        st.caption("The data is not in the link (only its fingerprint): whoever opens it uploads the same file, "
                   "and the comparison comes back.")
    requests = state.get(state.MODEL_REQUESTS) or []
    left_out = sorted({family_label(name) for name, options in requests if not share.shareable(name, options)})
    if left_out:
        st.caption(f"Not in the link: {escape_markdown(', '.join(left_out))} (add it again on the Models page).")


def waiting_note() -> None:
    """Say so when a link's comparison waits for its data (uploaded data, named by fingerprint)."""
    wanted = state.waiting_for(state.emp())
    if not wanted:
        return
    emp = state.emp()
    now = f" The data loaded now is different (fingerprint {share.fingerprint_prefix(emp.fingerprint())}…)." if emp else ""
    st.info(f"The link's comparison waits for its data: upload the file it was made with (fingerprint {wanted}…).{now}",
            icon=":material/upload_file:")
