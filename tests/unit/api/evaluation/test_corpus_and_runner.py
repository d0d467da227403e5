from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from api.evaluation.corpus import (
    SelectiveEmbedKB,
    build_corpus,
    eval_settings,
    known_pids,
    open_eval_kb,
    pid_of,
)
from api.evaluation.harness import LecardRun, index_home
from api.evaluation.lecard import LecardDataset, LecardQuery, load_lecard
from api.evaluation.runner import (
    CONFIG_CHOICES,
    CONFIGS,
    DEFAULT_CONFIG,
    EvalConfig,
    EvalOptions,
    LecardEvaluator,
    evaluate,
    product_config,
)
from api.evaluation.sweeps import HEADER, print_sweep, run_auto, sweep_row
from kb.search_request import SearchRequest


@pytest.fixture
def built(lecard_dir: Path, tmp_path: Path) -> Iterator[tuple[SelectiveEmbedKB, LecardDataset]]:
    ds = load_lecard(lecard_dir)
    kb = open_eval_kb(tmp_path / "home", "hash", cache=tmp_path / "emb.sqlite3")
    report = build_corpus(kb, ds.candidates_path)
    assert report.added == 4
    yield kb, ds
    kb.close()


def test_candidates_go_through_ingest_with_their_pid_as_number(built: tuple[SelectiveEmbedKB, LecardDataset]) -> None:
    kb, _ = built
    assert known_pids(kb) == {"1", "2", "3", "4"}
    numbers = {entry.number: entry for _, _, entry in kb.records.iter_current()}
    theft = numbers["LeCaRD-1"]
    assert pid_of(theft.number) == "1"
    assert "盗窃罪" in theft.charges
    assert [s.key for s in theft.sections] == ["facts", "reasoning", "result"]
    # only the first 基本案情 chunk of each entry is embedded
    assert kb.embedded == 4


def test_rebuilding_is_idempotent(built: tuple[SelectiveEmbedKB, LecardDataset]) -> None:
    kb, ds = built
    again = build_corpus(kb, ds.candidates_path)
    assert (again.added, again.skipped) == (0, 4)
    assert kb.stats()["pending_index"] == 0


def test_rerank_ranks_only_the_pool_and_puts_the_same_case_first(built: tuple[SelectiveEmbedKB, LecardDataset]) -> None:
    kb, ds = built
    evaluator = LecardEvaluator(kb, ds)
    runs = evaluator.run(ds.queries, protocol="rerank", configs=[CONFIGS["bm25"], CONFIGS["hybrid+elements"]])
    for setting in ("auto", "charge"):
        ranking = runs[setting].by_config["bm25"]["11"]
        assert sorted(ranking) == sorted(ds.pools["11"])  # every pool member, nothing else
        assert ranking[0] == "1"
        assert set(ranking[:2]) == {"1", "4"}  # the two theft cases before fraud and drunk driving
    assert runs["charge"].by_config["hybrid+elements"]["22"][0] == "2"


