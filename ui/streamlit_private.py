"""The one door to Streamlit's private APIs; checked against streamlit 1.67.0.

The app needs three things Streamlit has no public API for. Each is imported here and
nowhere else; tests/test_streamlit_private.py fails, naming the API, when an upgrade
changes one of them.

* ``PagesManager.uses_pages_directory`` (``streamlit.runtime.pages_manager``): a folder
  named ``pages/`` beside ``app.py`` (the design keeps that name) makes Streamlit treat a
  first visit straight to ``/compare`` as a legacy (v1) multipage app, running the page
  script on its own, until ``app.py`` has called ``st.navigation`` in the server process.
  There is no public switch: Streamlit keeps the flag as "a relic of v1 of Multipage apps"
  (streamlit/streamlit#10276). :mod:`ui.frame` reads it and switches it off.
* ``RerunException`` and ``StopException`` (``streamlit.runtime.scriptrunner``): what
  ``st.rerun()`` and ``st.stop()`` raise. :mod:`ui.url` lets a rerun through untouched and
  still saves the link after ``st.stop()``.
* The frontend's ``data-testid`` names: the presentation view's CSS (:mod:`ui.styles`)
  targets them; :data:`TESTIDS_USED` lists them and :func:`missing_testids` checks them
  against the installed frontend bundle.
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import RerunException, StopException

__all__ = [
    "CHECKED_VERSION", "RerunException", "StopException", "TESTIDS_USED", "leave_legacy_pages_mode",
    "legacy_pages_mode", "missing_testids",
]

CHECKED_VERSION = "1.67.0"  # the streamlit release these private APIs were checked against
TESTIDS_USED = ("stCaptionContainer", "stTab", "stTable")  # data-testid values ui/styles.py targets


def legacy_pages_mode() -> bool:
    """True while Streamlit runs ``pages/*.py`` as legacy (v1) multipage scripts."""
    return bool(PagesManager.uses_pages_directory)


def leave_legacy_pages_mode() -> None:
    """Switch legacy pages mode off for the server process (app.py's ``st.navigation`` takes over)."""
    PagesManager.uses_pages_directory = False


def missing_testids(testids: tuple[str, ...] = TESTIDS_USED) -> list[str]:
    """The ``data-testid`` values the installed Streamlit frontend no longer renders.

    Reads the frontend's JavaScript bundle (``streamlit/static``) as text, looking for
    ``"data-testid":`` followed by the quoted name; it runs nothing.
    """
    bundle = Path(streamlit.__file__).parent / "static"
    text = "\n".join(path.read_text(encoding="utf-8", errors="ignore") for path in bundle.rglob("*.js"))
    return [testid for testid in testids
            if not re.search(r'"data-testid":[^,}]{0,60}?[`"\']' + re.escape(testid) + r'[`"\']', text)]
