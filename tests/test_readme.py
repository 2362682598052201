"""The README stays true: its two commands come first and its family table is the registry's."""

from pathlib import Path

from kl_core.models.registry import family_table

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_opens_with_the_two_commands():
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_family_table_is_the_registry():
    start = README.index("<!-- families:start -->") + len("<!-- families:start -->")
    end = README.index("<!-- families:end -->")
    assert README[start:end].strip() == family_table(), (
        "README's family table is out of date: paste the output of "
        "`python -c 'from kl_core.models.registry import family_table; print(family_table())'`"
    )


def test_make_run_listens_on_this_computer_only_unless_told():
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    assert "HOST ?= 127.0.0.1" in makefile
    assert "--server.address $(HOST)" in makefile
    assert "make run HOST=0.0.0.0" in README and "every network" in README  # documented, with its risk
    assert "pip install ." in README
