"""Login throttling per account and per client address: free attempts, then an exponentially growing lock.

A key (`user:<name>` or `ip:<address>`) gets `max_failures` free failures; each failure after that locks the key for
base × 2^(extra failures) seconds, capped. A quiet period of `failure_window_minutes` forgets the failures. A successful
login clears the account's key but not the address's, so one valid account cannot be used to reset an attacker's
budget for guessing other accounts' passwords.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from kb.accounts.tables import LoginThrottleRow, utcnow
from kb.config import AuthSettings


@dataclass(frozen=True)
class ThrottleKey:
    key: str
    max_failures: int


class LoginThrottle:
    def __init__(
        self, sessions: sessionmaker[Session], settings: AuthSettings, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._sessions = sessions
        self.settings = settings
        self.clock = clock

    def keys(self, username_key: str, client_ip: str | None) -> list[ThrottleKey]:
        keys = [ThrottleKey(f"user:{username_key}"[:160], self.settings.login_max_failures)]
        if client_ip:
            keys.append(ThrottleKey(f"ip:{client_ip}"[:160], self.settings.login_ip_max_failures))
        return keys

    def retry_after(self, keys: list[ThrottleKey]) -> int:
        """Seconds until every key accepts an attempt again; 0 when none is locked."""
        now = self.clock()
        wait = 0.0
        with self._sessions() as session:
            for k in keys:
                row = session.get(LoginThrottleRow, k.key)
                if row is not None and row.locked_until is not None and row.locked_until > now:
                    wait = max(wait, (row.locked_until - now).total_seconds())
        return math.ceil(wait)

    def record_failure(self, keys: list[ThrottleKey]) -> int:
        """Count one failure on every key; the longest lock (seconds) it caused, 0 when none."""
        now = self.clock()
        window = timedelta(minutes=self.settings.failure_window_minutes)
        locked = 0
        with self._sessions.begin() as session:
            # Forget keys that have been quiet for a window and are not locked (guessed names would pile up).
            session.execute(
                delete(LoginThrottleRow).where(
                    LoginThrottleRow.last_failure_at < now - window,
                    (LoginThrottleRow.locked_until.is_(None)) | (LoginThrottleRow.locked_until <= now),
                )
            )
            for k in keys:
                row = session.get(LoginThrottleRow, k.key)
                if row is None:
                    row = LoginThrottleRow(key=k.key, failures=0, last_failure_at=now)
                    session.add(row)
                elif now - row.last_failure_at > window and (row.locked_until is None or row.locked_until <= now):
                    row.failures = 0
                row.failures += 1
                row.last_failure_at = now
                extra = row.failures - k.max_failures
                if extra >= 0:
                    seconds = min(self.settings.lockout_base_s * 2 ** min(extra, 20), self.settings.lockout_max_s)
                    row.locked_until = now + timedelta(seconds=seconds)
                    locked = max(locked, seconds)
        return locked

    def reset(self, key: ThrottleKey) -> None:
        with self._sessions.begin() as session:
            row = session.get(LoginThrottleRow, key.key)
            if row is not None:
                session.delete(row)
