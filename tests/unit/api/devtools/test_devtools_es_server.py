"""Unit tests of the Elasticsearch harness that need no server, no download and no Java."""

from __future__ import annotations

import json
import os
import pwd
import socket
import stat
import zipfile
from pathlib import Path

import pytest

from api.devtools import DevHarnessError, es_server


def _fake_jdk(root: Path, version_line: str) -> Path:
    java = root / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n", encoding="utf-8")
    java.chmod(0o755)
    return root


def test_cache_dir_honours_kb_es_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KB_ES_CACHE", str(tmp_path))
    assert es_server.cache_dir("8.19.21") == tmp_path / "8.19.21"
    monkeypatch.delenv("KB_ES_CACHE")
    assert es_server.cache_dir("8.19.21") == Path.home() / ".cache" / "kb" / "elasticsearch" / "8.19.21"


def test_artifact_names_the_integ_test_zip_of_an_8_19_release() -> None:
    assert es_server.ES_VERSION.startswith("8.19.")
    assert (
        f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{es_server.ES_VERSION}:zip"
    ) == es_server.ES_ARTIFACT


def test_unpack_restores_exec_bits_and_marks_the_tree_complete(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KB_ES_CACHE", str(tmp_path))
    where = es_server.cache_dir("0.0.1")
    where.mkdir(parents=True)
    archive = where / "elasticsearch-0.0.1.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        script = zipfile.ZipInfo("elasticsearch-0.0.1/bin/elasticsearch")
        script.external_attr = (stat.S_IFREG | 0o755) << 16
        bundle.writestr(script, "#!/bin/sh\n")
        config = zipfile.ZipInfo("elasticsearch-0.0.1/config/jvm.options")
        config.external_attr = (stat.S_IFREG | 0o600) << 16
        bundle.writestr(config, "-Xms1g\n")

    server = es_server.ensure_distribution("0.0.1")

    assert server == where / "elasticsearch-0.0.1"
    assert os.access(server / "bin" / "elasticsearch", os.X_OK)
    assert (server / "config" / "jvm.options").stat().st_mode & 0o044 == 0o044  # readable by the server user
    assert (server / ".kb-complete").is_file()
    archive.unlink()  # a second call must not need the zip (nor Maven) any more
    assert es_server.ensure_distribution("0.0.1") == server


def test_a_corrupt_zip_is_removed_with_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KB_ES_CACHE", str(tmp_path))
    where = es_server.cache_dir("0.0.2")
    where.mkdir(parents=True)
    archive = where / "elasticsearch-0.0.2.zip"
    archive.write_bytes(b"not a zip")
    with pytest.raises(DevHarnessError, match="已损坏"):
        es_server.ensure_distribution("0.0.2")
    assert not archive.exists()


def test_find_java_home_skips_old_jdks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    old = _fake_jdk(tmp_path / "jdk11", 'openjdk version "11.0.2" 2019-01-15')
    new = _fake_jdk(tmp_path / "jdk21", 'openjdk version "21.0.4" 2024-07-16')
    monkeypatch.setenv("ES_JAVA_HOME", str(old))
    monkeypatch.setenv("JAVA_HOME", str(new))
    assert es_server.find_java_home() == new


def test_java_major_reads_legacy_and_modern_version_strings(tmp_path: Path) -> None:
    legacy = _fake_jdk(tmp_path / "jdk8", 'java version "1.8.0_402"')
    modern = _fake_jdk(tmp_path / "jdk17", 'openjdk version "17.0.15" 2025-04-15')
    assert es_server._java_major(legacy / "bin" / "java") == 8
    assert es_server._java_major(modern / "bin" / "java") == 17


def test_settings_make_a_loopback_single_node_without_security(tmp_path: Path) -> None:
    settings = es_server._settings(tmp_path, port=19200, transport_port=19300)
    assert settings["discovery.type"] == "single-node"
    assert settings["network.host"] == "127.0.0.1"
    assert settings["http.port"] == 19200
    assert settings["transport.port"] == 19300
    assert settings["xpack.security.enabled"] is False
    assert settings["cluster.routing.allocation.disk.threshold_enabled"] is False
    assert settings["cluster.name"] == "kb-test"
    assert settings["path.data"] == str(tmp_path / "data")
    assert settings["path.logs"] == str(tmp_path / "logs")


def test_prepare_home_copies_config_and_writes_yaml(tmp_path: Path) -> None:
    server = tmp_path / "server"
    (server / "config").mkdir(parents=True)
    (server / "config" / "jvm.options").write_text("-Xms1g\n", encoding="utf-8")
    home = tmp_path / "home"
    es_server._prepare_home(home, server, es_server._settings(home, port=1, transport_port=2))
    assert (home / "config" / "jvm.options").read_text(encoding="utf-8") == "-Xms1g\n"
    yaml = (home / "config" / "elasticsearch.yml").read_text(encoding="utf-8")
    assert "xpack.security.enabled: false\n" in yaml
    assert f'path.data: "{home / "data"}"\n' in yaml
    assert all((home / name).is_dir() for name in ("data", "logs", "tmp", "run"))


def test_server_env_points_at_home_and_sets_the_heap(tmp_path: Path) -> None:
    env = es_server._server_env(tmp_path, Path("/opt/jdk"), 512)
    assert env["ES_JAVA_HOME"] == "/opt/jdk"
    assert env["ES_JAVA_OPTS"] == "-Xms512m -Xmx512m"
    assert env["ES_PATH_CONF"] == str(tmp_path / "config")
    assert "JAVA_HOME" not in env


def test_stop_and_status_on_an_empty_home(tmp_path: Path) -> None:
    es_server.stop(home=tmp_path)
    es_server.stop(home=tmp_path)
    assert es_server.status(home=tmp_path)["running"] is False


def test_a_recorded_pid_that_is_not_elasticsearch_is_never_signalled(tmp_path: Path) -> None:
    state = {"url": "http://127.0.0.1:1", "pid": os.getpid()}
    (tmp_path / "es.json").write_text(json.dumps(state), encoding="utf-8")
    assert es_server.status(home=tmp_path)["running"] is False
    es_server.stop(home=tmp_path)  # would kill pytest itself if it trusted the file blindly
    assert not (tmp_path / "es.json").exists()


def test_start_refuses_a_port_in_use_before_downloading(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(DevHarnessError, match=str(port)):
            es_server.start(home=tmp_path, port=port)


def test_can_traverse_uses_owner_group_then_other_bits() -> None:
    user = pwd.struct_passwd(("kbes", "x", 999, 995, "", "/nonexistent", "/usr/sbin/nologin"))

    def info(uid: int, gid: int, mode: int) -> os.stat_result:
        return os.stat_result((stat.S_IFDIR | mode, 0, 0, 2, uid, gid, 0, 0, 0, 0))

    assert es_server._can_traverse(info(0, 0, 0o755), user, {995})
    assert not es_server._can_traverse(info(0, 0, 0o700), user, {995})
    assert es_server._can_traverse(info(0, 995, 0o710), user, {995})
    assert es_server._can_traverse(info(999, 0, 0o700), user, {995})


def test_wipe_refuses_a_pattern_as_prefix() -> None:
    with pytest.raises(ValueError, match="prefix"):
        es_server.wipe_test_indices("http://127.0.0.1:1", prefix="*")
    with pytest.raises(ValueError, match="prefix"):
        es_server.wipe_test_indices("http://127.0.0.1:1", prefix="")
