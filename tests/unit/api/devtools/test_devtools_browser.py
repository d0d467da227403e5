"""Unit tests of the Chromium check that install nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.devtools import DevHarnessError, browser


def test_nothing_is_missing_when_chromium_and_a_cjk_font_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("", encoding="utf-8")
    monkeypatch.setattr(browser, "CHROMIUM", fake)
    monkeypatch.setattr(browser, "has_cjk_font", lambda: True)
    assert browser.missing_packages() == []
    assert browser.ensure_chromium() == fake


def test_a_missing_browser_without_root_raises_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(browser, "has_cjk_font", lambda: False)
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(DevHarnessError, match="apt-get install -y chromium fonts-wqy-zenhei"):
        browser.ensure_chromium()


def test_chromium_version_reports_a_broken_binary(tmp_path: Path) -> None:
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho boom >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    with pytest.raises(DevHarnessError, match="退出码 3"):
        browser.chromium_version(broken)
