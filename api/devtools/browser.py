"""Debian's Chromium (and a CJK font) for the browser tests; Playwright is given its path and downloads nothing.

`python -m api.devtools.browser` installs what is missing (as root, via apt) and prints the version.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from api.devtools import DevHarnessError

logger = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
# Preferred first: wqy-zenhei is small and covers Latin too; noto-cjk is the large fallback.
CJK_FONT_PACKAGES = ("fonts-wqy-zenhei", "fonts-noto-cjk")
APT_TIMEOUT_S = 900
_APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}
# Wait for another apt/dpkg run (another helper, unattended upgrades) instead of failing at once.
_APT_LOCK_WAIT = ("-o", "DPkg::Lock::Timeout=300")


def has_cjk_font() -> bool:
    """True when fontconfig knows at least one font that covers Chinese."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    done = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return done.returncode == 0 and bool(done.stdout.strip())


def chromium_version(path: Path = CHROMIUM) -> str:
    """`Chromium 156.0.8078.108 built on Debian ...` as the binary prints it."""
    done = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=False, timeout=60)
    if done.returncode != 0:
        msg = f"无法运行 {path} --version（退出码 {done.returncode}）：{done.stderr.strip()[-500:]}"
        raise DevHarnessError(msg, path=str(path))
    return done.stdout.strip()


def _apt_candidate(package: str) -> bool:
    done = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        key, _, value = line.strip().partition(":")
        if key == "Candidate":
            return value.strip() not in {"", "(none)"}
    return False


def _apt(*args: str) -> None:
    command = ["apt-get", *_APT_LOCK_WAIT, *args]
    logger.info("running %s", " ".join(command))
    try:
        done = subprocess.run(
            command,
            env={**os.environ, **_APT_ENV},
            capture_output=True,
            text=True,
            check=False,
            timeout=APT_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        msg = f"{' '.join(command)} 超时（{APT_TIMEOUT_S} 秒）"
        raise DevHarnessError(msg, command=command) from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-2000:]
        msg = f"{' '.join(command)} 失败（退出码 {done.returncode}）：{tail}"
        raise DevHarnessError(msg, command=command)


def missing_packages() -> list[str]:
    """Debian packages still needed: chromium, and a CJK font when fontconfig has none."""
    missing: list[str] = []
    if not CHROMIUM.exists():
        missing.append("chromium")
    if not has_cjk_font():
        missing.append(CJK_FONT_PACKAGES[0])
    return missing


def ensure_chromium() -> Path:
    """Return the path of Debian's Chromium, installing it (and a Chinese font) with apt when running as root."""
    missing = missing_packages()
    if not missing:
        return CHROMIUM
    if os.geteuid() != 0:
        msg = f"缺少 {'、'.join(missing)}；请以 root 运行 `apt-get install -y {' '.join(missing)}`"
        raise DevHarnessError(msg, missing=missing)
    if shutil.which("apt-get") is None:
        msg = f"缺少 {'、'.join(missing)}，且本机没有 apt-get，无法自动安装"
        raise DevHarnessError(msg, missing=missing)
    _apt("update", "-q")
    packages = [name for name in missing if name not in CJK_FONT_PACKAGES]
    if CJK_FONT_PACKAGES[0] in missing:
        font = next((name for name in CJK_FONT_PACKAGES if _apt_candidate(name)), None)
        if font is None:
            msg = f"apt 中找不到中文字体包（{'、'.join(CJK_FONT_PACKAGES)}）"
            raise DevHarnessError(msg, tried=list(CJK_FONT_PACKAGES))
        packages.append(font)
    _apt("install", "-y", "-q", "--no-install-recommends", *packages)
    if not CHROMIUM.exists():
        msg = f"apt-get install chromium 已完成，但 {CHROMIUM} 仍不存在"
        raise DevHarnessError(msg, path=str(CHROMIUM))
    return CHROMIUM


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        path = ensure_chromium()
        version = chromium_version(path)
    except DevHarnessError as exc:
        print(f"错误：{exc.detail}", file=sys.stderr)
        return 1
    print(f"{path}: {version}")
    print(f"CJK font: {'yes' if has_cjk_font() else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
