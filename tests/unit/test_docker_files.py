"""The deployment files (docker/) stay consistent with the settings the code reads."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_conventions import settings_env_vars

DOCKER = Path(__file__).parents[2] / "docker"


def test_compose_sets_only_settings_that_exist_and_the_ones_a_deployment_needs() -> None:
    compose = (DOCKER / "compose.yml").read_text(encoding="utf-8")
    named = set(re.findall(r"^\s+(KB_[A-Z0-9_]+):", compose, flags=re.MULTILINE))
    known = set(settings_env_vars())
    assert named <= known, f"compose.yml sets unknown settings: {sorted(named - known)}"
    assert {"KB_STORE", "KB_HOME", "KB_ES__URL", "KB_ES__USERNAME", "KB_ES__PASSWORD"} <= named
    assert "xpack.security.enabled=true" in compose and "esdata:" in compose


def test_dockerfile_builds_frontend_and_runs_as_non_root() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert "npm run build" in dockerfile and "AS frontend" in dockerfile
    assert re.search(r"^USER kb$", dockerfile, flags=re.MULTILINE)
    for var in re.findall(r"\b(KB_[A-Z0-9_]+)=", dockerfile):
        assert var in settings_env_vars(), var
