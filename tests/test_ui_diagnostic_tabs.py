"""ui.diagnostic_tabs on the Compare page: the Q-Q and P-P tabs."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def compare_page(sample: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    return at.button(key=f"sample_{sample}").click().run()


def test_qq_and_pp_tabs_draw_for_counts_and_continuous_data():
    for sample in ("worms", "waiting"):
        at = compare_page(sample)
        assert not at.exception
        labels = [tab.label for tab in at.tabs]
        assert "Q-Q" in labels and "P-P" in labels and labels.index("Q-Q") == labels.index("CDFs") + 1
        keys = [chart.proto.id for chart in at.get("plotly_chart")]
        assert any("fig_qq" in key for key in keys) and any("fig_pp" in key for key in keys)
        captions = " ".join(c.value for c in at.caption)
        assert "dashed line" in captions


def test_categories_get_a_sentence_not_a_plot():
    at = compare_page("coin")
    assert not at.exception
    assert any("needs numbers" in c.value for c in at.caption)
