"""KL Model Lab: bring data, fit candidate distributions, rank them by KL divergence.

Run with ``streamlit run app.py``. The maths lives in ``kl_core``; the pages only read
widgets, call it, and show the results.
"""

import streamlit as st

from ui import sidebar, state

st.set_page_config(page_title="KL Model Lab", layout="wide")
state.init()

# One entry per page; a new page is one more line here.
PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/data.py", title="Data", icon=":material/table_chart:"),
    st.Page("pages/models.py", title="Models", icon=":material/functions:"),
    st.Page("pages/compare.py", title="Compare", icon=":material/leaderboard:"),
    st.Page("pages/learn.py", title="Learn", icon=":material/school:"),
    st.Page("pages/report.py", title="Report", icon=":material/description:"),
]

page = st.navigation(PAGES)
sidebar.render()
page.run()
