"""Make sure every page runs inside app.py's frame (navigation, sidebar, page config).

Streamlit 1.67 treats a folder named ``pages/`` beside ``app.py`` as a legacy (v1)
multipage app until ``app.py`` has called ``st.navigation`` once in the server process.
Until then, a first visit straight to ``/compare`` runs ``pages/compare.py`` on its own:
no sidebar, no settings, and file names as the menu. :func:`require_app` notices that
mode, switches it off, and reruns, which sends the request through ``app.py``.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def require_app() -> None:
    """Rerun through app.py when Streamlit ran this page as a legacy pages/ script."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
