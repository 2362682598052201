"""ui.cullen_frey on the Models page: the Cullen and Frey graph as a help for choosing families."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def models_page(sample: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.button(key=f"sample_{sample}").click().run()
    return at.switch_page("pages/models.py").run()


def test_numeric_data_gets_the_graph_and_labels_do_not():
    for sample in ("worms", "waiting"):
        at = models_page(sample)
        assert not at.exception
        assert any("Cullen and Frey" in e.label for e in at.expander)
        assert any("fig_cullen_frey" in chart.proto.id for chart in at.get("plotly_chart"))
    coin = models_page("coin")
    assert not coin.exception and not any("Cullen and Frey" in e.label for e in coin.expander)
