"""Links: query parameters restore a comparison, the address follows it, and the presentation view.

``at.query_params`` set before the first ``run()`` is the link a session opens with;
after a run it holds what the app wrote back to the address bar. ``page=compare``
stands for a link's ``/compare`` path (AppTest has no path).
"""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kl_core import share

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_link(url: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(params)
    if url:
        at.context["url"] = url
    return at.run()


def ranking(at: AppTest):
    return next(frame.value for frame in at.dataframe if "Rank" in frame.value.columns)


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


# ------------------------------------------------------------ a link restores a comparison
def test_a_link_restores_sample_models_units_and_policy():
    at = open_link(sample="worms", models="uniform,binomial", units="nats", policy="epsilon", eps="0.0001", page="compare")
    assert not at.exception and not at.warning
    assert at.title[0].value == "Compare"
    models = ranking(at)["Model"].tolist()
    assert models == ["uniform", "binomial"]
    assert "KL (nats/obs)" in ranking(at).columns
    comparison = at.session_state["last_comparison"]
    assert comparison.unit == "nats" and comparison.zero_policy == "epsilon" and comparison.epsilon == pytest.approx(1e-4)
    assert at.session_state["dataset_name"] == "Worm teeth"
    assert "ε-floor, ε = " in at.caption[[c.value.startswith("Data:") for c in at.caption].index(True)].value


def test_model_options_and_bootstrap_come_from_the_link():
    at = open_link(sample="worms", models="binomial,uniform", opt="binomial.n:12,uniform.low:0,uniform.high:12",
                   boot="20", page="compare")
    assert not at.exception and not at.warning
    assert at.session_state["model_requests"] == [("binomial", {"n": 12}), ("uniform", {"low": 0, "high": 12})]
    shown = ranking(at).set_index("Model")
    assert shown.loc["binomial", "Parameters"].startswith("n=12")
    assert at.session_state["bootstrap"] == 20
    assert ranking(at)["KL 95% interval (bits)"].str.startswith("[").all()


def test_a_binned_sample_keeps_its_bins():
    at = open_link(sample="waiting", bins="20", models="norm,gamma", page="compare")
    assert not at.exception and not at.warning
    assert at.session_state["emp"].k == 20
    assert at.query_params["bins"] == "20"


def test_a_refresh_restores_what_the_address_bar_shows():
    at = open_link(sample="worms")
    at.sidebar.radio(key="w_units").set_value("nats").run()
    at.switch_page("pages/compare.py").run()
    address = dict(at.query_params)
    assert address == {"sample": "worms", "models": "uniform,binomial", "units": "nats"}
    again = open_link(**address, page="compare")  # a new session with the same address
    assert not again.exception
    assert again.session_state["last_comparison"].unit == "nats"
    assert ranking(again)["Model"].tolist() == ranking(at)["Model"].tolist()


# ------------------------------------------------------------ bad links
def test_bad_parameters_warn_and_are_skipped_without_an_exception():
    at = open_link(sample="worms", models="uniform,nosuch,<script>alert(1)</script>,norm", units="furlongs",
                   eps="nan", boot="-1", opt="binomial.n:1e999", view="x" * 10_000, page="compare")
    assert not at.exception
    text = warnings(at)
    assert "nosuch" in text and "script" in text  # named, as text
    assert "Normal is left out" in text  # known, but not for discrete data
    assert "units must be bits or nats" in text and "eps must be a number" in text and "boot must be between" in text
    assert "view is longer than" in text
    assert ranking(at)["Model"].tolist() == ["uniform"]
    assert at.session_state["units"] == "bits"
    assert at.query_params == {"sample": "worms", "models": "uniform"}  # the address is cleaned up


def test_warnings_go_away_on_the_next_run():
    at = open_link(sample="worms", models="uniform,nosuch", page="compare")
    assert "nosuch" in warnings(at)
    at.run()
    assert not at.warning


def test_an_unknown_sample_and_page_warn():
    at = open_link(sample="../../secrets", page="admin")
    assert not at.exception
    assert "There is no sample" in warnings(at) and "page must be" in warnings(at)
    assert at.title[0].value == "KL Model Lab"


def test_no_link_no_messages_and_a_clean_address():
    at = open_link()
    assert not at.exception and not at.warning
    assert at.query_params == {}


def test_foreign_parameters_stay_in_the_address():
    at = open_link(sample="worms", utm_source="mail")
    assert at.query_params["utm_source"] == "mail" and at.query_params["sample"] == "worms"


# ------------------------------------------------------------ the address follows the state
def test_changing_units_updates_the_address():
    at = open_link()
    at.button(key="sample_worms").click().run()
    assert at.query_params == {"sample": "worms", "models": "uniform,binomial"}
    at = open_link(sample="worms")
    at.sidebar.radio(key="w_units").set_value("nats").run()
    assert at.query_params["units"] == "nats"


def test_the_presentation_toggle_updates_the_address():
    at = open_link(sample="worms", page="compare")
    assert not at.toggle(key="w_present").value
    at.toggle(key="w_present").set_value(True).run()
    assert at.query_params["view"] == "present"
    at.toggle(key="w_present").set_value(False).run()
    assert "view" not in at.query_params


def test_models_without_data_wait_for_the_data():
    at = open_link(models="poisson,uniform", units="nats")
    assert not at.exception
    assert "upload the data again" in at.info[0].value
    assert at.query_params == {"models": "poisson,uniform", "units": "nats"}  # kept until data arrives
    at.switch_page("pages/data.py").run()
    at.radio(key="w_source").set_value("paste").run()
    at.text_area(key="w_paste").input("1 2 2 3 3 3 4").run()
    at.button(key="use_pasted").click().run()
    assert not at.exception
    assert at.session_state["model_requests"] == [("poisson", {}), ("uniform", {})]
    at.switch_page("pages/compare.py").run()
    assert ranking(at)["Model"].tolist()[0] in {"poisson", "uniform"}
    assert "sample" not in at.query_params and at.query_params["models"] == "poisson,uniform"
    assert any("uploads the same file" in c.value for c in at.caption)  # said next to the link
    assert at.query_params["data"] == share.fingerprint_prefix(at.session_state["emp"].fingerprint())


def paste(at: AppTest, text: str) -> AppTest:
    at.switch_page("pages/data.py").run()
    at.radio(key="w_source").set_value("paste").run()
    at.text_area(key="w_paste").input(text).run()
    return at.button(key="use_pasted").click().run()


TABLE = "0:1,1:1,2:2,3:4,4:4,5:4,6:3,7:2,8:2,9:2,10:2"


def test_a_link_carries_your_table_and_formula_with_its_start():
    at = open_link(sample="worms", models="uniform,custom,expression", table=TABLE, formula="p*(1-p)^x",
                   start="p:0.3", page="compare")
    assert not at.exception and not at.warning
    requests = dict(at.session_state["model_requests"])
    assert requests["custom"]["values"] == [float(v) for v in range(11)]
    assert requests["expression"] == {"formula": "p*(1-p)^x", "start": {"p": 0.3}}
    assert set(ranking(at)["Model"]) == {"uniform", "your table", "your formula"}
    link = at.code[0].value
    assert "table=" in link and "formula=p%2A%281-p%29%5Ex" in link and "start=p:0.3" in link
    assert share.parse_query(link.split("?", 1)[1])[1] == []
    at.switch_page("pages/models.py").run()  # the Models page shows them, ready to edit
    assert at.text_input(key="w_formula").value == "p*(1-p)^x"
    assert at.text_input(key="w_formula_start").value == "p=0.3"
    assert not at.error


def test_a_link_with_a_formula_outside_the_language_warns_and_runs_nothing():
    at = open_link(sample="worms", models="uniform,expression", formula="__import__('os').system('touch /tmp/x')",
                   page="compare")
    assert not at.exception
    assert "not one the app reads" in warnings(at)
    assert [name for name, _ in at.session_state["model_requests"]] == ["uniform"]


def test_a_link_for_uploaded_data_waits_for_the_same_data():
    first = paste(AppTest.from_file(APP, default_timeout=30).run(), "1 2 2 3 3 3 4")
    fingerprint = share.fingerprint_prefix(first.session_state["emp"].fingerprint())
    at = open_link(models="poisson,custom", table="1:1,2:1,3:1,4:1", data=fingerprint)
    assert "upload the same file again" in at.info[0].value
    paste(at, "5 5 6 7")  # other data: the defaults, and the link keeps waiting
    assert at.session_state["model_requests"] is None
    at.switch_page("pages/compare.py").run()
    assert any("waits for its data" in info.value for info in at.info)
    assert at.query_params["data"] == fingerprint  # the address still names the data it waits for
    paste(at, "1 2 2 3 3 3 4")  # the same data: the comparison comes back
    assert [name for name, _ in at.session_state["model_requests"]] == ["poisson", "custom"]
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert set(ranking(at)["Model"]) == {"Poisson", "your table"}
    assert not any("waits for its data" in info.value for info in at.info)


# ------------------------------------------------------------ the share link
def test_the_share_link_is_the_full_address_when_known():
    at = open_link("http://localhost:8593/compare", sample="worms", units="nats", page="compare")
    link = at.code[0].value
    assert link == "http://localhost:8593/compare?sample=worms&models=uniform,binomial&units=nats"
    assert share.parse_query(link.split("?", 1)[1])[0].units == "nats"


def test_without_the_address_the_share_box_shows_the_query_and_says_so():
    at = open_link(sample="worms", page="compare")
    assert at.code[0].value == "?sample=worms&models=uniform,binomial&page=compare"
    assert any("Add this to the app's address" in c.value for c in at.caption)


# ------------------------------------------------------------ the presentation view
def test_the_presentation_view_shows_the_verdict_then_the_plot_then_the_table():
    at = open_link(sample="worms", view="present", page="compare")
    assert not at.exception
    assert at.toggle(key="w_present").value
    order = [node.type for node in walk(at.main) if node.type in ("markdown", "plotly_chart", "table", "dataframe", "expander")]
    assert order[0] == "markdown" and order.index("plotly_chart") < order.index("table")
    assert "Uniform loses 0\\.197" in at.markdown[0].value
    assert not at.expander  # no explanations
    assert not [n for n in walk(at.main) if n.type == "latex"]
    table = at.table[0].value
    assert table["Rank"].tolist() == ["● 1", "● 2"]  # the colour dot of each drawn model beside its rank
    assert table["Model"].tolist() == ["uniform (low=0, high=10)", "binomial (n=10, p=0.544 ± 0.016)"]  # ± for counts
    assert "Note" not in table.columns and "KL (bits/obs)" in table.columns
    assert at.query_params["view"] == "present"


def test_the_presentation_table_names_a_model_s_fixed_parameters_once_and_its_notes_follow():
    at = open_link(sample="planets", view="present", page="compare")
    assert not at.exception
    models = at.table[0].value["Model"].tolist()
    assert "uniform (low=100, high=180)" in models, models  # the label names them already: not "(…) (low=100, high=180)"
    assert all(model.count("(") <= 1 for model in models), models
    notes = next(c.value for c in at.caption if c.value.startswith("Notes on the fits:"))
    assert "range taken from the observed minimum and maximum" in notes

def test_the_normal_view_keeps_the_table_first_and_the_explanations():
    at = open_link(sample="worms", page="compare")
    order = [node.type for node in walk(at.main) if node.type in ("markdown", "plotly_chart", "table", "dataframe")]
    assert order[:2] == ["markdown", "dataframe"]
    assert [e.label for e in at.expander][1:] == ["Why KL ranks models", "Download draws from a fitted model"]
    assert at.expander[0].label.startswith("All statistics")
