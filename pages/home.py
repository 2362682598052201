"""Home: what the app does, one-click samples, and the three steps."""

import streamlit as st

from kl_core import share
from kl_core.samples import SAMPLES
from ui import loading, url
from ui.frame import require_app

require_app()

st.title("KL Model Lab")
st.markdown(
    "Bring empirical data, fit candidate distributions to it, and see which model loses the least information. "
    "Models are ranked by the Kullback–Leibler divergence D(data ‖ model): the bits (or nats) per observation "
    "you lose by describing the data with the model instead of the data itself. "
    "The worm-teeth story in one line: teeth counted on 100 worms — which simple model, uniform or binomial, "
    "loses the fewest bits?"
)

st.subheader("Start from a sample")
st.caption("Each button loads the data and goes straight to the comparison.")


def _open_sample(key: str) -> None:
    loading.load_sample(key)


columns = st.columns(len(SAMPLES))
for column, (key, sample) in zip(columns, SAMPLES.items()):
    with column:
        if st.button(sample.title, key=f"sample_{key}", help=sample.description, width="stretch",
                     type="primary" if key == "worms" else "secondary", on_click=_open_sample, args=(key,)):
            # The new address carries the comparison: one browser-history entry, not two.
            st.switch_page("pages/compare.py", query_params=share.to_params(url.current()))
        st.caption(sample.description)

st.subheader("Or bring your own, in three steps")
steps = st.columns(3)
with steps[0]:
    st.page_link("pages/data.py", label="1. Data", icon=":material/table_chart:")
    st.caption("Upload a file, paste values, or type a frequency table.")
with steps[1]:
    st.page_link("pages/models.py", label="2. Models", icon=":material/functions:")
    st.caption("Tick the candidate distributions; add your own table, formula or a second dataset.")
with steps[2]:
    st.page_link("pages/compare.py", label="3. Compare", icon=":material/leaderboard:")
    st.caption("See the ranking, the verdict, and the models plotted side by side.")
