"""KL Model Lab: bring data, fit candidate distributions, rank them by KL divergence.

Run with ``streamlit run app.py``. The maths lives in ``kl_core``; the pages only read
widgets, call it, and show the results.

The address bar carries the comparison (``?sample=worms&models=uniform,binomial&units=nats``,
format in :mod:`kl_core.share`): a link or a refresh restores it (:func:`ui.url.restore`,
first run of a session) and every completed run writes it back (:func:`ui.url.run_page`).
"""

import streamlit as st

from ui import sidebar, state, url

# Decided before anything renders: the presentation view starts with the sidebar collapsed.
st.set_page_config(page_title="KL Model Lab", layout="wide",
                   initial_sidebar_state="collapsed" if url.present_requested() else "auto")
state.init()

# One entry per page; a new page is one more line here. The names are the ones ``page=`` takes.
PAGES = {
    "home": st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    "data": st.Page("pages/data.py", title="Data", icon=":material/table_chart:"),
    "models": st.Page("pages/models.py", title="Models", icon=":material/functions:"),
    "compare": st.Page("pages/compare.py", title="Compare", icon=":material/leaderboard:"),
    "learn": st.Page("pages/learn.py", title="Learn", icon=":material/school:"),
    "report": st.Page("pages/report.py", title="Report", icon=":material/description:"),
}

# The menu is drawn by ui.sidebar (links that keep the comparison in the address).
page = st.navigation(list(PAGES.values()), position="hidden")
url.restore(PAGES, page)
menu = sidebar.render(PAGES)
url.show_messages()
url.run_page(page)
sidebar.refresh_menu(menu)  # the links carry what the page itself changed
