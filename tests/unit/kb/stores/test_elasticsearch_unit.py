"""The Elasticsearch store's pure parts, without a server: filters, mapping, documents, names, settings, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import ApiError, NotFoundError
from haystack import Document
from haystack.dataclasses import ByteStream
from pydantic import SecretStr

from kb.config import EsSettings, Settings
from kb.errors import ConfigError, InvalidFilter, KBError, StoreUnavailable
from kb.models import META_KEYS, EntryKind
from kb.stores.elasticsearch import ElasticsearchChunkStore, build_es_store
from kb.stores.elasticsearch_errors import is_index_not_found, redact_url, translate_error
from kb.stores.elasticsearch_filters import MATCH_ALL, MATCH_NONE, search_clauses, translate_filters
from kb.stores.elasticsearch_indices import check_alias_name
from kb.stores.elasticsearch_mapping import SequenceClock, build_mapping, from_source, hit_vector, to_source

# --- filters --------------------------------------------------------------------------------------------------------


def test_list_rule_maps_to_term_and_terms() -> None:
    assert translate_filters({"field": "meta.charges", "operator": "==", "value": "盗窃罪"}) == {
        "term": {"meta.charges": "盗窃罪"}
    }
    assert translate_filters({"field": "charges", "operator": "!=", "value": "盗窃罪"}) == {
        "bool": {"must_not": [{"term": {"meta.charges": "盗窃罪"}}]}
    }
    assert translate_filters({"field": "meta.outcomes", "operator": "in", "value": ["抗诉", None]}) == {
        "bool": {
            "should": [
                {"terms": {"meta.outcomes": ["抗诉"]}},
                {"bool": {"must_not": [{"exists": {"field": "meta.outcomes"}}]}},
            ]
        }
    }


def test_none_ordering_dates_and_logic() -> None:
    assert translate_filters({"field": "meta.year", "operator": ">", "value": None}) == MATCH_NONE
    assert translate_filters({"field": "meta.year", "operator": ">=", "value": "2020-01-01"}) == MATCH_NONE
    assert translate_filters({"field": "meta.publish_date", "operator": "<", "value": "2020-01-01"}) == {
        "range": {"meta.publish_date": {"lt": "2020-01-01T00:00:00"}}
    }
    assert translate_filters({"operator": "AND", "conditions": []}) == MATCH_ALL
    assert translate_filters({"operator": "OR", "conditions": []}) == MATCH_NONE
    assert translate_filters({"field": "meta.illustrative", "operator": "==", "value": True}) == {
        "term": {"meta.illustrative": True}
    }
    assert translate_filters({"field": "meta.kind", "operator": "==", "value": True}) == {"term": {"meta.kind": "true"}}
    assert translate_filters(None) is None and translate_filters({}) is None


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"field": "content", "operator": "==", "value": "x"}, "content"),
        ({"field": "embedding", "operator": "==", "value": 1}, "不能按字段"),
        ({"field": "meta.a*", "operator": "==", "value": 1}, "字段名无效"),
        ({"field": "meta.year", "operator": "~", "value": 1}, "不支持的比较运算符"),
        ({"field": "meta.year", "operator": ">", "value": "去年"}, "ISO 日期"),
        ({"field": "meta.charges", "operator": "==", "value": ["a"]}, "需要单个值"),
        ({"field": "meta.charges", "operator": "in", "value": "a"}, "需要列表值"),
        ({"operator": "XOR", "conditions": []}, "不支持的逻辑运算符"),
        ({"field": "meta.year", "value": 1}, "缺少 'operator'"),
    ],
)
def test_invalid_filters_get_a_chinese_error(filters: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidFilter, match=message):
        translate_filters(filters)


def test_search_clauses_turn_closed_fields_and_negations_into_exclusions() -> None:
    kind_case = {"field": "meta.kind", "operator": "in", "value": ["case"]}
    not_law = {"field": "meta.kind", "operator": "not in", "value": ["law"]}
    charge = {"field": "meta.charges", "operator": "==", "value": "盗窃罪"}
    clauses = search_clauses({"operator": "AND", "conditions": [kind_case, not_law, charge]})
    assert clauses["filter"] == [{"term": {"meta.charges": "盗窃罪"}}]
    excluded = clauses["must_not"][0]["bool"]["filter"][0]["terms"]["meta.kind"]
    assert set(excluded) == {k.value for k in EntryKind} - {"case"}
    assert clauses["must_not"][0]["bool"]["must_not"] == [{"term": {"open_meta": "kind"}}]
    assert clauses["must_not"][1] == {
        "bool": {"filter": [{"term": {"open_meta": "kind"}}], "must_not": [{"terms": {"meta.kind": ["case"]}}]}
    }
    assert clauses["must_not"][2] == {"terms": {"meta.kind": ["law"]}}
    # not a closed field, an unknown value, a lone comparison, nothing at all
    assert search_clauses(charge) == {"filter": [{"term": {"meta.charges": "盗窃罪"}}]}
    unknown = {"field": "meta.line", "operator": "==", "value": "其他检察"}
    assert search_clauses(unknown) == {"filter": [{"term": {"meta.line": "其他检察"}}]}
    assert search_clauses(None) == {} and search_clauses({}) == {}
    with pytest.raises(InvalidFilter):
        search_clauses({"operator": "AND", "conditions": [{"field": "meta.kind", "operator": "in", "value": "case"}]})


# --- mapping and documents ---------------------------------------------------------------------------------------


def test_mapping_has_whitespace_text_keyword_meta_and_hnsw_vectors() -> None:
    mapping = build_mapping(384)
    props = mapping["properties"]
    assert props["tokens"]["analyzer"] == "whitespace" and "title_tokens" not in props
    assert props["open_meta"] == {"type": "keyword"} and mapping["_meta"]["title_weight"] == 2
    assert props["content"] == {"type": "text", "index": False}
    assert props["embedding"]["dims"] == 384 and props["embedding"]["similarity"] == "cosine"
    assert props["embedding"]["index_options"]["type"] == "hnsw"
    assert mapping["_source"] == {"excludes": ["embedding"]}
    meta = props["meta"]["properties"]
    assert set(META_KEYS) <= set(meta)
    assert meta["year"]["type"] == "integer" and meta["illustrative"]["type"] == "boolean"
    assert meta["charges"]["type"] == "keyword" and meta["publish_date"]["type"] == "date"
    assert "dims" not in build_mapping(None)["properties"]["embedding"]
    with pytest.raises(ValueError, match="vector_index_type"):
        build_mapping(8, vector_index_type="bbq_hnsw")


def test_documents_round_trip_and_index_text_is_normalised() -> None:
    doc = Document(
        id="e1:1:0",
        content="张某盗窃案",
        meta={
            "entry_id": "e1",
            "charges": ["盗窃罪"],
            "_tokens": "张某 盗窃 ， AND Rock",
            "_title_tokens": ["张某", "盗窃案"],
        },
        embedding=[0.5, 0.5],
        blob=ByteStream(data=b"\x00\x01", mime_type="application/octet-stream"),
    )
    source = to_source(doc, seq=7, embedding_dim=2)
    # BM25F at index time: the title terms follow the body terms title_weight (2) times
    assert source["tokens"] == "张某 盗窃 and rock 张某 盗窃案 张某 盗窃案"
    assert to_source(doc, seq=7, embedding_dim=2, title_weight=0)["tokens"] == "张某 盗窃 and rock"
    assert source["open_meta"] == ["kind", "line", "case_type"]
    assert "_tokens" not in source["meta"] and source["seq"] == 7
    assert "embedding" in source  # sent with the document; the mapping keeps it out of the stored _source
    hit = {"_source": json.loads(json.dumps(source)), "fields": {"embedding": [[0.5, 0.5]]}}
    back = from_source(hit["_source"], embedding=hit_vector(hit))
    assert back.id == doc.id and back.content == doc.content and back.embedding == doc.embedding
    assert back.meta == {"entry_id": "e1", "charges": ["盗窃罪"]} and back.blob == doc.blob


def test_zero_vectors_are_left_out_and_wrong_sizes_refused() -> None:
    assert "embedding" not in to_source(Document(id="z", content="x", embedding=[0.0, 0.0]), 1, 2)
    with pytest.raises(ConfigError, match="kb reindex"):
        to_source(Document(id="w", content="x", embedding=[1.0, 0.0, 0.0]), 1, 2)


def test_sequence_clock_increases() -> None:
    clock = SequenceClock()
    values = [clock.next() for _ in range(1000)]
    assert values == sorted(values) and len(set(values)) == 1000


@pytest.mark.parametrize("name", ["KB-Chunks", "-kb", "kb chunks", "kb*", ".."])
def test_bad_index_names_are_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="KB_ES__INDEX"):
        check_alias_name(name)


# --- settings, secrets, serialisation ----------------------------------------------------------------------------


def test_flat_env_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_ES_URL", "http://flat:9200")
    monkeypatch.setenv("KB_ES_TIMEOUT_S", "2.5")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.es.url == "http://flat:9200" and settings.es.timeout_s == 2.5
    monkeypatch.setenv("KB_ES__URL", "http://nested:9200")
    assert Settings(_env_file=None).es.url == "http://nested:9200"  # type: ignore[call-arg]


def test_secrets_never_reach_to_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_ES__API_KEY", "from-the-environment")
    es = EsSettings(
        url="https://user:pw-in-url@es.example:9200",
        index="kb-prod",
        api_key=SecretStr("from-the-environment"),
        username="kb",
        password=SecretStr("from-a-dotenv-file"),
    )
    store = build_es_store(Settings(_env_file=None, store="elasticsearch", es=es), embedding_dim=384)  # type: ignore[call-arg]
    data = store.to_dict()
    text = json.dumps(data)
    for secret in ("from-the-environment", "from-a-dotenv-file", "pw-in-url"):
        assert secret not in text
    params = data["init_parameters"]
    assert params["api_key"] == {"type": "env_var", "env_vars": ["KB_ES__API_KEY", "KB_ES_API_KEY"], "strict": False}
    assert params["password"]["type"] == "env_var" and params["hosts"] == "https://es.example:9200"
    restored = ElasticsearchChunkStore.from_dict(data)
    assert restored.alias == "kb-prod" and restored.embedding_dim == 384 and restored.username == "kb"


def test_init_checks_its_arguments() -> None:
    for weight in (0.5, 1.5, -1, 11):
        with pytest.raises(ValueError, match="title_weight"):
            ElasticsearchChunkStore(title_weight=weight)  # type: ignore[arg-type]
    assert ElasticsearchChunkStore(title_weight=3.0).title_weight == 3  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="embedding_dim"):
        ElasticsearchChunkStore(embedding_dim=0)
    with pytest.raises(ConfigError):
        ElasticsearchChunkStore(index="Upper")


# --- errors ------------------------------------------------------------------------------------------------------------


def _meta(status: int) -> ApiResponseMeta:
    node = NodeConfig("http", "127.0.0.1", 9200)
    return ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(), duration=0.0, node=node)


def test_error_translation() -> None:
    missing = NotFoundError(
        "index_not_found_exception",
        _meta(404),
        {"error": {"type": "index_not_found_exception", "reason": "no such index"}},
    )
    assert is_index_not_found(missing)
    busy = ApiError(
        "es_rejected_execution_exception", _meta(429), {"error": {"type": "es_rejected_execution_exception"}}
    )
    error = translate_error(busy, url="http://u:p@h:9200", timeout_s=5, action="检索")
    assert isinstance(error, StoreUnavailable) and "HTTP 429" in error.detail and "u:p" not in error.detail
    bad = ApiError("x", _meta(400), {"error": {"type": "parsing_exception", "reason": "bad"}})
    error = translate_error(bad, url="http://h:9200", timeout_s=5, action="检索")
    assert type(error) is KBError and "parsing_exception" in error.detail
    assert redact_url("https://a:b@h:1/x") == "https://h:1/x" and redact_url("http://h") == "http://h"
