"""Static CSS the app injects (never user text), with the Streamlit ``data-testid`` names it targets.

Those names are Streamlit internals: :data:`ui.streamlit_private.TESTIDS_USED` lists them
and tests/test_streamlit_private.py checks each against the installed frontend.
"""

from __future__ import annotations

__all__ = ["PRESENT_CSS", "PRESENT_FONT"]

# Scoped to the presentation container. The table scrolls inside its own box rather than
# being cut at a phone's edge.
PRESENT_CSS = """<style>
.st-key-present_view h3 { font-size: 2.3rem !important; line-height: 1.2; }
.st-key-present_view [data-testid="stCaptionContainer"] { font-size: 1.15rem; }
.st-key-present_view [data-testid="stTable"] { overflow-x: auto; max-width: 100%; }
.st-key-present_view [data-testid="stTable"] table { font-size: 1.35rem; }
.st-key-present_view [data-testid="stTable"] th { font-size: 1.2rem; }
.st-key-present_view [data-testid="stTab"] p { font-size: 1.15rem; }
@media (max-width: 640px) {
  .st-key-present_view h3 { font-size: 1.5rem !important; }
  .st-key-present_view [data-testid="stTable"] table { font-size: 1rem; }
  .st-key-present_view [data-testid="stTable"] th { font-size: 0.95rem; }
}
</style>"""
PRESENT_FONT = 18  # plot text size in the presentation view
