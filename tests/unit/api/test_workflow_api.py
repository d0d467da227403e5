"""Review and publication through the API: states, comments, four eyes, batches and numbers, retraction, edits as new
versions, and the search index following every step."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from kb.accounts import Role
from tests.unit.api.test_auth import add_user, audit_rows, auth_settings, token_for

CASE = """# {who}非法捕捞水产品案（示例）
案例类型：{case_type}
检察类别：刑事检察
示例：是

【关键词】
非法捕捞水产品　禁渔期　生态修复

【要旨】
在禁渔期使用禁用工具捕捞水产品，情节严重的，构成非法捕捞水产品罪；行为人自愿增殖放流修复生态的，可以依法从宽。

【基本案情】
2024年5月，周某在某江段禁渔区内使用电鱼工具捕捞，渔获物{weight}公斤。案发后周某认罪认罚，并购买鱼苗增殖放流。

【检察机关履职过程】
检察机关经审查，认为周某犯罪情节轻微，依法作出不起诉决定，并督促其履行生态修复责任。
"""


@dataclass
class Team:
    client: TestClient
    app: FastAPI
    editor: dict[str, str]
    reviewer: dict[str, str]
    reviewer2: dict[str, str]
    prosecutor: dict[str, str]


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Team]:
    app = create_app(auth_settings(tmp_path / "kb"))
    with TestClient(app) as client:
        yield Team(
            client,
            app,
            token_for(app, add_user(app, "editor", Role.EDITOR)),
            token_for(app, add_user(app, "reviewer", Role.REVIEWER)),
            token_for(app, add_user(app, "reviewer2", Role.REVIEWER)),
            token_for(app, add_user(app, "prosecutor", Role.PROSECUTOR)),
        )


def upload(
    team: Team, *, weight: str = "十二", case_type: str = "典型案例", name: str = "周某案.md", who: str = "周某"
) -> str:
    text = CASE.format(weight=weight, case_type=case_type, who=who)
    files = [("files", (name, text.encode("utf-8"), "text/markdown"))]
    body = team.client.post("/api/ingest", files=files, headers=team.editor).json()
    assert body["ok"], body
    return str(body["files"][0]["entries"][0]["id"])


def step(team: Team, entry_id: str, action: str, who: dict[str, str], **body: Any) -> Any:
    return team.client.post(f"/api/workflow/entries/{entry_id}/{action}", json=body, headers=who)


def found(team: Team, query: str = "电鱼 禁渔期") -> list[str]:
    hits = team.client.get("/api/search", params={"q": query}, headers=team.prosecutor).json()["hits"]
    return [h["id"] for h in hits]


def publish(team: Team, ids: list[str], **extra: Any) -> Any:
    return team.client.post(
        "/api/batches", json={"entry_ids": ids, "issuer": "示例检察院", **extra}, headers=team.reviewer
    )


def test_the_whole_cycle_with_a_rejection(team: Team) -> None:
    entry_id = upload(team)
    listing = team.client.get("/api/workflow/entries", params={"status": "draft"}, headers=team.editor).json()
    assert [i["id"] for i in listing["items"]] == [entry_id] and listing["counts"]["draft"] == 1
    assert listing["items"][0]["status_label"] == "草稿" and listing["items"][0]["published_version"] is None
    assert step(team, entry_id, "submit", team.editor).json()["status"] == "submitted"
    rejected = step(team, entry_id, "reject", team.reviewer, comment="请补充生态修复的具体数量")
    assert rejected.status_code == 200 and rejected.json()["status"] == "draft"
    assert rejected.json()["last_event"]["comment"] == "请补充生态修复的具体数量"
    assert found(team) == []

    sections = team.client.get(f"/api/workflow/entries/{entry_id}", headers=team.editor).json()["entry"]["sections"]
    facts = next(s for s in sections if s["key"] == "facts")
    facts["text"] += "周某共放流鱼苗二万尾。"
    edited = team.client.put(
        f"/api/workflow/entries/{entry_id}",
        json={
            "sections": [{k: s[k] for k in ("key", "heading", "text", "path")} for s in sections],
            "comment": "已补充放流数量",
        },
        headers=team.editor,
    )
    assert edited.status_code == 200, edited.text
    detail = edited.json()
    assert detail["entry"]["version"] == 2 and detail["item"]["status"] == "draft"
    assert "二万尾" in str(detail["entry"]["sections"])
    assert detail["entry"]["outcomes"]  # elements were extracted again from the edited text
    assert step(team, entry_id, "submit", team.editor).status_code == 200
    assert step(team, entry_id, "approve", team.reviewer).json()["status"] == "approved"
    assert found(team) == []  # approved is not published

    batch = publish(team, [entry_id], title="生态环境保护示例案例")
    assert batch.status_code == 201, batch.text
    assert batch.json()["label"] == "第1批" and batch.json()["entries"][0]["number"] == "第1批第1号"
    assert found(team) == [entry_id]
    entry = team.client.get(f"/api/entries/{entry_id}", headers=team.prosecutor).json()
    assert entry["number"] == "第1批第1号" and entry["batch"] == "第1批" and entry["issuer"] == "示例检察院"
    assert entry["version"] == 2 and [v["version"] for v in entry["versions"]] == [2]  # v1 was never published

    events = team.client.get(f"/api/workflow/entries/{entry_id}", headers=team.reviewer).json()["events"]
    assert [e["action"] for e in events] == ["import", "submit", "reject", "edit", "submit", "approve", "publish"]
    assert events[-1]["batch_label"] == "第1批" and events[2]["actor"] == "reviewer"
    assert events[3]["comment"] == "已补充放流数量"
    audited = [r["action"] for r in reversed(audit_rows(team.app, "entry."))]
    for action in ("entry.import", "entry.submit", "entry.reject", "entry.edit", "entry.approve"):
        assert action in audited
    assert audit_rows(team.app, "batch.publish")[0]["target"] == "第1批"


def test_guiding_cases_continue_the_series_of_numbers(team: Team) -> None:
    first = upload(team, case_type="指导性案例", name="一.md")
    second = upload(team, case_type="指导性案例", weight="三十", name="二.md", who="吴某")
    for entry_id in (first, second):
        step(team, entry_id, "submit", team.editor)
        step(team, entry_id, "approve", team.reviewer)
    numbers = [e["number"] for e in publish(team, [first, second]).json()["entries"]]
    assert numbers == ["检例第1号", "检例第2号"]


def test_four_eyes_and_wrong_states(team: Team) -> None:
    app, client = team.app, team.client
    both = token_for(app, add_user(app, "both", Role.EDITOR, Role.REVIEWER))
    entry_id = upload(team)
    early = step(team, entry_id, "approve", team.reviewer)
    assert (
        early.status_code == 409 and early.json()["code"] == "invalid_transition" and "草稿" in early.json()["detail"]
    )
    assert step(team, entry_id, "submit", both).status_code == 200
    own = step(team, entry_id, "approve", both)
    assert own.status_code == 409 and "本人提交" in own.json()["detail"]
    assert step(team, entry_id, "approve", team.reviewer).status_code == 200
    assert step(team, entry_id, "submit", team.editor).status_code == 409
    frozen = client.put(f"/api/workflow/entries/{entry_id}", json={"title": "改标题"}, headers=team.editor)
    assert frozen.status_code == 409 and frozen.json()["code"] == "invalid_transition"
    draft = upload(team, weight="九十", name="另一件.md", who="郑某")
    mixed = publish(team, [entry_id, draft])
    assert mixed.status_code == 409 and "尚未审核通过" in mixed.json()["detail"]
    assert found(team) == []  # nothing of the refused batch was published
    assert step(team, entry_id, "retract", team.reviewer, reason="x").status_code == 409  # not published yet


def test_comments_and_batch_input_are_validated(team: Team) -> None:
    entry_id = upload(team)
    step(team, entry_id, "submit", team.editor)
    blank = step(team, entry_id, "reject", team.reviewer, comment="   ")
    assert blank.status_code == 422 and "意见" in blank.json()["detail"]
    assert step(team, entry_id, "reject", team.reviewer).status_code == 422
    step(team, entry_id, "approve", team.reviewer)
    bad_day = publish(team, [entry_id], published_on="2025-13-40")
    assert bad_day.status_code == 422 and "YYYY-MM-DD" in bad_day.json()["detail"]
    no_issuer = team.client.post("/api/batches", json={"entry_ids": [entry_id], "issuer": " "}, headers=team.reviewer)
    assert no_issuer.status_code == 422
    assert (
        team.client.post("/api/batches", json={"entry_ids": [], "issuer": "院"}, headers=team.reviewer).status_code
        == 422
    )
    missing = publish(team, ["no-such-entry"])
    assert missing.status_code == 404
    assert team.client.get("/api/batches/7", headers=team.reviewer).status_code == 404


def test_retraction_hides_from_search_but_keeps_the_record(team: Team) -> None:
    entry_id = upload(team)
    step(team, entry_id, "submit", team.editor)
    step(team, entry_id, "approve", team.reviewer)
    publish(team, [entry_id])
    assert found(team) == [entry_id]
    assert step(team, entry_id, "retract", team.reviewer, reason="  ").status_code == 422
    retracted = step(team, entry_id, "retract", team.reviewer2, reason="与新司法解释不一致")
    assert retracted.status_code == 200 and retracted.json()["retracted"]["reason"] == "与新司法解释不一致"
    assert found(team) == []
    gone = team.client.get(f"/api/entries/{entry_id}", headers=team.prosecutor)
    assert gone.status_code == 410 and gone.json()["code"] == "entry_retracted"
    assert "与新司法解释不一致" in gone.json()["detail"]
    kept = team.client.get(f"/api/entries/{entry_id}", headers=team.reviewer).json()
    assert kept["status"] == "retracted" and kept["retracted"]["by"] == "reviewer2"
    assert team.client.app.state.kb.store.count_documents() == 0  # type: ignore[attr-defined]

    # A revision of the retracted entry goes through review again and brings it back.
    changed = team.client.put(
        f"/api/workflow/entries/{entry_id}", json={"title": "周某非法捕捞水产品案（修订，示例）"}, headers=team.editor
    )
    assert changed.status_code == 200 and changed.json()["item"]["retracted"] is not None
    step(team, entry_id, "submit", team.editor)
    step(team, entry_id, "approve", team.reviewer)
    assert publish(team, [entry_id]).json()["label"] == "第2批"
    assert found(team) == [entry_id]
    assert (
        team.client
        .get(f"/api/entries/{entry_id}", headers=team.prosecutor)
        .json()["title"]
        .startswith("周某非法捕捞水产品案（修订")
    )


def test_edits_refuse_nothing_changed_and_identical_content(team: Team) -> None:
    first = upload(team)
    second = upload(team, weight="八十", name="乙.md", who="王某")
    same = team.client.put(
        f"/api/workflow/entries/{first}", json={"title": "周某非法捕捞水产品案（示例）"}, headers=team.editor
    )
    assert same.status_code == 409 and same.json()["code"] == "no_change"
    other = team.client.get(f"/api/workflow/entries/{second}", headers=team.editor).json()["entry"]
    copy = {
        "title": other["title"],
        "keywords": other["keywords"],
        "sections": [{k: s[k] for k in ("key", "heading", "text", "path")} for s in other["sections"]],
    }
    duplicate = team.client.put(f"/api/workflow/entries/{first}", json=copy, headers=team.editor)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate_entry"
    assert duplicate.json()["existing_id"] == second
    near = team.client.get(f"/api/workflow/entries/{first}", headers=team.editor).json()["near_duplicates"]
    assert near and near[0]["entry_id"] == second  # the same case told with another figure is flagged
    unknown = team.client.put(f"/api/workflow/entries/{first}", json={"sections": []}, headers=team.editor)
    assert unknown.status_code == 422


def test_roles_see_only_their_part(team: Team) -> None:
    entry_id = upload(team)
    for who in (team.prosecutor, {}):
        assert team.client.get("/api/workflow/entries", headers=who).status_code in (401, 403)
    assert (
        team.client.post(f"/api/workflow/entries/{entry_id}/submit", json={}, headers=team.reviewer).status_code == 403
    )
    assert (
        team.client.post(f"/api/workflow/entries/{entry_id}/approve", json={}, headers=team.editor).status_code == 403
    )
    assert (
        team.client.post(
            "/api/batches", json={"entry_ids": [entry_id], "issuer": "院"}, headers=team.editor
        ).status_code
        == 403
    )
    listing = team.client.get("/api/workflow/entries", params={"q": "周某"}, headers=team.reviewer).json()
    assert (
        listing["total"] == 1
        and team.client.get("/api/workflow/entries", params={"q": "无此案"}, headers=team.reviewer).json()["total"] == 0
    )
