"""Markdown table of every Settings field, so the README's configuration section is generated.

``python -m ops.config_table`` prints it; tests/test_config_table.py fails when the README's copy
(between the config-table markers) drifts from the Settings class.
"""

from pathlib import Path
from typing import Any

from config import PROJECT_ROOT, Settings

START_MARKER = "<!-- config-table:start -->"
END_MARKER = "<!-- config-table:end -->"


def env_var(field: str) -> str:
    return f"{Settings.model_config['env_prefix']}{field.upper()}"


def show_default(value: Any) -> str:
    """Machine-independent text: paths inside the checkout are shown relative to it."""
    if isinstance(value, Path) and value.is_relative_to(PROJECT_ROOT):
        value = f"<repo>/{value.relative_to(PROJECT_ROOT).as_posix()}"
    return f"`{value}`" if value != "" else '`""`'


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_table() -> str:
    rows = [
        "| Environment variable | Default | Description |",
        "| --- | --- | --- |",
    ]
    for name, field in Settings.model_fields.items():
        value = field.get_default(call_default_factory=True)
        rows.append(
            f"| `{env_var(name)}` | {cell(show_default(value))} | {cell(field.description or '')} |"
        )
    return "\n".join(rows)


def write_readme(readme: Path = PROJECT_ROOT / "README.md") -> None:
    """Replace the table between the markers (``python -m ops.config_table --write``)."""
    text = readme.read_text()
    head, _, rest = text.partition(START_MARKER)
    _, _, tail = rest.partition(END_MARKER)
    readme.write_text(f"{head}{START_MARKER}\n{render_table()}\n{END_MARKER}{tail}")


if __name__ == "__main__":
    import sys

    if "--write" in sys.argv:
        write_readme()
    else:
        print(render_table())
