"""Session-state keys that outlive a page, and their accessors.

Everything a later page needs lives under the plain keys below, never only under a
widget's key (Streamlit drops a widget's key when its page is not rendered). Widgets
copy their values here (see :mod:`ui.widgets`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from kl_core import Empirical, vocabulary

# The dataset -------------------------------------------------------------------
EMP = "emp"  # the current Empirical, or None
DATASET_NAME = "dataset_name"  # what the data is called (a sample's title, a file name)
DATASET_SOURCE = "dataset_source"  # one line on where it came from
SOURCE_FRAME = "source_frame"  # the table the dataset is read from (never the raw upload bytes)
SOURCE_ID = "source_id"  # content id of that table: "sample:worms", "upload:<sha256>", ...
READ_OPTIONS = "read_options"  # how the table is read: column, shape, weight_column, kind, bins
READ_GUESS = "read_guess"  # the automatic guess for the shape, shown next to the choice
READ_ORIGIN = "read_origin"  # (SOURCE_ID, READ_OPTIONS) the current EMP was built from
READ_ERROR = "read_error"  # (origin, message) of the last failed reading, shown until fixed
UPLOAD_ERROR = "upload_error"  # (sha256, message) of the last upload that could not be read
TABLE_DRAFT = "table_draft"  # the typed frequency table (value, count)
PASTED_TEXT = "pasted_text"  # the pasted values
DATA_SOURCE_CHOICE = "data_source_choice"  # which of the Data page's inputs is open
SAMPLE_CHOICE = "sample_choice"  # the sample picked on the Data page

# The models ------------------------------------------------------------------
MODEL_REQUESTS = "model_requests"  # list of (name, options), or None: use the defaults
MODEL_FORM = "model_form"  # the Models page's choices (ticked families and their options)

# How to compare ----------------------------------------------------------------
UNITS = "units"  # "bits" or "nats"
ZERO_POLICY = "zero_policy"  # "strict" or "epsilon"
EPSILON = "epsilon"  # the ε-floor's weight
BOOTSTRAP = "bootstrap"  # resamples for the ranking's intervals; 0 = off
RANK_BY = "rank_by"  # what orders the ranking: "kl", "aic" or "bic"
LAST_COMPARISON = "last_comparison"  # the Comparison the Compare page last showed
PLOTTED = "plotted"  # how many of the best models the Compare page's figures draw

# Sharing and presenting (see ui.url and kl_core.share) ------------------------------
PRESENT = "present"  # the presentation layout of the Compare page
URL_RESTORED = "url_restored"  # True once this session has read its link's query parameters
URL_MESSAGES = "url_messages"  # what the link had that could not be used, shown until a run completes
PENDING_REQUESTS = "pending_requests"  # models a link asked for before there was data; used by the next dataset
PENDING_DATA = "pending_data"  # the link's data fingerprint (start): its models wait for data with this fingerprint

DEFAULTS: dict[str, Any] = {
    EMP: None,
    DATASET_NAME: "",
    DATASET_SOURCE: "",
    SOURCE_FRAME: None,
    SOURCE_ID: None,
    READ_OPTIONS: None,
    READ_GUESS: "",
    READ_ORIGIN: None,
    READ_ERROR: None,
    UPLOAD_ERROR: None,
    TABLE_DRAFT: None,
    PASTED_TEXT: "",
    DATA_SOURCE_CHOICE: "sample",
    SAMPLE_CHOICE: "worms",
    MODEL_REQUESTS: None,
    MODEL_FORM: None,
    UNITS: vocabulary.DEFAULT_UNITS,
    ZERO_POLICY: vocabulary.DEFAULT_ZERO_POLICY,
    EPSILON: vocabulary.EPSILON,
    BOOTSTRAP: 0,
    RANK_BY: "kl",
    LAST_COMPARISON: None,
    PLOTTED: vocabulary.DEFAULT_PLOTTED,
    PRESENT: False,
    URL_RESTORED: False,
    URL_MESSAGES: (),
    PENDING_REQUESTS: None,
    PENDING_DATA: None,
}


def init() -> None:
    """Give every plain key its default once per session."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value


def get(key: str) -> Any:
    """The value under a plain key (its default if the session has not set it)."""
    return st.session_state.get(key, DEFAULTS.get(key))


def put(key: str, value: Any) -> None:
    """Set a plain key."""
    st.session_state[key] = value


def emp() -> Empirical | None:
    """The current dataset, or None."""
    return get(EMP)


def base() -> float:
    """Log base of the chosen units: 2 for bits, e for nats."""
    return vocabulary.base_of(get(UNITS))


def set_dataset(empirical: Empirical, name: str, source: str) -> None:
    """Make ``empirical`` the current dataset; the model choice starts afresh for it.

    Models a link asked for before there was data (``PENDING_REQUESTS``) become the
    choice for the first dataset, those that apply to it; when the link named its data
    by fingerprint (``PENDING_DATA``), only for data with that fingerprint: other data
    gets the defaults and the link keeps waiting.
    """
    changed = get(EMP) is None or get(EMP).fingerprint() != empirical.fingerprint()
    put(EMP, empirical)
    put(DATASET_NAME, name)
    put(DATASET_SOURCE, source)
    if changed:
        put(MODEL_REQUESTS, None)
        put(MODEL_FORM, None)
        put(LAST_COMPARISON, None)
        if get(PENDING_REQUESTS) is not None and waiting_for(empirical) is None:
            from ui.requests import usable_requests

            put(MODEL_REQUESTS, usable_requests(get(PENDING_REQUESTS), empirical) or None)
            put(PENDING_REQUESTS, None)
            put(PENDING_DATA, None)


def waiting_for(empirical: Empirical | None) -> str | None:
    """The fingerprint a link's models wait for, when ``empirical`` is not that data; else None."""
    wanted = get(PENDING_DATA)
    if not wanted or get(PENDING_REQUESTS) is None:
        return None
    if empirical is not None and empirical.fingerprint().startswith(wanted):
        return None
    return wanted


def clear_dataset() -> None:
    """No current dataset (after a reading that failed)."""
    put(EMP, None)
    put(LAST_COMPARISON, None)
