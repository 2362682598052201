"""Make sure every page runs inside app.py's frame (navigation, sidebar, page config).

Streamlit 1.67 treats a folder named ``pages/`` beside ``app.py`` as a legacy (v1)
multipage app until ``app.py`` has called ``st.navigation`` once in the server process
(and ``AppTest`` starts every run in that mode). A first visit straight to
``/compare`` then runs ``pages/compare.py`` on its own (see :mod:`ui.streamlit_private`): no sidebar, no settings, and
file names as the menu. :func:`require_app` notices that mode, switches it off and runs
``app.py`` in its place, in the same run, so widget values (a click) are kept; app.py's
``st.navigation`` then runs the requested page inside the frame.
"""

import runpy
from pathlib import Path

import streamlit as st

from ui.streamlit_private import leave_legacy_pages_mode, legacy_pages_mode

APP_SCRIPT = Path(__file__).resolve().parents[1] / "app.py"


def require_app() -> None:
    """Run app.py instead of this page when Streamlit ran the page as a legacy pages/ script.

    Call it at the top of every page, after the imports.
    """
    if legacy_pages_mode():
        leave_legacy_pages_mode()
        runpy.run_path(str(APP_SCRIPT), run_name="__main__")
        st.stop()
