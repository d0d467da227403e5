"""Password hashing (argon2id) and the password policy. No plaintext is stored or logged anywhere."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kb.accounts.errors import WeakPassword
from kb.config import AuthSettings

MAX_PASSWORD_CHARS = 256  # hashing is deliberately slow: refuse megabyte "passwords" before hashing them


def make_hasher(settings: AuthSettings) -> PasswordHasher:
    """argon2id with the configured cost (defaults: RFC 9106's second recommendation, 64 MiB, t=3)."""
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


class Passwords:
    """Hash, verify and check passwords against the policy."""

    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self.hasher = make_hasher(settings)
        # Verified when the user name is unknown, so a missing account costs as much time as a wrong password.
        self._dummy = self.hasher.hash("kb-dummy-password-for-timing")

    def check_policy(self, password: str, *, username: str | None = None) -> None:
        minimum = self.settings.password_min_length
        if len(password) < minimum:
            msg = f"密码至少 {minimum} 个字符（当前 {len(password)} 个）"
            raise WeakPassword(msg, min_length=minimum)
        if len(password) > MAX_PASSWORD_CHARS:
            msg = f"密码不能超过 {MAX_PASSWORD_CHARS} 个字符"
            raise WeakPassword(msg, max_length=MAX_PASSWORD_CHARS)
        if len(set(password)) < 4:
            msg = "密码过于简单：至少包含 4 个不同的字符"
            raise WeakPassword(msg)
        if username and len(username) >= 3 and _norm(username).casefold() in _norm(password).casefold():
            msg = "密码不能包含用户名"
            raise WeakPassword(msg)

    def hash(self, password: str) -> str:
        return self.hasher.hash(_norm(password))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when `password` matches; a missing hash still costs one verification (timing)."""
        if len(password) > MAX_PASSWORD_CHARS:
            return False
        try:
            return self.hasher.verify(stored_hash or self._dummy, _norm(password)) and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self.hasher.check_needs_rehash(stored_hash)


def _norm(text: str) -> str:
    """NFKC, so a full-width and a half-width rendering of the same password are the same password."""
    return unicodedata.normalize("NFKC", text)
