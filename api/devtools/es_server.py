"""A real single-node Elasticsearch for tests, started from Maven Central's integ-test-zip (no Docker).

The integ-test-zip is Elastic's minimal test distribution: the server plus the modules transport-netty4,
x-pack-core, x-pack-security and apm. It bundles no JDK (we point ES_JAVA_HOME at the machine's Java 17+) and has
no analysis-common module: the built-in `whitespace`, `standard`, `simple`, `stop` and `keyword` analyzers work,
and custom analyzers may use the `standard` tokenizer with `lowercase`/`stop` filters, but the `whitespace`
*tokenizer*, `asciifolding`, `cjk_width`, ... do not exist there. dense_vector and kNN search are in core.

Layout:
    <cache>/<ver>/elasticsearch-<ver>.zip    downloaded once with `mvn dependency:copy`
    <cache>/<ver>/elasticsearch-<ver>/       unpacked once, read-only, shared by every home
    <home>/config/                           ES_PATH_CONF: copied from the server, elasticsearch.yml written per start
    <home>/data, <home>/logs, <home>/tmp     path.data, path.logs, ES_TMPDIR
    <home>/run/es.pid                        written by Elasticsearch (-p)
    <home>/es.json                           url, pid, ports and version of the running server

<cache> is ~/.cache/kb/elasticsearch, or $KB_ES_CACHE. Elasticsearch refuses to run as root, so as root the
server runs as the unprivileged system user `kbes`, created on first use; directories above the cache and the
home that `kbes` could not traverse get `o+x` (traverse only, no listing).

    python -m api.devtools.es_server start|stop|status [--home DIR] [--port N] [--heap-mb N] [--timeout S]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import logging
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from api.devtools import DevHarnessError

logger = logging.getLogger(__name__)

ES_VERSION = "8.19.21"
ES_ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
ES_USER = "kbes"
CLUSTER_NAME = "kb-test"
MIN_JAVA = 17
HEALTH_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
MAVEN_TIMEOUT_S = 900.0
STATE_FILE = "es.json"
LOG_TAIL_LINES = 40
_COMPLETE_MARKER = ".kb-complete"
_ES_MAIN_CLASS = b"org.elasticsearch"


# ---------------------------------------------------------------------------------------------------------------
# Download and unpack


def cache_root() -> Path:
    """The base cache directory; each version lives in a sub-directory of it."""
    override = os.environ.get("KB_ES_CACHE")
    return Path(override).expanduser() if override else Path.home() / ".cache" / "kb" / "elasticsearch"


def cache_dir(version: str = ES_VERSION) -> Path:
    return cache_root() / version


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock, so concurrent starts download and unpack only once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _maven_local_copy(version: str) -> Path:
    group = "org/elasticsearch/distribution/integ-test-zip"
    return Path.home() / ".m2" / "repository" / group / "elasticsearch" / version / f"elasticsearch-{version}.zip"


def _download_zip(target: Path, version: str) -> None:
    """Fetch the integ-test-zip into `target` (already in ~/.m2, or through Maven)."""
    local = _maven_local_copy(version)
    tmp = target.with_name(f"{target.name}.part-{os.getpid()}")
    if local.is_file():
        logger.info("copying %s from the local Maven repository", local.name)
        shutil.copyfile(local, tmp)
        tmp.replace(target)
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        msg = f"下载 Elasticsearch {version} 需要 Maven（mvn），本机未找到；请安装：apt-get install -y maven"
        raise DevHarnessError(msg, artifact=ES_ARTIFACT)
    artifact = ES_ARTIFACT.replace(ES_VERSION, version)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".mvn-") as out:
        command = [mvn, "-B", "-q", "-C", "dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={out}"]
        logger.info("downloading %s with Maven (about 107 MB)", artifact)
        try:
            # cwd=out: no project pom.xml may be picked up by accident.
            done = subprocess.run(
                command, cwd=out, capture_output=True, text=True, check=False, timeout=MAVEN_TIMEOUT_S
            )
        except subprocess.TimeoutExpired as exc:
            msg = f"Maven 下载 {artifact} 超时（{MAVEN_TIMEOUT_S:.0f} 秒）"
            raise DevHarnessError(msg, artifact=artifact) from exc
        fetched = Path(out) / f"elasticsearch-{version}.zip"
        if done.returncode != 0 or not fetched.is_file():
            tail = (done.stdout + done.stderr).strip()[-2000:]
            msg = f"Maven 无法下载 {artifact}（退出码 {done.returncode}）：{tail}"
            raise DevHarnessError(msg, artifact=artifact)
        fetched.replace(target)


def _unpack(archive: Path, target: Path) -> None:
    """Unpack `archive` (one top-level folder) to `target`, keeping the executable bits that zipfile drops."""
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".unpack-") as scratch:
        scratch_dir = Path(scratch)
        try:
            with zipfile.ZipFile(archive) as bundle:
                for info in bundle.infolist():
                    extracted = Path(bundle.extract(info, scratch_dir))
                    mode = (info.external_attr >> 16) & 0o777
                    if info.is_dir():
                        extracted.chmod(0o755)
                    else:
                        # Readable by the unprivileged server user whatever the zip or our umask says.
                        extracted.chmod((mode or 0o644) | 0o444)
        except zipfile.BadZipFile as exc:
            archive.unlink(missing_ok=True)
            msg = f"Elasticsearch 压缩包已损坏，已删除，请重试：{archive}"
            raise DevHarnessError(msg, path=str(archive)) from exc
        tops = [path for path in scratch_dir.iterdir() if path.is_dir()]
        if len(tops) != 1:
            msg = f"Elasticsearch 压缩包结构异常（应只有一个顶层目录）：{archive}"
            raise DevHarnessError(msg, path=str(archive))
        for folder in [tops[0], *(path for path in tops[0].rglob("*") if path.is_dir())]:
            folder.chmod(0o755)
        (tops[0] / _COMPLETE_MARKER).write_text(f"{archive.name}\n", encoding="utf-8")
        tops[0].rename(target)


def ensure_distribution(version: str = ES_VERSION) -> Path:
    """Return the unpacked server directory, downloading and unpacking it on first use only."""
    where = cache_dir(version)
    server = where / f"elasticsearch-{version}"
    if (server / _COMPLETE_MARKER).is_file():
        return server
    with _locked(where / ".lock"):
        if (server / _COMPLETE_MARKER).is_file():
            return server
        archive = where / f"elasticsearch-{version}.zip"
        if not archive.is_file():
            _download_zip(archive, version)
        if server.exists():  # a half-unpacked leftover from an interrupted run
            shutil.rmtree(server)
        logger.info("unpacking %s", archive)
        _unpack(archive, server)
    return server


# ---------------------------------------------------------------------------------------------------------------
# Java


def _java_major(java: Path) -> int | None:
    try:
        done = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False, timeout=60)
    except OSError:
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if found is None:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def _java_home_candidates() -> Iterator[Path]:
    for name in ("ES_JAVA_HOME", "JAVA_HOME"):
        value = os.environ.get(name)
        if value:
            yield Path(value)
    on_path = shutil.which("java")
    if on_path:
        yield Path(on_path).resolve().parent.parent
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        yield from sorted(path for path in jvm_root.iterdir() if path.is_dir() and not path.is_symlink())


def find_java_home() -> Path:
    """The first JDK with Java >= 17: $ES_JAVA_HOME, $JAVA_HOME, `java` on PATH, then /usr/lib/jvm/*."""
    seen: set[Path] = set()
    for home in _java_home_candidates():
        java = home / "bin" / "java"
        if home in seen or not java.is_file():
            continue
        seen.add(home)
        major = _java_major(java)
        if major is not None and major >= MIN_JAVA:
            return home
        logger.info("skipping %s (Java %s < %s)", home, major, MIN_JAVA)
    msg = f"Elasticsearch {ES_VERSION} 需要 Java {MIN_JAVA} 或更高版本，本机未找到；请安装 openjdk-17-jdk-headless"
    raise DevHarnessError(msg, checked=[str(path) for path in seen])


# ---------------------------------------------------------------------------------------------------------------
# The unprivileged user (only when we are root)


def ensure_user(name: str = ES_USER) -> pwd.struct_passwd:
    """Create (once) a system user with no login shell and no home, and return it."""
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(name)
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    command = [useradd, "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent"]
    command += ["--shell", "/usr/sbin/nologin", name]
    logger.info("creating system user %s", name)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        return pwd.getpwnam(name)  # also fine when a concurrent start created it first
    except KeyError:
        msg = f"无法创建系统用户 {name}（退出码 {done.returncode}）：{done.stderr.strip()}"
        raise DevHarnessError(msg, user=name) from None


def _can_traverse(info: os.stat_result, user: pwd.struct_passwd, groups: set[int]) -> bool:
    if info.st_uid == user.pw_uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid in groups:
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)


def _ensure_traversable(path: Path, user: pwd.struct_passwd) -> None:
    """Give `user` the right to pass through every directory above `path` (adds o+x where it lacks it)."""
    groups = {user.pw_gid}
    for folder in [path.resolve(), *path.resolve().parents]:
        info = folder.stat()
        if not _can_traverse(info, user, groups):
            logger.warning("adding o+x to %s so that user %s can reach %s", folder, user.pw_name, path)
            folder.chmod(stat.S_IMODE(info.st_mode) | stat.S_IXOTH)


def _chown_tree(path: Path, user: pwd.struct_passwd) -> None:
    for folder, dirs, files in os.walk(path):
        os.chown(folder, user.pw_uid, user.pw_gid)
        for name in [*dirs, *files]:
            os.chown(os.path.join(folder, name), user.pw_uid, user.pw_gid, follow_symlinks=False)


# ---------------------------------------------------------------------------------------------------------------
# Process and HTTP helpers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_taken(port: int) -> bool:
    """Whether something listens on (or holds) the port. SO_REUSEADDR as the server itself binds: a port left in
    TIME_WAIT by a stopped server is free for a new one and must not be reported as taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _pid_alive(pid: int) -> bool:
    """True while any thread of the process runs; a zombie (exited, not yet reaped) counts as gone.

    Every thread is checked: while a JVM shuts down its main thread may already be a zombie while others work.
    """
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return False
    for task in tasks:
        try:
            state = (task / "stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in {"Z", "X"}:
            return True
    return False


def _is_our_server(pid: int, home: Path) -> bool:
    """True when `pid` is an Elasticsearch started for `home` (its working directory is home/logs).

    A pid from a stale es.json may since belong to another process, even another helper's server: never signal it.
    """
    try:
        return _ES_MAIN_CLASS in Path(f"/proc/{pid}/cmdline").read_bytes() and Path(
            os.readlink(f"/proc/{pid}/cwd")
        ) == (home / "logs")
    except OSError:
        return False


def cluster_health(url: str, *, wait_s: float = 0.0) -> str | None:
    """`green`/`yellow`/`red`, or None when nothing answers (or yellow was not reached within `wait_s`)."""
    query = f"?wait_for_status=yellow&timeout={max(int(wait_s), 0)}s" if wait_s else ""
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health{query}", timeout=wait_s + 10) as response:
            body: dict[str, Any] = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    status = body.get("status")
    return str(status) if status else None


def _healthy(url: str, *, wait_s: float = 0.0) -> bool:
    return cluster_health(url, wait_s=wait_s) in {"yellow", "green"}


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _log_tail(home: Path) -> str:
    parts = []
    for path in (home / "logs" / "launcher.out", home / "logs" / f"{CLUSTER_NAME}.log"):
        text = _tail(path)
        if text:
            parts.append(f"--- {path} (last {LOG_TAIL_LINES} lines) ---\n{text}")
    return "\n".join(parts) or "(no log written)"


# ---------------------------------------------------------------------------------------------------------------
# State file


def _state_path(home: Path) -> Path:
    return home / STATE_FILE


def _pid_file(home: Path) -> Path:
    return home / "run" / "es.pid"


def _read_state(home: Path) -> dict[str, Any]:
    try:
        state = json.loads(_state_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _recorded_pid(home: Path) -> int | None:
    pid = _read_state(home).get("pid")
    if isinstance(pid, int):
        return pid
    with contextlib.suppress(OSError, ValueError):
        return int(_pid_file(home).read_text(encoding="utf-8").strip())
    return None


def _write_state(home: Path, state: dict[str, Any]) -> None:
    tmp = _state_path(home).with_suffix(".json.tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(_state_path(home))


# ---------------------------------------------------------------------------------------------------------------
# Start / stop / status


def _settings(home: Path, *, port: int, transport_port: int) -> dict[str, object]:
    return {
        "cluster.name": CLUSTER_NAME,
        "node.name": f"{CLUSTER_NAME}-node",
        "discovery.type": "single-node",
        "network.host": "127.0.0.1",
        "http.port": port,
        "transport.port": transport_port,
        "path.data": str(home / "data"),
        "path.logs": str(home / "logs"),
        "xpack.security.enabled": False,
        # The disk may be nearly full: never refuse shards or block writes for lack of space.
        "cluster.routing.allocation.disk.threshold_enabled": False,
    }


def _prepare_home(home: Path, server: Path, settings: dict[str, object]) -> None:
    for name in ("data", "logs", "tmp", "run"):
        (home / name).mkdir(parents=True, exist_ok=True)
    config = home / "config"
    if not (config / "jvm.options").is_file():
        shutil.copytree(server / "config", config, dirs_exist_ok=True)
    lines = ["# Written by api.devtools.es_server at every start; edits are lost."]
    lines += [f"{key}: {json.dumps(value)}" for key, value in settings.items()]
    (config / "elasticsearch.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _pid_file(home).unlink(missing_ok=True)
    _state_path(home).unlink(missing_ok=True)


def _server_env(home: Path, java_home: Path, heap_mb: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ES_", "JAVA_"))}
    env.update({
        "ES_JAVA_HOME": str(java_home),
        "ES_PATH_CONF": str(home / "config"),
        "ES_JAVA_OPTS": f"-Xms{heap_mb}m -Xmx{heap_mb}m",
        "ES_TMPDIR": str(home / "tmp"),
        "HOME": str(home / "tmp"),
    })
    return env


def _kill(pid: int | None, home: Path, sig: signal.Signals) -> None:
    if pid is not None and _pid_alive(pid) and _is_our_server(pid, home):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _running_url(home: Path) -> str | None:
    """The URL of a server already recorded in es.json, alive and healthy; None otherwise (stale state removed)."""
    state = _read_state(home)
    pid, url = state.get("pid"), state.get("url")
    if not isinstance(pid, int) or not isinstance(url, str):
        return None
    if _pid_alive(pid) and _is_our_server(pid, home):
        if _healthy(url, wait_s=10):
            return url
        logger.warning("server %s (pid %s) runs but is not healthy; restarting it", url, pid)
        stop(home=home)
    else:
        _state_path(home).unlink(missing_ok=True)
    return None


def start(*, home: Path, port: int | None = None, heap_mb: int = 768, timeout_s: float = HEALTH_TIMEOUT_S) -> str:
    """Start (or reuse) a single-node server whose files live in `home`; return its URL once health is yellow."""
    home = home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    running = _running_url(home)
    if running is not None:
        logger.info("reusing the server already running at %s", running)
        return running
    if port is not None and _port_taken(port):
        msg = f"端口 {port} 已被占用，无法启动 Elasticsearch；换一个端口或省略 --port"
        raise DevHarnessError(msg, port=port)
    server = ensure_distribution()
    java_home = find_java_home()
    http_port = port if port is not None else free_port()
    transport_port = free_port()
    while transport_port == http_port:
        transport_port = free_port()
    _prepare_home(home, server, _settings(home, port=http_port, transport_port=transport_port))

    run_as: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        run_as = ensure_user()
        for name in ("config", "data", "logs", "tmp", "run"):
            _chown_tree(home / name, run_as)
        _ensure_traversable(server / "bin", run_as)
        _ensure_traversable(home / "run", run_as)

    url = f"http://127.0.0.1:{http_port}"
    command = [str(server / "bin" / "elasticsearch"), "-d", "-p", str(_pid_file(home))]
    logger.info(
        "starting Elasticsearch %s at %s (home %s%s)", ES_VERSION, url, home, f", user {ES_USER}" * bool(run_as)
    )
    began = time.monotonic()
    with (home / "logs" / "launcher.out").open("w", encoding="utf-8") as launcher_log:
        launcher = subprocess.Popen(
            command,
            cwd=home / "logs",  # the JVM writes gc.log and hs_err files into its working directory
            env=_server_env(home, java_home, heap_mb),
            stdin=subprocess.DEVNULL,
            stdout=launcher_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=run_as.pw_uid if run_as else None,
            group=run_as.pw_gid if run_as else None,
            extra_groups=[] if run_as else None,
        )
    try:
        _wait_healthy(launcher, url, deadline=began + timeout_s)
    except DevHarnessError:
        _abort(launcher, home)
        raise
    with contextlib.suppress(subprocess.TimeoutExpired):
        launcher.wait(timeout=30)  # with -d the launcher exits once the server is up
    pid = _recorded_pid(home)
    for _ in range(50):  # the server writes its pid file early, but give it a moment in case it has not
        if pid is not None:
            break
        time.sleep(0.2)
        pid = _recorded_pid(home)
    _write_state(
        home,
        {
            "url": url,
            "pid": pid,
            "http_port": http_port,
            "transport_port": transport_port,
            "version": ES_VERSION,
            "user": run_as.pw_name if run_as else pwd.getpwuid(os.geteuid()).pw_name,
            "java_home": str(java_home),
            "server_dir": str(server),
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "boot_seconds": round(time.monotonic() - began, 1),
        },
    )
    logger.info("Elasticsearch is up at %s (pid %s) after %.1f s", url, pid, time.monotonic() - began)
    return url


def _wait_healthy(launcher: subprocess.Popen[bytes], url: str, *, deadline: float) -> None:
    while True:
        code = launcher.poll()
        if code not in {None, 0}:
            msg = f"Elasticsearch 启动失败（启动器退出码 {code}）"
            raise DevHarnessError(msg, url=url)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            msg = f"Elasticsearch 在 {url} 超时未就绪（集群状态未达到 yellow）"
            raise DevHarnessError(msg, url=url)
        if _healthy(url, wait_s=min(2.0, remaining)):
            return
        time.sleep(0.5)


def _abort(launcher: subprocess.Popen[bytes], home: Path) -> None:
    """Kill whatever the failed start left behind, and log the tail of the server's logs."""
    _kill(_recorded_pid(home), home, signal.SIGKILL)
    if launcher.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(launcher.pid, signal.SIGKILL)
        launcher.wait(timeout=10)
    logger.error("Elasticsearch did not start; log tail:\n%s", _log_tail(home))


def stop(*, home: Path, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """Stop the server recorded in `home` (SIGTERM, then SIGKILL after `timeout_s`). Does nothing if none runs."""
    home = home.resolve()
    pid = _recorded_pid(home)
    if pid is not None and _pid_alive(pid) and _is_our_server(pid, home):
        logger.info("stopping Elasticsearch (pid %s)", pid)
        _kill(pid, home, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _pid_alive(pid):
            logger.warning("Elasticsearch (pid %s) ignored SIGTERM for %.0f s; sending SIGKILL", pid, timeout_s)
            _kill(pid, home, signal.SIGKILL)
            while _pid_alive(pid) and time.monotonic() < deadline + 10:
                time.sleep(0.2)
    _state_path(home).unlink(missing_ok=True)
    _pid_file(home).unlink(missing_ok=True)


def status(*, home: Path) -> dict[str, Any]:
    """What es.json records, plus whether that process runs and the cluster's health colour."""
    home = home.resolve()
    state = _read_state(home)
    pid = _recorded_pid(home)
    running = pid is not None and _pid_alive(pid) and _is_our_server(pid, home)
    url = state.get("url")
    health = cluster_health(url) if running and isinstance(url, str) else None
    return {
        "home": str(home),
        "running": running,
        "pid": pid if running else None,
        "url": url if running else None,
        "health": health,
        "version": state.get("version", ES_VERSION),
        "rss_mb": _rss_mb(pid) if running and pid is not None else None,
    }


def _rss_mb(pid: int) -> float | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def wipe_test_indices(url: str, *, prefix: str = "kb-test-") -> list[str]:
    """Delete every index whose name starts with `prefix` (by explicit name) and return their names.

    Only test indices go: the server may be someone's real cluster, and wildcard deletes are refused by default.
    """
    if not prefix or "*" in prefix or "," in prefix:
        msg = f"prefix must be a plain, non-empty name start, got {prefix!r}"
        raise ValueError(msg)
    listing = f"{url}/_cat/indices/{prefix}*?format=json&h=index&expand_wildcards=all"
    try:
        with urllib.request.urlopen(listing, timeout=30) as response:
            rows: list[dict[str, str]] = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        msg = f"无法列出 {url} 上的测试索引（{prefix}*）：{exc}"
        raise DevHarnessError(msg, url=url) from exc
    names = sorted(row["index"] for row in rows if row.get("index", "").startswith(prefix))
    for first in range(0, len(names), 50):  # keep the request line well under the server's 4 KB limit
        batch = ",".join(names[first : first + 50])
        request = urllib.request.Request(f"{url}/{batch}?ignore_unavailable=true", method="DELETE")
        try:
            with urllib.request.urlopen(request, timeout=60):
                pass
        except (urllib.error.URLError, OSError) as exc:
            msg = f"无法删除 {url} 上的测试索引 {batch}：{exc}"
            raise DevHarnessError(msg, url=url) from exc
    if names:
        logger.info("deleted %d test indices: %s", len(names), ", ".join(names))
    return names


# ---------------------------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.devtools.es_server", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--home", type=Path, default=Path("var/es"), help="server state directory (default var/es)")
    parser.add_argument("--port", type=int, default=None, help="HTTP port (default: a free one)")
    parser.add_argument("--heap-mb", type=int, default=768, help="JVM heap in MB (default 768)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=float(os.environ.get("KB_ES_START_TIMEOUT") or HEALTH_TIMEOUT_S),
        help=f"seconds to wait for health yellow (default $KB_ES_START_TIMEOUT or {HEALTH_TIMEOUT_S:.0f})",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        if args.command == "start":
            print(start(home=args.home, port=args.port, heap_mb=args.heap_mb, timeout_s=args.timeout))
        elif args.command == "stop":
            stop(home=args.home)
        else:
            print(json.dumps(status(home=args.home), ensure_ascii=False, indent=2))
    except DevHarnessError as exc:
        print(f"错误：{exc.detail}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
