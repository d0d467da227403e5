"""Accounts: users and roles, argon2id passwords, browser sessions, API tokens and login throttling."""

from __future__ import annotations

from kb.accounts.roles import (
    IDENTITY_BOUND,
    ROLE_GRANTS,
    ROLE_LABELS,
    Permission,
    Role,
    parse_role,
    parse_roles,
    permissions_for,
)
from kb.accounts.store import AccountStore, ActiveSession, NewSession, TokenInfo, User

__all__ = [
    "IDENTITY_BOUND",
    "ROLE_GRANTS",
    "ROLE_LABELS",
    "AccountStore",
    "ActiveSession",
    "NewSession",
    "Permission",
    "Role",
    "TokenInfo",
    "User",
    "parse_role",
    "parse_roles",
    "permissions_for",
]
