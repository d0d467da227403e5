"""Faults of an Elasticsearch cluster that need no real server: a closed port, a server that refuses the
credentials (401), and one that accepts connections and never answers. Everything stays on 127.0.0.1.

Each must end in StoreUnavailable with a Chinese message within the configured timeout, and a 503 problem from the
API, never a hang.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from haystack.utils import Secret

from api.main import create_app
from kb.config import EsSettings
from kb.errors import KBError, StoreUnavailable
from kb.search_request import SearchRequest
from kb.service import KnowledgeBase
from kb.stores.elasticsearch import ElasticsearchChunkStore
from tests.conftest import make_settings

TIMEOUT_S = 1.0
# Connecting and translating take a moment beyond the request timeout itself; a hang would take far longer.
SLACK_S = 2.0


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (bound once to pick it, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A socket that completes TCP handshakes (kernel backlog) but never reads or answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


class _Refuse401(BaseHTTPRequestHandler):
    seen_auth: list[str | None] = []  # noqa: RUF012 - shared by the test and the handler thread

    def _answer(self) -> None:
        type(self).seen_auth.append(self.headers.get("Authorization"))
        body = json.dumps({
            "error": {
                "type": "security_exception",
                "reason": "unable to authenticate user [kb] for REST request [/]",
                "root_cause": [{"type": "security_exception", "reason": "unable to authenticate user [kb]"}],
            },
            "status": 401,
        }).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("WWW-Authenticate", 'Basic realm="security"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def auth_server() -> Iterator[str]:
    _Refuse401.seen_auth = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuse401)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _store(url: str, **kwargs: Any) -> ElasticsearchChunkStore:
    return ElasticsearchChunkStore(hosts=url, index="kb-faults", timeout_s=TIMEOUT_S, **kwargs)


def _timed(call: Any) -> tuple[BaseException, float]:
    started = time.perf_counter()
    with pytest.raises(StoreUnavailable) as caught:
        call()
    return caught.value, time.perf_counter() - started


def test_unreachable_url_fails_fast_in_chinese(closed_port: int) -> None:
    store = _store(f"http://127.0.0.1:{closed_port}")
    error, elapsed = _timed(store.count_documents)
    assert "无法连接 Elasticsearch" in str(error) and "连接被拒绝" in str(error) and "KB_ES__URL" in str(error)
    assert elapsed < TIMEOUT_S + SLACK_S
    _, elapsed = _timed(lambda: store.bm25_retrieval("盗窃", top_k=5))
    assert elapsed < TIMEOUT_S + SLACK_S


def test_wrong_credentials_are_reported_not_leaked(auth_server: str) -> None:
    store = _store(auth_server, username="kb", password=Secret.from_token("wrong-password"))
    error, elapsed = _timed(lambda: store.filter_documents())
    assert "拒绝了登录凭据（401）" in str(error) and "KB_ES__PASSWORD" in str(error)
    assert elapsed < TIMEOUT_S + SLACK_S
    assert _Refuse401.seen_auth and all((a or "").startswith("Basic ") for a in _Refuse401.seen_auth)
    serialised = json.dumps(store.to_dict())
    assert "wrong-password" not in serialised
    assert store.to_dict()["init_parameters"]["password"]["type"] == "env_var"


def test_wrong_api_key_is_a_401_too(auth_server: str) -> None:
    store = _store(auth_server, api_key=Secret.from_token("bm90LWEta2V5Om5vcGU="))
    error, _ = _timed(store.count_documents)
    assert "KB_ES__API_KEY" in str(error)
    assert _Refuse401.seen_auth[-1] == "ApiKey bm90LWEta2V5Om5vcGU="
    assert "bm90LWEta2V5Om5vcGU=" not in json.dumps(store.to_dict())


def test_a_cluster_that_never_answers_times_out(silent_server: str) -> None:
    store = _store(silent_server)
    error, elapsed = _timed(store.count_documents)
    assert "秒内没有响应" in str(error) and "KB_ES__TIMEOUT_S" in str(error)
    assert TIMEOUT_S * 0.9 <= elapsed < TIMEOUT_S + SLACK_S
    # health reports the state without raising, within the same bound
    started = time.perf_counter()
    detail = store.store_health()
    assert time.perf_counter() - started < TIMEOUT_S + SLACK_S
    assert detail["ok"] is False and detail["status"] == "unreachable" and "没有响应" in detail["error"]


def test_callers_waiting_on_a_failed_connection_share_its_answer(
    silent_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search's two retrievers run side by side: against a silent cluster they must cost one timeout, not two
    in a row. A caller that arrives after the failure tries again (so a recovered cluster is found at once)."""
    import threading

    store = _store(silent_server)
    attempts: list[float] = []
    state = store.indices.state

    def counted(*args: Any, **kwargs: Any) -> Any:
        attempts.append(time.perf_counter())
        return state(*args, **kwargs)

    monkeypatch.setattr(store.indices, "state", counted)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            store.count_documents()
        except KBError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 2 and len(attempts) == 1  # one attempt, both callers told
    assert "秒内没有响应" in str(errors[1])
    with pytest.raises(KBError):
        store.count_documents()
    assert len(attempts) == 2  # a later call tries again


def _es_kb(home: Path, url: str) -> KnowledgeBase:
    es = EsSettings(url=url, index="kb-faults", timeout_s=TIMEOUT_S)
    return KnowledgeBase(make_settings(home, store="elasticsearch", es=es))


@pytest.mark.parametrize("server", ["closed_port", "silent_server"])
def test_api_answers_503_problem_within_the_timeout(
    server: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    value = request.getfixturevalue(server)
    url = f"http://127.0.0.1:{value}" if isinstance(value, int) else value
    settings = make_settings(tmp_path / "kb", store="elasticsearch", es=EsSettings(url=url, timeout_s=TIMEOUT_S))
    started = time.perf_counter()
    with TestClient(create_app(settings)) as client:  # starts although the cluster is down
        assert time.perf_counter() - started < TIMEOUT_S + SLACK_S + 3
        started = time.perf_counter()
        response = client.get("/api/search", params={"q": "醉酒驾驶 不起诉"})
        assert time.perf_counter() - started < TIMEOUT_S + SLACK_S
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["code"] == "store_unavailable" and "Elasticsearch" in body["detail"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])
        health = client.get("/api/health").json()
        assert health["status"] == "degraded" and health["store_ok"] is False
        assert health["store_detail"]["status"] == "unreachable"


def test_ingest_while_unreachable_keeps_the_record_and_queues_the_index(closed_port: int, tmp_path: Path) -> None:
    """The outbox: the record is committed, indexing fails fast and stays queued for `kb index retry`."""
    from kb.models import Entry, Section

    kb = _es_kb(tmp_path / "kb", f"http://127.0.0.1:{closed_port}")
    try:
        entry = Entry(
            kind="case",
            title="张某盗窃案（示例）",
            number="示例-故障-1",
            sections=[Section("facts", "基本案情", "张某盗窃手机一部。")],
        )
        started = time.perf_counter()
        results = kb.add_entries([entry])
        assert time.perf_counter() - started < TIMEOUT_S + SLACK_S
        assert results[0].status == "created"
        assert kb.records.exists(entry.entry_id)
        assert kb.records.pending_count() == 1
        pending = kb.records.pending()
        assert pending[0].entry_id == entry.entry_id and pending[0].attempts == 1
        with pytest.raises(StoreUnavailable):
            kb.search(SearchRequest(query="盗窃"))
    finally:
        kb.close()
