"""The README's configuration table is generated from Settings and must not drift from it."""

from config import PROJECT_ROOT, Settings
from ops.config_table import END_MARKER, START_MARKER, env_var, render_table


def readme_table() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert readme.count(START_MARKER) == 1 and readme.count(END_MARKER) == 1
    return readme.split(START_MARKER, 1)[1].split(END_MARKER, 1)[0].strip()


def test_readme_holds_the_rendered_table() -> None:
    assert readme_table() == render_table(), (
        "README.md config table is stale: paste `python -m ops.config_table` between the markers"
    )


def test_every_setting_is_documented() -> None:
    undocumented = [n for n, f in Settings.model_fields.items() if not f.description]
    assert not undocumented


def test_table_has_one_row_per_setting() -> None:
    rows = render_table().splitlines()[2:]
    assert [r.split("`")[1] for r in rows] == [env_var(n) for n in Settings.model_fields]
