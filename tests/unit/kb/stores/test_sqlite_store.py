"""SqliteDocumentStore behaviour beyond Haystack's suites: retrieval, atomicity, persistence, facets, threads."""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from haystack import Document
from haystack.document_stores.types import DuplicatePolicy

from kb.errors import ConfigError, InvalidQuery, StoreUnavailable
from kb.stores import sqlite_terms
from kb.stores.sqlite import SqliteDocumentStore

ENGINES = ["memory", "fts5"]


def top_ids(docs: list[Document]) -> list[str]:
    return [d.id for d in docs]


def entry(entry_id: str) -> dict[str, Any]:
    return {"field": "meta.entry_id", "operator": "==", "value": entry_id}


class TestBm25:
    @pytest.mark.parametrize("engine", ENGINES)
    def test_chinese_terms_find_the_right_cases(self, case_store: SqliteDocumentStore, engine: str) -> None:
        hits = case_store.bm25_retrieval("盗窃", top_k=3, engine=engine)  # type: ignore[arg-type]
        assert set(top_ids(hits)[:2]) == {"c1", "c5"}  # 盗窃 matches 盗窃罪 and 盗窃电动车
        assert top_ids(case_store.bm25_retrieval("虚构投资骗取财物", top_k=1, engine=engine))[0] == "c3"  # type: ignore[arg-type]
        assert top_ids(case_store.bm25_retrieval("醉酒驾驶", top_k=1, engine=engine))[0] == "c7"  # type: ignore[arg-type]

    def test_ranking_prefers_more_and_rarer_matches(self, case_store: SqliteDocumentStore) -> None:
        hits = case_store.bm25_retrieval(["盗窃", "电动车", "附条件不起诉"], top_k=8)
        assert top_ids(hits)[0] == "c5"
        assert hits[0].score is not None and hits[-1].score is not None
        assert hits[0].score > hits[-1].score > 0
        assert all(a.score >= b.score for a, b in itertools.pairwise(hits))  # type: ignore[operator]

    def test_weights_change_the_order(self, case_store: SqliteDocumentStore) -> None:
        tilted_to_fraud = case_store.bm25_retrieval({"盗窃": 1.0, "诈骗": 5.0}, top_k=1)
        tilted_to_theft = case_store.bm25_retrieval({"盗窃": 5.0, "诈骗": 1.0}, top_k=1)
        assert top_ids(tilted_to_fraud) == ["c3"]
        assert top_ids(tilted_to_theft)[0] in {"c1", "c5"}

    @pytest.mark.parametrize("engine", ENGINES)
    def test_filters_run_inside_the_search(self, case_store: SqliteDocumentStore, engine: str) -> None:
        hits = case_store.bm25_retrieval(
            "盗窃",
            filters={"field": "meta.year", "operator": ">=", "value": 2023},
            engine=engine,  # type: ignore[arg-type]
        )
        assert top_ids(hits) == ["c5"]

    def test_results_carry_meta_and_score_but_no_embedding(self, case_store: SqliteDocumentStore) -> None:
        (hit,) = case_store.bm25_retrieval("诈骗", top_k=1)
        assert hit.meta["charges"] == ["诈骗罪"]
        assert hit.embedding is None
        assert hit.score is not None and hit.score > 0
        (with_vector,) = case_store.bm25_retrieval("诈骗", top_k=1, return_embedding=True)
        assert with_vector.embedding is not None and len(with_vector.embedding) == 8
        (scaled,) = case_store.bm25_retrieval("诈骗", top_k=1, scale_score=True)
        assert scaled.score is not None and 0.5 < scaled.score < 1

    @pytest.mark.parametrize("engine", ENGINES)
    @pytest.mark.parametrize(
        "query",
        [
            '"',
            "*",
            "NEAR",
            "AND",
            "-",
            ")(",
            "😀😀",
            "NEAR(盗窃 诈骗)",
            "盗窃 OR",
            "^盗窃",
            "tokens:盗窃",
            '"盗窃" AND -',
            "\x00",
        ],
    )
    def test_hostile_queries_never_fail(self, case_store: SqliteDocumentStore, query: str, engine: str) -> None:
        hits = case_store.bm25_retrieval(query, engine=engine)  # type: ignore[arg-type]
        hits_as_tokens = case_store.bm25_retrieval(query.split() or [query], engine=engine)  # type: ignore[arg-type]
        for result in (hits, hits_as_tokens):
            assert all(isinstance(d, Document) for d in result)

    @pytest.mark.parametrize("engine", ENGINES)
    def test_fts_keywords_are_plain_words(self, case_store: SqliteDocumentStore, engine: str) -> None:
        for word in (["AND"], ["near"], ["NOT"], ['"Roll"']):
            assert top_ids(case_store.bm25_retrieval(word, engine=engine)) == ["c8"]  # type: ignore[arg-type]

    def test_queries_without_terms_return_nothing(self, case_store: SqliteDocumentStore) -> None:
        assert case_store.bm25_retrieval([]) == []
        assert case_store.bm25_retrieval("") == []
        assert case_store.bm25_retrieval(["", "  ", "，。！", "😀"]) == []
        assert case_store.bm25_retrieval({"盗窃": 0.0}) == []
        assert case_store.bm25_retrieval("盗窃", top_k=0) == []
        assert case_store.bm25_retrieval("量子力学") == []

    @pytest.mark.parametrize("engine", ENGINES)
    def test_huge_queries(self, case_store: SqliteDocumentStore, engine: str) -> None:
        assert case_store.bm25_retrieval("a" * 10_000, engine=engine) == []  # type: ignore[arg-type]
        facts = "被告人张某盗窃手机，检察机关审查起诉。" * 500  # 10,000 characters of pasted facts
        assert top_ids(case_store.bm25_retrieval(facts, top_k=1, engine=engine)) == ["c1"]  # type: ignore[arg-type]
        many = [f"词{i}" for i in range(5000)] + ["危险驾驶罪"]
        assert top_ids(case_store.bm25_retrieval(many, top_k=1, engine=engine)) == ["c7"]  # type: ignore[arg-type]

    def test_pre_segmented_tokens_and_title(self, store: SqliteDocumentStore) -> None:
        store.write_documents([
            Document(id="t1", content="正文一", meta={"_tokens": "职务 侵占", "_title_tokens": "挪用 资金"}),
            Document(id="t2", content="正文二", meta={"_tokens": "挪用 资金 职务", "x": 1}),
            Document(id="t3", content="正文三", meta={"_tokens": ["挪用", "公款"]}),
        ])
        assert "_tokens" not in store.get_documents_by_id(["t1"])[0].meta
        assert store.get_documents_by_id(["t2"])[0].meta == {"x": 1}
        assert store.bm25_retrieval("正文一") == []  # the content itself is not indexed when _tokens is given
        assert top_ids(store.bm25_retrieval(["资金"]))[0] == "t1"  # the title weighs twice
        assert set(top_ids(store.bm25_retrieval(["挪用"]))) == {"t1", "t2", "t3"}

    def test_memory_and_fts5_agree_on_clear_cases(self, case_store: SqliteDocumentStore) -> None:
        for query in ("诈骗", "公益诉讼 环境污染", "检察建议 土地"):
            memory = top_ids(case_store.bm25_retrieval(query, top_k=1, engine="memory"))
            fts5 = top_ids(case_store.bm25_retrieval(query, top_k=1, engine="fts5"))
            assert memory == fts5

    def test_bm25_scores_match_a_brute_force_computation(self, store: SqliteDocumentStore) -> None:
        rng = np.random.default_rng(3)
        vocabulary = [f"词{i}" for i in range(30)]
        texts = [list(rng.choice(vocabulary, size=int(rng.integers(3, 25)))) for _ in range(40)]
        store.write_documents([Document(id=f"b{i}", meta={"_tokens": " ".join(t)}) for i, t in enumerate(texts)])
        query = {"词1": 1.0, "词7": 2.0, "词20": 0.5}
        n = len(texts)
        avgdl = sum(len(t) for t in texts) / n
        expected: dict[str, float] = {}
        for i, text in enumerate(texts):
            score = 0.0
            for term, weight in query.items():
                df = sum(term in t for t in texts)
                tf = text.count(term)
                if tf:
                    idf = np.log1p((n - df + 0.5) / (df + 0.5))
                    score += weight * idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(text) / avgdl))
            if score > 0:
                expected[f"b{i}"] = score
        hits = store.bm25_retrieval(query, top_k=100)
        assert {d.id for d in hits} == set(expected)
        for doc in hits:
            assert doc.score == pytest.approx(expected[doc.id], rel=1e-5)


