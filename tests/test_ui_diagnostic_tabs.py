"""ui.diagnostic_tabs on the Compare page: the Q-Q and P-P tabs."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def compare_page(sample: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    return at.button(key=f"sample_{sample}").click().run()


def open_tab(at: AppTest, name: str) -> AppTest:
    at.session_state["w_compare_tab"] = name  # the tabs are lazy: only the open one runs
    return at.run()


def test_qq_and_pp_tabs_draw_for_counts_and_continuous_data():
    for sample in ("worms", "waiting"):
        at = compare_page(sample)
        assert not at.exception
        labels = [tab.label for tab in at.tabs]
        assert "Q-Q" in labels and "P-P" in labels and labels.index("Q-Q") == labels.index("CDFs") + 1
        for tab, chart in (("Q-Q", "fig_qq"), ("P-P", "fig_pp")):
            at = open_tab(at, tab)
            assert not at.exception
            assert any(chart in c.proto.id for c in at.get("plotly_chart")), (sample, tab)
            assert "dashed line" in " ".join(c.value for c in at.caption)


def test_categories_get_a_sentence_not_a_plot():
    at = open_tab(compare_page("coin"), "Q-Q")
    assert not at.exception
    assert any("needs numbers" in c.value for c in at.caption)
