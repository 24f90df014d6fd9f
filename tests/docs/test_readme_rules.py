"""How README blocks become a shell's script (``harness.readme``), and that a broken promise
fails the shell: checked with bash itself, no engine."""

import subprocess

from harness.readme import EXPECT_FUNCTION, Block, commands, runnable_blocks, script_of

MARKDOWN = """# Title

## Walk-through

```bash walkthrough
echo one   #=> one
echo \\
  two
```

```bash
echo not runnable
```

### Later

```bash walkthrough
echo ada@example.com   #=> ada@example.com
```
"""


def test_only_walkthrough_blocks_with_their_section_titles() -> None:
    assert runnable_blocks(MARKDOWN) == [
        Block("Walk-through", 6, ("echo one   #=> one", "echo \\", "  two")),
        Block("Later", 18, ("echo ada@example.com   #=> ada@example.com",)),
    ]


def test_backslash_continuations_are_one_command() -> None:
    assert commands(("a \\", "  b", "c")) == ["a   b", "c"]


def run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f"set -e -o pipefail\n{EXPECT_FUNCTION}\n{script}"],
        capture_output=True,
        text=True,
        timeout=10,
    )


def test_a_kept_promise_passes_and_prints_the_output() -> None:
    [block, _] = runnable_blocks(MARKDOWN)
    done = run(script_of(block, {}))
    assert (done.returncode, done.stdout) == (0, "one\ntwo\n")


def test_a_broken_promise_stops_the_shell() -> None:
    broken = Block("t", 1, ("echo something else   #=> CONFIRMED",))
    done = run(script_of(broken, {}) + "\necho never")
    assert done.returncode == 97
    assert "the README promised CONFIRMED" in done.stdout and "never" not in done.stdout


def test_names_are_replaced_in_commands_and_promises() -> None:
    [_, block] = runnable_blocks(MARKDOWN)
    done = run(script_of(block, {"ada@example.com": "ada-1@example.com"}))
    assert (done.returncode, done.stdout) == (0, "ada-1@example.com\n")
