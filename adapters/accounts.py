"""The console's users, sessions, API tokens and audit trail, in the ledger's
own database (the `console_*` tables of `sql_ledger.CONSOLE`), so that a
PostgreSQL ledger shared by several consoles shares them too.

Passwords are hashed with argon2 (argon2-cffi's defaults, which follow RFC
9106); a session key and a token are drawn by `secrets` and only their
SHA-256 digest is kept: they are long random strings, for which a fast
digest is enough, and a copy of the database opens no session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from facteur.adapters.sql_ledger import SqlLedger
from facteur.engine.operations.access import AuditEntry, Session, User

HASHER = PasswordHasher()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class SqlAccounts:
    """`engine.operations.access.Accounts` over a SQL ledger's connection."""

    def __init__(self, ledger: SqlLedger):
        self.ledger = ledger

    def _execute(self, sql: str, parameters: tuple = ()):
        return self.ledger._execute(sql, parameters)

    def add(self, user: User, password: str, at: datetime) -> bool:
        with self.ledger._transaction():
            if self._execute("SELECT 1 FROM console_users WHERE name = ?", (user.name,)).fetchone():
                return False
            self._execute(
                "INSERT INTO console_users (name, password, role, partner, created_at) VALUES (?, ?, ?, ?, ?)",
                (user.name, HASHER.hash(password), user.role, user.partner, at.isoformat()),
            )
        return True

    def remove(self, name: str) -> bool:
        with self.ledger._transaction():
            self._execute("DELETE FROM console_sessions WHERE user_name = ?", (name,))
            self._execute("DELETE FROM console_tokens WHERE user_name = ?", (name,))
            return self._execute("DELETE FROM console_users WHERE name = ?", (name,)).rowcount > 0

    def set_password(self, name: str, password: str) -> bool:
        """A new password closes the user's sessions: whoever knew the old one is out."""
        with self.ledger._transaction():
            self._execute("DELETE FROM console_sessions WHERE user_name = ?", (name,))
            changed = self._execute("UPDATE console_users SET password = ? WHERE name = ?", (HASHER.hash(password), name))
            return changed.rowcount > 0

    def users(self) -> list[User]:
        rows = self._execute("SELECT name, role, partner FROM console_users ORDER BY name").fetchall()
        return [User(r["name"], r["role"], r["partner"]) for r in rows]

    def check(self, name: str, password: str) -> User | None:
        row = self._execute("SELECT name, password, role, partner FROM console_users WHERE name = ?", (name,)).fetchone()
        if row is None:
            HASHER.hash(password)  # as long as for a known name: the time tells nobody which names exist
            return None
        try:
            HASHER.verify(row["password"], password)
        except (VerificationError, InvalidHashError):
            return None
        return User(row["name"], row["role"], row["partner"])

    def new_token(self, name: str, at: datetime) -> str:
        token = secrets.token_urlsafe(32)
        self._execute(
            "INSERT INTO console_tokens (digest, user_name, created_at) VALUES (?, ?, ?)", (_digest(token), name, at.isoformat())
        )
        return token

    def by_token(self, token: str) -> User | None:
        row = self._execute(
            "SELECT u.name, u.role, u.partner FROM console_tokens t JOIN console_users u ON u.name = t.user_name"
            " WHERE t.digest = ?",
            (_digest(token),),
        ).fetchone()
        return None if row is None else User(row["name"], row["role"], row["partner"])

    def open_session(self, name: str, expires_at: datetime) -> tuple[str, Session]:
        key, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self._execute(
            "INSERT INTO console_sessions (digest, user_name, csrf, expires_at) VALUES (?, ?, ?, ?)",
            (_digest(key), name, csrf, expires_at.isoformat()),
        )
        return key, self.session(key, expires_at)

    def session(self, key: str, now: datetime) -> Session | None:
        row = self._execute(
            "SELECT u.name, u.role, u.partner, s.csrf, s.expires_at FROM console_sessions s"
            " JOIN console_users u ON u.name = s.user_name WHERE s.digest = ?",
            (_digest(key),),
        ).fetchone()
        if row is None or datetime.fromisoformat(row["expires_at"]) < now:
            return None
        return Session(User(row["name"], row["role"], row["partner"]), row["csrf"], datetime.fromisoformat(row["expires_at"]))

    def close_session(self, key: str) -> None:
        self._execute("DELETE FROM console_sessions WHERE digest = ?", (_digest(key),))

    def write(self, entry: AuditEntry) -> None:
        self._execute(
            "INSERT INTO console_audit (at, user_name, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (entry.at.isoformat(), entry.user, entry.action, entry.target, entry.outcome, entry.detail),
        )

    def trail(self, limit: int) -> list[AuditEntry]:
        rows = self._execute(
            "SELECT at, user_name, action, target, outcome, detail FROM console_audit ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [
            AuditEntry(datetime.fromisoformat(r["at"]), r["user_name"], r["action"], r["target"], r["outcome"], r["detail"])
            for r in rows
        ]
