"""Streamlit-only helpers for the KL Model Lab app (the maths lives in kl_core)."""
