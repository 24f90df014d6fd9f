"""The README's runnable walk-through blocks, and the script a shell runs for each.

A block fenced ```` ```bash walkthrough ```` is one a newcomer pastes; a line of it ending in
``#=> text`` promises output holding ``text``. ``script_of`` turns a block into what
``tests/docs/test_readme.py`` feeds its shell: names made fresh, each promise checked.
"""

import re
import shlex
from dataclasses import dataclass

FENCE = "```bash walkthrough"
_PROMISE = re.compile(r"^(?P<command>.*?)\s+#=>\s*(?P<expected>\S.*?)\s*$")

EXPECT_FUNCTION = (
    '__expect() { case "$1" in *"$2"*) ;; *) printf \'\\nthe README promised %s in:\\n%s\\n\''
    ' "$2" "$1"; exit 97;; esac; }'
)
"""Defined once in the shell: fails it (exit 97) when an output misses what was promised."""


@dataclass(frozen=True)
class Block:
    title: str
    """The heading of the section the block stands in."""
    line: int
    lines: tuple[str, ...]


def runnable_blocks(markdown: str) -> list[Block]:
    """The walk-through blocks in document order."""
    blocks, title, inside, start, body = [], "", False, 0, []
    for number, line in enumerate(markdown.splitlines(), start=1):
        if not inside and line.startswith("#"):
            title = line.lstrip("#").strip()
        elif not inside and line.strip() == FENCE:
            inside, start, body = True, number + 1, []
        elif inside and line.strip() == "```":
            inside = False
            blocks.append(Block(title, start, tuple(body)))
        elif inside:
            body.append(line)
    return blocks


def commands(lines: tuple[str, ...]) -> list[str]:
    """Lines joined where a trailing backslash continues them."""
    joined, pending = [], ""
    for line in lines:
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        joined.append(pending + line)
        pending = ""
    if pending:
        joined.append(pending)
    return joined


def script_of(block: Block, names: dict[str, str]) -> str:
    """The block with ``names`` replaced, each promise turned into a check."""
    out = []
    for command in commands(block.lines):
        for old, new in names.items():
            command = command.replace(old, new)
        promise = _PROMISE.match(command)
        if promise is None:
            out.append(command)
            continue
        expected = promise["expected"]
        for old, new in names.items():
            expected = expected.replace(old, new)
        out.append(
            f"__out=$({promise['command']}); printf '%s\\n' \"$__out\";"
            f' __expect "$__out" {shlex.quote(expected)}'
        )
    return "\n".join(out)