def test_in_the_pool_the_whole_library_votes_for_the_inferred_charges(
    built: tuple[SelectiveEmbedKB, LecardDataset], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-rank protocol: the query also runs once without the pool filter (no label), and that ranking votes; the
    ranking itself still holds the pool's members only. `vote_from="ranked"` skips the extra retrieval."""
    kb, ds = built
    evaluator = LecardEvaluator(kb, ds)
    filters_seen: list[object] = []
    retrieve = evaluator.retrieve

    def spy(query, *, filters, top_k, dense=True):  # type: ignore[no-untyped-def]
        filters_seen.append(filters)
        return retrieve(query, filters=filters, top_k=top_k, dense=dense)

    monkeypatch.setattr(evaluator, "retrieve", spy)
    runs = evaluator.run(ds.queries, protocol="rerank", settings=["auto"], configs=[CONFIGS["hybrid+elements"]])
    assert filters_seen.count(None) == len(ds.queries)  # one library retrieval per query
    assert len(filters_seen) == 2 * len(ds.queries)
    for query in ds.queries:
        assert sorted(runs["auto"].by_config["hybrid+elements"][query.qid]) == sorted(ds.pools[query.qid])
    filters_seen.clear()
    pool_vote = EvalConfig("pool", elements=True, vote_from="ranked")
    evaluator.run(ds.queries, protocol="rerank", settings=["auto"], configs=[pool_vote])
    assert None not in filters_seen


def test_each_numbered_part_of_a_query_is_retrieved_from_the_library_for_the_part_vote(
    built: tuple[SelectiveEmbedKB, LecardDataset], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query text with numbered parts (kb.elements.fact_parts) is retrieved once more per part, over the whole
    library, as the product's search does for its part vote; a configuration without it retrieves nothing more."""
    kb, ds = built
    evaluator = LecardEvaluator(kb, ds)
    part = "被告人甲趁店员不备，从柜台内窃取手机两部，价值共计人民币六千元，后将手机变卖挥霍，案发后被民警抓获。"
    query = replace(ds.queries[0], text=f"一、{part}二、{part}三、{part}")
    seen: list[tuple[str, object]] = []
    retrieve = evaluator.retrieve

    def spy(query, *, filters, top_k, dense=True):  # type: ignore[no-untyped-def]
        seen.append((query.text, filters))
        return retrieve(query, filters=filters, top_k=top_k, dense=dense)

    monkeypatch.setattr(evaluator, "retrieve", spy)
    runs = evaluator.run([query], protocol="rerank", settings=["auto"], configs=[CONFIGS[DEFAULT_CONFIG]])
    assert sorted(runs["auto"].by_config[DEFAULT_CONFIG][query.qid]) == sorted(ds.pools[query.qid])
    # the pool, the library, then the three parts over the library (the normalised text's parts)
    assert [filters is None for _, filters in seen] == [False, True, True, True, True]
    assert all(text.endswith("抓获。") and len(text) == len(part) for text, _ in seen[2:])
    seen.clear()
    evaluator.run([query], protocol="rerank", settings=["auto"], configs=[CONFIG_CHOICES["hybrid+elements@no-parts"]])
    assert len(seen) == 2  # the pool and the library, no part
    seen.clear()
    evaluator.run(ds.queries[:1], protocol="rerank", settings=["auto"], configs=[CONFIGS[DEFAULT_CONFIG]])
    assert len(seen) == 2  # a text without parts: no part retrieval


def test_the_name_options_reach_the_query_analysis(built: tuple[SelectiveEmbedKB, LecardDataset]) -> None:
    """`--keep-names` and the name-term sweep change what the evaluation searches with, like the product's setting."""
    kb, ds = built
    facts = (
        "被告人韦大能在贵阳市云岩区中华北路酒后驾驶小型轿车，被民警查获，经鉴定其血液中乙醇含量为180毫克/100毫升。" * 3
    )
    query = LecardQuery("99", facts, [], "common")  # 示例 (illustrative)

    def terms(options: EvalOptions) -> list[str]:
        return LecardEvaluator(kb, ds, options).retrieve(query, filters=None, top_k=5, dense=False).analysis.terms

    assert "韦大能" in terms(EvalOptions(drop_names=False))
    assert "韦大能" not in terms(EvalOptions(name_terms=0))
    assert "韦大能" in terms(EvalOptions())  # the product's setting: a few names back at a low weight


def test_the_default_configuration_matches_whole_facts(built: tuple[SelectiveEmbedKB, LecardDataset]) -> None:
    """The product's whole-facts match is part of the default configuration and reads the judgments' 基本案情 counts;
    `@no-facts` (the ablation) leaves it out."""
    kb, ds = built
    assert CONFIGS["hybrid+elements"].facts_weight == kb.facts_ranker.weight > 0
    assert CONFIG_CHOICES["hybrid+elements@no-facts"].facts_weight == 0
    evaluator = LecardEvaluator(kb, ds)
    facts = "示例：被告人在超市内趁店员不备盗窃商品，价值二千余元，被保安当场抓获，到案后如实供述了盗窃的事实。" * 3
    retrieved = evaluator.retrieve(LecardQuery("98", facts, [], "common"), filters=None, top_k=50, dense=False)
    assert retrieved.analysis.long_query and retrieved.analysis.facts_idf
    plain = evaluator.rank(retrieved, CONFIG_CHOICES["hybrid+elements@no-facts"])
    matched = evaluator.rank(retrieved, CONFIGS["hybrid+elements"])
    before = {h.entry_id: h.score for h in plain}
    assert {h.entry_id for h in matched} == set(before)
    assert any(h.score > before[h.entry_id] for h in matched)  # the theft judgments share words with the query


def test_the_product_configuration_follows_the_embedders_tuning(built: tuple[SelectiveEmbedKB, LecardDataset]) -> None:
    """`kb eval lecard --embedder X` evaluates the pipeline the knowledge base builds for X (kb.pipelines.tuning)."""
    kb, _ = built
    assert product_config(kb.embedder.name).facts_weight == kb.facts_ranker.weight
    assert product_config("use-m3") == CONFIGS[DEFAULT_CONFIG]
    e5 = product_config("e5-small")
    assert (e5.name, e5.facts_weight, e5.long_dense_weight) == (DEFAULT_CONFIG, 1.5, 0.3)


def test_evaluate_reports_ours_and_upstream_per_subset(built: tuple[SelectiveEmbedKB, LecardDataset]) -> None:
    kb, ds = built
    result = evaluate(LecardEvaluator(kb, ds), ds.queries, configs=[CONFIGS["bm25"], EvalConfig("x", dense=False)])
    scores = result["results"]["full"]["auto"]["bm25"]["all"]
    assert scores["n"] == 2
    assert scores["ours"]["recall@100"] == pytest.approx(1.0)
    assert scores["ours"]["p@5"] == pytest.approx(0.2)
    assert set(scores["upstream"]) == {"ndcg@10", "ndcg@20", "ndcg@30", "p@5", "p@10", "map"}
    assert "controversial" not in result["results"]["rerank"]["auto"]["bm25"]


def test_a_sweep_prints_one_row_per_configuration(built: tuple[SelectiveEmbedKB, LecardDataset]) -> None:
    """The helper of the bench-results sweep scripts: both protocols, then a row of upstream and recall figures."""
    kb, ds = built
    configs = [CONFIGS["bm25"], EvalConfig("x", dense=False, facts_weight=1.0)]
    runs = run_auto(LecardEvaluator(kb, ds), configs)
    assert set(runs) == {"rerank", "full"} and set(runs["full"]) == {"bm25", "x"}
    row = sweep_row(runs, "x", label="facts on")
    assert row.startswith("facts on ") and " R@100 1.000" in row
    assert row.count("|") == 1 and "controversial" not in row  # the two queries here are both common
    assert sweep_row({"rerank": runs["rerank"]}, "bm25").count("R@100") == 0


def test_print_sweep_prints_the_header_and_a_row_each(
    built: tuple[SelectiveEmbedKB, LecardDataset], capsys: pytest.CaptureFixture[str]
) -> None:
    kb, ds = built
    print_sweep(LecardEvaluator(kb, ds), [CONFIGS["bm25"], CONFIGS["hybrid+elements"]])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == HEADER
    assert [line.split()[0] for line in lines[1:]] == ["bm25", "hybrid+elements"]


def test_an_unusable_record_is_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    import gzip
    import json

    path = tmp_path / "c.jsonl.gz"
    good = {"pid": "7", "ajName": "孙某盗窃一案", "ajjbqk": "经审理查明，被告人孙某秘密窃取他人财物。"}
    empty = {"pid": "8", "ajName": "空白一案", "ajjbqk": "   "}
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for record in (good, empty):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    kb = open_eval_kb(tmp_path / "home", "none")
    try:
        report = build_corpus(kb, path)
        assert report.added == 1 and report.failed == ["8"]
        assert known_pids(kb) == {"7"}
    finally:
        kb.close()


def test_an_identical_duplicate_is_kept_as_an_alias_that_ranks_with_its_twin(tmp_path: Path) -> None:
    import gzip
    import json

    from api.evaluation.corpus import duplicate_aliases

    path = tmp_path / "c.jsonl.gz"
    text = "经审理查明，被告人孙某于夜间潜入他人住宅，秘密窃取手机两部。"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for pid in ("7", "9"):  # the same judgment under two pids, as LeCaRD has a few
            handle.write(json.dumps({"pid": pid, "ajName": "孙某盗窃一案", "ajjbqk": text}, ensure_ascii=False) + "\n")
    kb = open_eval_kb(tmp_path / "home", "none")
    try:
        report = build_corpus(kb, path)
        assert (report.added, report.duplicates, report.failed) == (1, 1, [])
        assert duplicate_aliases(kb) == {"9": "7"} and known_pids(kb) == {"7", "9"}
        assert build_corpus(kb, path).skipped == 2  # the alias counts as present when rebuilding
        dataset = LecardDataset.__new__(LecardDataset)
        hits = kb.search(SearchRequest(query="孙某 窃取 手机")).hits
        assert LecardEvaluator(kb, dataset).pids(hits) == ["7", "9"]
    finally:
        kb.close()


def test_interleaved_mixes_subsets_and_pools_build_query_by_query(lecard_dir: Path, tmp_path: Path) -> None:
    from api.evaluation.corpus import build_pools, interleaved, ready_queries
    from api.evaluation.lecard import LecardQuery

    queries = [LecardQuery(str(i), "", [], "common") for i in range(6)]
    queries += [LecardQuery(f"x{i}", "", [], "controversial") for i in range(2)]
    subsets = [q.subset for q in interleaved(queries)]
    assert sorted(subsets) == sorted(q.subset for q in queries)
    assert subsets[:4].count("controversial") == 1  # any prefix holds both subsets in proportion
    ds = load_lecard(lecard_dir)
    kb = open_eval_kb(tmp_path / "home", "none")
    try:
        report = build_pools(kb, ds, [ds.queries[1]])  # query 22: pool 2, 1, 3
        assert report.added == 3
        assert [q.qid for q in ready_queries(kb, ds, ds.queries)] == ["22"]
    finally:
        kb.close()


def test_an_elasticsearch_evaluation_index_has_its_own_home_and_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_ES__URL", "http://127.0.0.1:9299")
    run = LecardRun(data=tmp_path / "lecard", home=tmp_path / "eval", store="elasticsearch")
    home = index_home(run)
    assert home == tmp_path / "eval" / "use-m3-facts2-es"  # never the SQLite index's records
    assert index_home(replace(run, store="sqlite")) == tmp_path / "eval" / "use-m3-facts2"
    settings = eval_settings(home, "hash", store="elasticsearch")
    assert settings.store == "elasticsearch" and settings.es.url == "http://127.0.0.1:9299"
    name = settings.es.index
    assert name.startswith("kb-eval-eval-use-m3-facts2-es-") and name == name.lower()
    other = eval_settings(tmp_path / "elsewhere" / "eval" / "use-m3-facts2-es", "hash", store="elasticsearch")
    assert other.es.index != name  # another checkout's index of the same name
    assert eval_settings(home, "hash").store == "sqlite"
    with pytest.raises(ValueError, match="store"):
        eval_settings(home, "hash", store="solr")