class TestDense:
    def test_matches_brute_force_cosine(self, store: SqliteDocumentStore) -> None:
        rng = np.random.default_rng(1)
        vectors = rng.standard_normal((60, 16)).astype(np.float32)
        store.write_documents([
            Document(id=f"v{i}", content=f"文本{i}", meta={"odd": i % 2 == 1}, embedding=v.tolist())
            for i, v in enumerate(vectors)
        ])
        query = rng.standard_normal(16).astype(np.float32)
        cosine = vectors @ query / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query))
        expected = [f"v{i}" for i in np.argsort(-cosine)[:10]]
        hits = store.embedding_retrieval(query, top_k=10)
        assert top_ids(hits) == expected
        assert [d.score for d in hits] == pytest.approx(sorted(cosine, reverse=True)[:10], abs=1e-5)
        odd = store.embedding_retrieval(
            query.tolist(), top_k=5, filters={"field": "meta.odd", "operator": "==", "value": True}
        )
        expected_odd = [f"v{i}" for i in np.argsort(-cosine) if i % 2 == 1][:5]
        assert top_ids(odd) == expected_odd
        scaled = store.embedding_retrieval(query, top_k=1, scale_score=True)[0].score
        assert scaled == pytest.approx((cosine.max() + 1) / 2, abs=1e-5)

    def test_follows_writes_and_deletes(self, store: SqliteDocumentStore) -> None:
        store.write_documents([Document(id="a", embedding=[1.0, 0.0]), Document(id="b", embedding=[0.0, 1.0])])
        assert top_ids(store.embedding_retrieval([1.0, 0.1], top_k=1)) == ["a"]
        store.write_documents([Document(id="c", embedding=[1.0, 0.05])])
        assert top_ids(store.embedding_retrieval([1.0, 0.05], top_k=1)) == ["c"]
        store.delete_documents(["c"])
        assert top_ids(store.embedding_retrieval([1.0, 0.05], top_k=3)) == ["a", "b"]
        store.write_documents([Document(id="a", embedding=[-1.0, 0.0])], policy=DuplicatePolicy.OVERWRITE)
        assert top_ids(store.embedding_retrieval([1.0, 0.0], top_k=3)) == ["b", "a"]

    def test_documents_without_vectors_are_skipped(self, store: SqliteDocumentStore) -> None:
        assert store.embedding_retrieval([1.0, 0.0]) == []
        store.write_documents([Document(id="x", content="无向量")])
        assert store.embedding_retrieval([1.0, 0.0]) == []

    def test_bad_query_vectors(self, case_store: SqliteDocumentStore) -> None:
        with pytest.raises(ConfigError, match="维"):
            case_store.embedding_retrieval([1.0, 2.0])
        with pytest.raises(InvalidQuery):
            case_store.embedding_retrieval([0.0] * 8)
        with pytest.raises(ValueError, match="non-empty"):
            case_store.embedding_retrieval([])

    def test_dimension_is_enforced_on_write(self, store: SqliteDocumentStore, tmp_path: Path) -> None:
        store.write_documents([Document(id="a", embedding=[1.0, 0.0, 0.0])])
        with pytest.raises(ConfigError, match="3 维"):
            store.write_documents([Document(id="b", embedding=[1.0, 0.0])])
        assert store.count_documents() == 1
        with SqliteDocumentStore(tmp_path / "x.sqlite3", embedding_dim=4) as fixed, pytest.raises(ConfigError):
            fixed.write_documents([Document(id="a", embedding=[1.0, 0.0])])
        with pytest.raises(ConfigError, match="4 维"):
            SqliteDocumentStore(tmp_path / "x.sqlite3", embedding_dim=8)


