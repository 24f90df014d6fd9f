"""Debian's headless Chromium, for tests that look at a page as a person would: the DOM it
renders (``--dump-dom``) or a screenshot."""

import subprocess
import tempfile

OFFLINE = (
    # Nothing but loopback is reachable: no name resolves, and every request that is not to
    # loopback (Chromium never proxies those) goes to a proxy nothing listens on.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
)
"""Flags of a browser on a machine without internet."""


def headless(chromium: str, *args: str) -> subprocess.CompletedProcess:
    """One run of a fresh profile, given eight seconds of page time (scripts, fetches)."""
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--window-size=1400,1700",
                "--virtual-time-budget=8000",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
