"""Roles and the permissions each one grants. This table is the whole policy; routes name a permission.

A role grants exactly what its row lists: a higher role does not silently include a lower one. Editors and reviewers
get the reading permissions explicitly (they must see what they edit and review); administrators run the system
(users, settings, audit log, search analytics) and read content only if they also hold a content role.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from kb.accounts.errors import InvalidAccountData


class Role(StrEnum):
    PROSECUTOR = "prosecutor"
    EDITOR = "editor"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.PROSECUTOR: "检察官",
    Role.EDITOR: "编辑",
    Role.REVIEWER: "审核",
    Role.ADMIN: "管理员",
}


class Permission(StrEnum):
    SEARCH = "search"  # 类案检索
    READ_PUBLISHED = "entries:read"  # read published entries, browse, compare, stats
    READ_UNPUBLISHED = "entries:read_unpublished"  # drafts, submitted, retracted (workflow, later)
    COLLECTIONS_OWN = "collections:own"  # personal collections (training, later)
    IMPORT = "entries:import"  # upload and ingest
    EDIT = "entries:edit"  # edit an entry (workflow, later)
    SUBMIT = "entries:submit"  # submit a draft for review (workflow, later)
    REVIEW = "entries:review"  # approve, reject with comments (workflow, later)
    PUBLISH = "entries:publish"  # publish in batches, retract (workflow, later)
    EXPORT = "entries:export"  # DOCX/PDF export (training, later)
    ANALYTICS = "analytics:read"  # search analytics: frequent queries, content gaps
    AUDIT = "audit:read"  # the audit log and its CSV export
    USERS = "users:manage"  # accounts, roles, other users' tokens
    SETTINGS = "settings:manage"  # runtime settings (later)


_READER = frozenset({Permission.SEARCH, Permission.READ_PUBLISHED, Permission.COLLECTIONS_OWN, Permission.EXPORT})

ROLE_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.PROSECUTOR: _READER,
    Role.EDITOR: _READER | {Permission.READ_UNPUBLISHED, Permission.IMPORT, Permission.EDIT, Permission.SUBMIT},
    Role.REVIEWER: _READER | {Permission.READ_UNPUBLISHED, Permission.REVIEW, Permission.PUBLISH, Permission.ANALYTICS},
    Role.ADMIN: frozenset({Permission.USERS, Permission.SETTINGS, Permission.AUDIT, Permission.ANALYTICS}),
}

# Permissions that act for a person (their own collections): never granted to anonymous callers, whatever the
# anonymous role, because anonymous callers share no identity. Anonymous access is for reading.
IDENTITY_BOUND: frozenset[Permission] = frozenset({Permission.COLLECTIONS_OWN})

_BY_NAME: dict[str, Role] = {**{r.value: r for r in Role}, **{label: r for r, label in ROLE_LABELS.items()}}


def parse_role(name: str) -> Role:
    """A role from its code (`editor`) or its Chinese name (`编辑`)."""
    role = _BY_NAME.get(name.strip().lower()) or _BY_NAME.get(name.strip())
    if role is None:
        known = "、".join(f"{label}（{r.value}）" for r, label in ROLE_LABELS.items())
        msg = f"未知角色：{name!r}；可选：{known}"
        raise InvalidAccountData(msg, role=name)
    return role


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    """Roles from codes or Chinese names; items may themselves be comma-separated (`检察官,编辑`)."""
    parts = [p for name in names for p in name.replace("，", ",").split(",") if p.strip()]
    return frozenset(parse_role(p) for p in parts)


def permissions_for(roles: Iterable[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_GRANTS[role]
    return frozenset(granted)


def sorted_roles(roles: Iterable[Role]) -> list[Role]:
    order = list(Role)
    return sorted(set(roles), key=order.index)
