"""End-to-end: the built frontend and the real API (`kb serve` on the demo corpus), driven in Debian's Chromium.

The journeys live in frontend/e2e (node:test + playwright-core); this module starts the server, runs them and fails
— never skips — when Chromium, Node or the frontend build is missing. Screenshots go to frontend/e2e/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parents[2]
FRONTEND = ROOT / "frontend"
DEMO_ACCOUNTS: dict[str, Path] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _chromium() -> str:
    path = os.environ.get("KB_TEST_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.fail(f"Chromium not found at {path}; run: python -m api.devtools.browser")
    return path


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (FRONTEND / "dist" / "index.html").is_file():
        pytest.fail("frontend/dist is missing; build it with: cd frontend && npm ci && npm run build")
    home = tmp_path_factory.mktemp("e2e-home")
    env = {**os.environ, "KB_HOME": str(home), "KB_EMBEDDER": "hash", "KB_MAX_UPLOAD_MB": "5"}
    # Anonymous readers as in `./run serve`; the journeys sign in with the demo accounts for everything else.
    env["KB_AUTH__ANONYMOUS_ROLE"] = "检察官"
    # The demo corpus has fewer than 50 cases (the product's reach): the divider journey needs a shorter one.
    env["KB_INFERRED_REACH"] = "3"
    DEMO_ACCOUNTS["file"] = home / "demo-accounts.txt"  # written by `kb init --demo`, read by the journeys
    kb = [sys.executable, "-m", "api.cli"]
    subprocess.run([*kb, "init", "--demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([*kb, "serve", "--port", str(port)], env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("kb serve did not become healthy within 60 s")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_user_journeys_in_chromium(server_url: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm not found; Node.js >= 20 is needed for the browser tests")
    env = {
        **os.environ,
        "KB_E2E_URL": server_url,
        "KB_CHROMIUM": _chromium(),
        "KB_E2E_ACCOUNTS": str(DEMO_ACCOUNTS["file"]),
    }
    result = subprocess.run([npm, "run", "e2e"], cwd=FRONTEND, env=env, capture_output=True, text=True, timeout=900)
    sys.stdout.write(result.stdout[-20000:])
    sys.stderr.write(result.stderr[-5000:])
    assert result.returncode == 0, "e2e journeys failed (see output above)"
    shots = list((FRONTEND / "e2e" / "screenshots").glob("*.png"))
    assert len(shots) >= 6, f"expected a screenshot of every page, found {len(shots)}"


def test_frontend_component_tests() -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm not found; Node.js >= 20 is needed for the frontend tests")
    result = subprocess.run([npm, "run", "test:unit"], cwd=FRONTEND, capture_output=True, text=True, timeout=600)
    sys.stdout.write(result.stdout[-10000:])
    assert result.returncode == 0, result.stderr[-3000:]
