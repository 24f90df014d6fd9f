"""The README's walk-throughs run as written, in order, in one shell, against the running stack.

Every block fenced ```` ```bash walkthrough ```` is pasted into one bash (``set -e -o
pipefail``, a home of its own, the stack's CA as the README itself exports it), as a newcomer
pastes them, with a deadline per block. A line ending in ``#=> text`` must print something
holding ``text``. The walk-through's fixed names (Ada's and the operator's addresses, the
discount code) are made unique per run, so the blocks run again and again on one stack; the
catalog is seeded first, as the README asks (``make seed``), when it is not.
"""

import os
import re
import select
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from config import PROJECT_ROOT, Settings
from harness.readme import EXPECT_FUNCTION, Block, runnable_blocks, script_of

pytestmark = pytest.mark.engines

README = PROJECT_ROOT / "README.md"
BLOCK_DEADLINE_SECONDS = 120
DONE = "__readme_block_done__"


def fresh_names() -> dict[str, str]:
    """The README's own names, each replaced by one no earlier run used."""
    run = uuid.uuid4().hex[:8]
    return {
        "ada@example.com": f"ada-{run}@example.com",
        "ops@example.com": f"ops-{run}@example.com",
        "SUMMER10": f"SUMMER{run.upper()}",
        "summer10": f"summer{run}",
    }


BLOCKS = runnable_blocks(README.read_text())


@dataclass
class Shell:
    """One bash, fed block after block, as a newcomer's terminal."""

    process: subprocess.Popen[bytes]
    transcript: list[str]

    def run(self, block: Block, names: dict[str, str]) -> str:
        """The block's output; fails naming the block when a command fails or a ``#=>``
        is not met, or when it outlasts its deadline."""
        script = script_of(block, names)
        assert self.process.stdin is not None
        self.process.stdin.write(f"{script}\nprintf '\\n{DONE}\\n'\n".encode())
        self.process.stdin.flush()
        output = self._read_until_done(block)
        self.transcript.append(f"--- {block.title} ---\n{output}")
        return output

    def _read_until_done(self, block: Block) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + BLOCK_DEADLINE_SECONDS
        out = b""
        while DONE.encode() not in out:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(
                    f"{block.title}: still running after {BLOCK_DEADLINE_SECONDS}s:\n"
                    f"{out.decode(errors='replace')}"
                )
            ready, _, _ = select.select([self.process.stdout], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:  # set -e ended the shell: a command failed
                code = self.process.wait()
                pytest.fail(
                    f"{block.title}: the shell stopped (exit {code}) at a failing command:\n"
                    f"{out.decode(errors='replace')}",
                    pytrace=False,
                )
            out += chunk
        return out.decode(errors="replace").replace(f"\n{DONE}\n", "")


@pytest.fixture(scope="module")
def seeded(settings: Settings, require_engine) -> None:
    """The demo catalog the walk-through searches, loaded as the README says if missing."""
    for engine in ("api", "proxy", "streams-orders", "streams-catalog", "mailsink"):
        require_engine(engine)
    search = f"http://{settings.api_host}:{settings.api_port}/v1/products/search"
    found = httpx.get(search, params={"term": "iPhone", "inStock": "true", "size": 1}).json()
    if not found["products"]:
        subprocess.run([str(PROJECT_ROOT / ".venv/bin/shopctl"), "seed"], check=True, timeout=900)


@pytest.fixture(scope="module")
def shell(seeded: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shell]:
    home = tmp_path_factory.mktemp("newcomer")
    env = {"HOME": str(home), "PATH": os.environ["PATH"], "LANG": "C.UTF-8", "TERM": "dumb"}
    process = subprocess.Popen(
        ["bash", "--noprofile", "--norc"],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdin is not None
    process.stdin.write(f"set -e -o pipefail\n{EXPECT_FUNCTION}\n".encode())
    shell = Shell(process, [])
    yield shell
    if process.poll() is None:
        process.stdin.close()
        process.wait(timeout=10)
    (home / "transcript.txt").write_text("\n".join(shell.transcript))


NAMES = fresh_names()


@pytest.mark.parametrize("block", BLOCKS, ids=[block.title for block in BLOCKS])
def test_the_block_runs_as_written(shell: Shell, block: Block) -> None:
    shell.run(block, NAMES)


def test_every_walk_through_section_has_commands() -> None:
    """The sections a newcomer follows each have a block that runs."""
    titled = {block.title for block in BLOCKS}
    assert titled >= {
        "Walk-through: signup -> search -> cart -> checkout -> payment -> status",
        "Discount codes",
        "Delivery tracking",
        "Cancelling an order",
        "Product images",
        "Catalog administration",
    }


def test_no_block_is_left_unbounded() -> None:
    """A stream or a wait in a block ends by itself (or the next block would never run)."""
    for block in BLOCKS:
        for line in block.lines:
            if "curl -N" in line or "curl -sN" in line:
                assert "--max-time" in line, (block.title, line)
            if re.search(r"\bsleep \d+\b", line):
                assert "until " in line, (block.title, line)