class TestAtomicity:
    def versions(self) -> tuple[list[Document], list[Document]]:
        old = [
            Document(
                id=f"e1#{i}",
                content=f"旧版本 第{i}段 盗窃",
                meta={"entry_id": "e1", "version": 1},
                embedding=[1.0, float(i)],
            )
            for i in range(3)
        ]
        new = [
            Document(
                id=f"e1v2#{i}",
                content=f"新版本 第{i}段 诈骗",
                meta={"entry_id": "e1", "version": 2},
                embedding=[float(i), 1.0],
            )
            for i in range(2)
        ]
        return old, new

    def snapshot(self, store: SqliteDocumentStore) -> tuple[Any, ...]:
        return (
            [(d.id, d.content, d.meta) for d in store.filter_documents()],
            [(d.id, d.score) for d in store.bm25_retrieval(["盗窃", "诈骗", "版本"], top_k=10)],
            [(d.id, d.score) for d in store.embedding_retrieval([1.0, 0.5], top_k=10)],
            store.facet_counts(["version"]),
        )

    def test_replace_swaps_an_entry(self, file_store: SqliteDocumentStore) -> None:
        old, new = self.versions()
        file_store.write_documents([*old, Document(id="other", content="其他 盗窃", meta={"entry_id": "e9"})])
        file_store.warm_up()
        file_store.replace_documents(entry("e1"), new)
        assert sorted(d.id for d in file_store.filter_documents(entry("e1"))) == ["e1v2#0", "e1v2#1"]
        assert top_ids(file_store.bm25_retrieval("盗窃")) == ["other"]
        assert set(top_ids(file_store.embedding_retrieval([0.0, 1.0], top_k=5))) == {"e1v2#0", "e1v2#1"}

    @pytest.mark.parametrize("failure", ["sqlite_trigger", "python_exception"])
    def test_failed_replace_changes_nothing(
        self, file_store: SqliteDocumentStore, monkeypatch: pytest.MonkeyPatch, failure: str
    ) -> None:
        old, new = self.versions()
        file_store.write_documents(old)
        file_store.warm_up()
        before = self.snapshot(file_store)
        boom = Document(id="boom", content="第三段 会失败", meta={"entry_id": "e1"}, embedding=[0.5, 0.5])
        if failure == "sqlite_trigger":
            file_store._conn.execute(
                "CREATE TEMP TRIGGER fail_on_boom BEFORE INSERT ON docs WHEN NEW.id = 'boom'"
                " BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )
            expected: type[Exception] = sqlite3.IntegrityError
        else:
            real = sqlite_terms.encode_postings
            calls = iter(range(100))

            def flaky(*args: Any) -> bytes:
                if next(calls) == 2:
                    msg = "injected failure"
                    raise RuntimeError(msg)
                return real(*args)

            monkeypatch.setattr("kb.stores.sqlite_write.encode_postings", flaky)
            expected = RuntimeError
        with pytest.raises(expected, match="injected failure"):
            file_store.replace_documents(entry("e1"), [*new, boom])
        assert self.snapshot(file_store) == before
        with SqliteDocumentStore(file_store.path) as reopened:
            assert self.snapshot(reopened) == before

    def test_write_batch_is_all_or_nothing(self, store: SqliteDocumentStore) -> None:
        store.write_documents([Document(id="a", content="甲")])
        with pytest.raises(ValueError, match="JSON"):
            store.write_documents([Document(id="b", content="乙"), Document(id="c", meta={"bad": object()})])
        assert top_ids(store.filter_documents()) == ["a"]

    def test_replace_needs_a_filter(self, store: SqliteDocumentStore) -> None:
        with pytest.raises(ValueError, match="non-empty"):
            store.replace_documents({}, [])

    def test_duplicate_policies(self, store: SqliteDocumentStore) -> None:
        store.write_documents([Document(id="a", content="一")])
        assert (
            store.write_documents(
                [Document(id="a", content="二"), Document(id="b", content="三")], DuplicatePolicy.SKIP
            )
            == 1
        )
        assert store.get_documents_by_id(["a"])[0].content == "一"
        batch = [Document(id="a", content="四"), Document(id="a", content="五")]
        assert store.write_documents(batch, DuplicatePolicy.OVERWRITE) == 1
        assert store.get_documents_by_id(["a"])[0].content == "五"
        assert top_ids(store.bm25_retrieval("五")) == ["a"]
        assert store.bm25_retrieval("一") == []


class TestPersistence:
    def test_reopen_gives_the_same_documents_and_results(
        self, tmp_path: Path, make_cases: Callable[..., list[Document]]
    ) -> None:
        path = tmp_path / "sub" / "index.sqlite3"
        docs = make_cases()
        with SqliteDocumentStore(path) as store:
            store.write_documents(docs)
            before = (
                store.filter_documents(),
                [(d.id, d.score) for d in store.bm25_retrieval("检察机关 盗窃 不起诉", top_k=5)],
                [(d.id, d.score) for d in store.embedding_retrieval(docs[2].embedding or [], top_k=5)],
            )
        with SqliteDocumentStore(path) as store:
            after = (
                store.filter_documents(),
                [(d.id, d.score) for d in store.bm25_retrieval("检察机关 盗窃 不起诉", top_k=5)],
                [(d.id, d.score) for d in store.embedding_retrieval(docs[2].embedding or [], top_k=5)],
            )
            assert store.stats()["documents"] == 8
        assert after == before
        assert after[2][0][0] == "c3"

    def test_wal_and_file_settings(self, file_store: SqliteDocumentStore) -> None:
        assert file_store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert file_store._conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert file_store._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1

    def test_another_instance_sees_writes(self, tmp_path: Path) -> None:
        path = tmp_path / "shared.sqlite3"
        with SqliteDocumentStore(path) as reader, SqliteDocumentStore(path) as writer:
            writer.write_documents([Document(id="a", content="盗窃 手机", embedding=[1.0, 0.0])])
            reader.warm_up()
            assert top_ids(reader.bm25_retrieval("盗窃")) == ["a"]
            writer.write_documents([Document(id="b", content="盗窃 盗窃 电动车", embedding=[0.0, 1.0])])
            writer.delete_documents(["a"])
            assert top_ids(reader.bm25_retrieval("盗窃")) == ["b"]
            assert top_ids(reader.embedding_retrieval([1.0, 0.1], top_k=5)) == ["b"]
            reader.write_documents([Document(id="c", content="盗窃", embedding=[1.0, 1.0])])
            assert set(top_ids(writer.bm25_retrieval("盗窃"))) == {"b", "c"}

    def test_not_an_index(self, tmp_path: Path) -> None:
        garbage = tmp_path / "garbage.sqlite3"
        garbage.write_bytes(b"this is not a database" * 100)
        with pytest.raises(StoreUnavailable, match="无法打开"):
            SqliteDocumentStore(garbage)
        other = tmp_path / "other.sqlite3"
        with sqlite3.connect(other) as conn:
            conn.execute("CREATE TABLE users (id INTEGER)")
        with pytest.raises(ConfigError, match="users"):
            SqliteDocumentStore(other)

    def test_closed_store_refuses(self, tmp_path: Path) -> None:
        store = SqliteDocumentStore(tmp_path / "c.sqlite3")
        store.close()
        store.close()
        with pytest.raises(StoreUnavailable):
            store.count_documents()

    def test_to_dict_round_trip(self, tmp_path: Path) -> None:
        with SqliteDocumentStore(tmp_path / "d.sqlite3", embedding_dim=4, title_weight=3.0) as store:
            data = store.to_dict()
            assert data == {
                "type": "kb.stores.sqlite.SqliteDocumentStore",
                "init_parameters": {
                    "path": str(tmp_path / "d.sqlite3"),
                    "embedding_dim": 4,
                    "title_weight": 3.0,
                    "max_query_terms": 64,
                    "read_connections": 4,
                },
            }
            with SqliteDocumentStore.from_dict(data) as again:
                assert again.to_dict() == data


class TestFacets:
    def test_counts_entries_not_chunks(self, case_store: SqliteDocumentStore) -> None:
        counts = case_store.facet_counts(["charges", "meta.line", "year"])
        assert counts["charges"] == {"盗窃罪": 2, "危险驾驶罪": 1, "诈骗罪": 1}
        assert counts["line"] == {"刑事检察": 4, "公益诉讼检察": 1, "其他": 1, "行政检察": 1}
        assert counts["year"]["2021"] == 1
        assert list(counts["charges"]) == ["盗窃罪", "危险驾驶罪", "诈骗罪"]

    def test_counts_within_results_and_filters(self, case_store: SqliteDocumentStore) -> None:
        within = case_store.facet_counts(["outcomes"], within_ids=["c1", "c2", "c3", "c7"])
        assert within == {"outcomes": {"起诉": 2, "不起诉": 1, "抗诉": 1}}
        filtered = case_store.facet_counts(["outcomes"], filters={"field": "meta.year", "operator": ">", "value": 2021})
        assert filtered == {"outcomes": {"不起诉": 1, "抗诉": 1, "起诉": 1, "附条件不起诉": 1}}
        assert case_store.facet_counts(["charges"], group_by=None)["charges"]["盗窃罪"] == 3
        assert case_store.facet_counts(["charges"], within_ids=[]) == {"charges": {}}
        assert case_store.facet_counts(["nothing"]) == {"nothing": {}}

    def test_unique_values_and_min_max(self, case_store: SqliteDocumentStore) -> None:
        values, total = case_store.get_metadata_field_unique_values("meta.charges")
        assert (values, total) == (["危险驾驶罪", "盗窃罪", "诈骗罪"], 3)
        assert case_store.get_metadata_field_min_max("year") == {"min": 2018, "max": 2024}
        assert case_store.get_metadata_fields_info()["charges"] == {"type": "keyword"}


class TestThreads:
    def test_concurrent_readers_and_a_writer(
        self, file_store: SqliteDocumentStore, make_cases: Callable[..., list[Document]]
    ) -> None:
        file_store.write_documents(make_cases())
        file_store.warm_up()
        errors: list[BaseException] = []
        stop = threading.Event()
        rng = np.random.default_rng(5)
        queries = [rng.standard_normal(8).tolist() for _ in range(20)]

        def read() -> None:
            try:
                while not stop.is_set():
                    for q in queries:
                        hits = file_store.bm25_retrieval("盗窃 检察机关", top_k=5)
                        assert hits and all(h.score is not None for h in hits)
                        assert len(file_store.embedding_retrieval(q, top_k=3)) == 3
                        file_store.filter_documents({"field": "meta.line", "operator": "==", "value": "刑事检察"})
                        file_store.facet_counts(["charges"])
            except BaseException as exc:
                errors.append(exc)

        def write() -> None:
            try:
                for batch in range(15):
                    docs = make_cases(seed=batch)
                    renamed = [
                        Document(id=f"w{batch}-{d.id}", content=d.content, meta=d.meta, embedding=d.embedding)
                        for d in docs
                    ]
                    file_store.write_documents(renamed)
                    if batch % 3 == 0:
                        file_store.delete_by_filter({
                            "field": "id",
                            "operator": "in",
                            "value": [d.id for d in renamed[:4]],
                        })
            except BaseException as exc:
                errors.append(exc)
            finally:
                stop.set()

        threads = [threading.Thread(target=read) for _ in range(4)] + [threading.Thread(target=write)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        expected = 8 + 15 * 8 - 5 * 4
        assert file_store.count_documents() == expected
        with_term = [d.id for d in file_store.filter_documents() if "检察机关" in (d.content or "")]
        assert sorted(top_ids(file_store.bm25_retrieval("检察机关", top_k=1000))) == sorted(with_term)
        assert len(file_store.embedding_retrieval([1.0] * 8, top_k=1000)) == expected


class TestInMemoryIndexes:
    def write_batches(self, store: SqliteDocumentStore, seed: int) -> None:
        rng = np.random.default_rng(seed)
        vocabulary = [f"词{i}" for i in range(60)]
        for batch in range(6):
            docs = [
                Document(
                    id=f"d{batch}-{i}",
                    meta={"_tokens": " ".join(rng.choice(vocabulary, size=int(rng.integers(5, 40)))), "batch": batch},
                    embedding=rng.standard_normal(6).tolist(),
                )
                for i in range(40)
            ]
            store.write_documents(docs)
            if batch % 2:
                store.delete_by_filter({"field": "meta.batch", "operator": "==", "value": batch - 1})
            store.write_documents(docs[:5], policy=DuplicatePolicy.OVERWRITE)

    @pytest.mark.parametrize("fold_early", [False, True])
    def test_incremental_updates_match_a_fresh_load(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fold_early: bool
    ) -> None:
        if fold_early:  # exercise the delta fold and dead-document compaction on small data
            monkeypatch.setattr(sqlite_terms, "_DELTA_MIN", 50)
            monkeypatch.setattr(sqlite_terms, "_DEAD_FRACTION", 0.05)
        path = tmp_path / "inc.sqlite3"
        with SqliteDocumentStore(path) as live:
            live.write_documents([Document(id="seed", meta={"_tokens": "词1"}, embedding=[1.0] * 6)])
            live.warm_up()  # from here on the in-memory indexes follow the writes incrementally
            self.write_batches(live, seed=4)
            with SqliteDocumentStore(path) as fresh:
                for query in (["词1", "词2"], ["词7"], {"词3": 2.0, "词50": 1.0}):
                    got = live.bm25_retrieval(query, top_k=15)
                    want = fresh.bm25_retrieval(query, top_k=15)
                    assert {d.id for d in got} == {d.id for d in want}
                    got_scores = {d.id: d.score for d in got}
                    for doc in want:
                        assert got_scores[doc.id] == pytest.approx(doc.score, rel=0.15)
                query_vector = [0.3, -1.0, 0.2, 0.0, 1.0, 0.5]
                assert top_ids(live.embedding_retrieval(query_vector, top_k=20)) == top_ids(
                    fresh.embedding_retrieval(query_vector, top_k=20)
                )
                assert live.count_documents() == fresh.count_documents() == 1 + 3 * 40

    def test_doc_freqs_for_the_query_normalizer(self, case_store: SqliteDocumentStore) -> None:
        dfs, n_docs = case_store.doc_freqs(["盗窃", "检察机关", "量子力学", "，"])
        assert n_docs == 8
        assert dfs["盗窃"] == 2
        assert dfs["检察机关"] == 5
        assert dfs["量子力学"] == 0
        assert dfs["，"] == 0

    def test_vector_index_compacts_after_many_deletes(self, store: SqliteDocumentStore) -> None:
        rng = np.random.default_rng(2)
        store.write_documents([Document(id=f"v{i}", embedding=rng.standard_normal(4).tolist()) for i in range(100)])
        store.warm_up()
        store.delete_documents([f"v{i}" for i in range(60)])
        index = store._vectors_slot.index
        assert index is not None and len(index) == 40
        assert index._snap.size == 40  # dead rows were dropped
        assert len(store.embedding_retrieval([1.0, 0.0, 0.0, 0.0], top_k=100)) == 40

    def test_stats(self, case_store: SqliteDocumentStore) -> None:
        stats = case_store.stats()
        assert stats["documents"] == 8
        assert stats["vectors"] == 8
        assert stats["embedding_dim"] == 8
        assert stats["file_bytes"] > 0
        assert stats["terms"] > 20
        assert stats["vectors_loaded"] is False
        case_store.warm_up()
        assert case_store.stats()["vectors_loaded"] is True
        assert case_store.stats()["terms_loaded"] is True


def test_keyword_search_falls_back_to_fts5_while_the_index_loads(case_store: SqliteDocumentStore) -> None:
    """While another thread loads the BM25 index (e.g. warm_up at start-up), "auto" answers from FTS5, not waiting."""
    assert case_store._terms_slot.loading.acquire(timeout=5)
    try:
        hits = case_store.bm25_retrieval("醉酒驾驶", top_k=1)
        assert top_ids(hits) == ["c7"]
        assert case_store._terms_slot.index is None
    finally:
        case_store._terms_slot.loading.release()
    case_store.bm25_retrieval("醉酒驾驶", top_k=1)
    assert case_store._terms_slot.index is not None


def test_busy_database_is_store_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    with SqliteDocumentStore(path) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        store._conn.execute("PRAGMA busy_timeout = 50")
        try:
            with pytest.raises(StoreUnavailable, match="另一进程正在写入"):
                store.write_documents([Document(id="a", content="甲")])
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        store.write_documents([Document(id="a", content="甲")])
        assert store.count_documents() == 1
