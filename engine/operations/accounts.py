"""The console's records of people: a user with its role, a session, an
entry of the audit trail, and the store that keeps them (`Accounts`, which
`adapters/accounts.py` implements beside the ledger's tables)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

ACTING = ("operator", "admin")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    partner: str = ""  # the partner id a `partner` user is bound to

    @property
    def may_act(self) -> bool:
        return self.role in ACTING

    @property
    def may_manage(self) -> bool:
        return self.role == "admin"

    @property
    def scope(self) -> str:
        """The partner whose flows alone this user sees ("" for all)."""
        return self.partner if self.role == "partner" else ""


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str  # the token every form of this session must post back
    expires_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    user: str
    action: str
    target: str
    outcome: str  # "réussi", "refusé" or "échec"
    detail: str


class Accounts(Protocol):
    """The store of users, sessions, tokens and the audit trail."""

    def add(self, user: User, password: str, at: datetime) -> bool:
        """Record a new user with its password hashed; False if the name is taken."""

    def remove(self, name: str) -> bool: ...

    def set_password(self, name: str, password: str) -> bool: ...

    def users(self) -> list[User]: ...

    def check(self, name: str, password: str) -> User | None:
        """The user whose password this is, or None."""

    def new_token(self, name: str, at: datetime) -> str:
        """A new bearer token for the user; only its digest is kept."""

    def by_token(self, token: str) -> User | None: ...

    def open_session(self, name: str, expires_at: datetime) -> tuple[str, Session]:
        """A new session: the key its cookie carries, and the session."""

    def session(self, key: str, now: datetime) -> Session | None:
        """The session of that key, unless it has expired."""

    def close_session(self, key: str) -> None: ...

    def write(self, entry: AuditEntry) -> None: ...

    def trail(self, limit: int) -> list[AuditEntry]:
        """The latest entries of the audit trail, newest first."""
