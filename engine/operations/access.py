"""Who may use the console and its API, and what each may do: users with a
role, their sessions and tokens, and the audit trail of every action.

The roles are a ladder but one: a `viewer` looks, an `operator` also acts
(replays, re-sends, dead letters, collects), an `admin` also manages users; a
`partner` is bound to one partner id and sees only the flows that partner sent
or received, which the listing's query itself enforces (`scope`), not a page.
The store behind them (`Accounts`) lives beside the ledger's tables; hashing a
password and drawing a secret are its business, so the engine keeps no secret.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime
from typing import Iterator

from facteur.engine.errors import Forbidden, InvalidRequest
from facteur.engine.operations.accounts import AuditEntry, Session, User
from facteur.engine.operations.hub import Hub

ROLES = {
    "viewer": "lecture seule",
    "operator": "opérateur : peut rejouer, renvoyer, traiter les lettres mortes, collecter",
    "admin": "administrateur : opérateur qui gère aussi les utilisateurs",
    "partner": "partenaire : ne voit que les flux qu'il a envoyés ou reçus",
}
USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,63}")
MIN_PASSWORD = 10


def add_user(hub: Hub, name: str, password: str, role: str, partner: str = "") -> User:
    """A new user; a partner user must be bound to a partner of the directory."""
    if not USER_NAME.fullmatch(name):
        raise InvalidRequest(
            f"nom d'utilisateur « {name} » refusé : 2 à 64 caractères, lettres, chiffres, « . _ @ - », "
            "commençant par une lettre ou un chiffre"
        )
    if role not in ROLES:
        raise InvalidRequest(f"rôle inconnu « {role} » ; choisissez parmi : {', '.join(ROLES)}")
    if (role == "partner") != bool(partner):
        raise InvalidRequest(
            f"le rôle partner demande un partenaire (--partner ID), et lui seul : « {name} » a le rôle {role}"
            + (f" et le partenaire « {partner} »" if partner else " sans partenaire")
        )
    if partner and partner not in {*hub.directory.senders, *hub.directory.mailboxes}:
        raise InvalidRequest(
            f"partenaire inconnu « {partner} » : ni expéditeur ni boîte de l'annuaire ({hub.directory_source})"
        )
    _strong(password)
    user = User(name, role, partner)
    if not hub.accounts.add(user, password, hub.clock()):
        raise InvalidRequest(f"l'utilisateur « {name} » existe déjà ; « facteur users passwd {name} » change son mot de passe")
    return user


def remove_user(hub: Hub, name: str) -> None:
    if not hub.accounts.remove(name):
        raise InvalidRequest(_unknown(name))


def change_password(hub: Hub, name: str, password: str) -> None:
    _strong(password)
    if not hub.accounts.set_password(name, password):
        raise InvalidRequest(_unknown(name))


def list_users(hub: Hub) -> tuple[User, ...]:
    return tuple(hub.accounts.users())


def issue_token(hub: Hub, name: str) -> str:
    """A bearer token for the API, bound to the user and its role."""
    if not any(user.name == name for user in hub.accounts.users()):
        raise InvalidRequest(_unknown(name))
    return hub.accounts.new_token(name, hub.clock())


def log_in(hub: Hub, name: str, password: str, expires_at: datetime) -> tuple[str, Session]:
    """A session for the user whose password this is; a wrong name or password
    is refused alike, so that the message tells nobody which names exist."""
    if hub.accounts.check(name, password) is None:
        raise Forbidden("identifiant ou mot de passe incorrect")
    return hub.accounts.open_session(name, expires_at)


def may_act(user: User, action: str) -> None:
    """Only an operator or an admin acts (and sees what an action would do)."""
    if not user.may_act:
        raise Forbidden(f"le rôle {user.role} de {user.name} ne permet pas cette action ({action}) : il faut operator ou admin")


def seeing_all(user: User) -> None:
    """What concerns every partner (the broker's queue, collection, the audit
    trail) is not a partner user's to see."""
    if user.scope:
        raise Forbidden(f"le rôle partner de {user.name} ne donne à voir que les flux de {user.partner}")


def managing(user: User) -> None:
    """Users are managed by an admin only."""
    if not user.may_manage:
        raise Forbidden(f"le rôle {user.role} de {user.name} ne permet pas de gérer les utilisateurs : il faut admin")


def _strong(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidRequest(f"mot de passe trop court : {len(password)} caractères, il en faut au moins {MIN_PASSWORD}")


def _unknown(name: str) -> str:
    return f"aucun utilisateur « {name} » ; « facteur users list » les nomme"


class Act:
    """An action under way: what it says of its outcome once done."""

    def __init__(self) -> None:
        self.outcome = ""


@contextmanager
def acting(hub: Hub, user: User, action: str, target: str) -> Iterator[Act]:
    """Run an action for `user` and write it to the audit trail (who, when,
    what, outcome): refused without the role to act, a failure with its
    message, else the outcome the action set."""
    act = Act()
    try:
        may_act(user, action)
    except Forbidden:
        _audit(hub, user, action, target, "refusé", f"le rôle {user.role} ne permet pas d'agir")
        raise
    try:
        yield act
    except Exception as err:
        _audit(hub, user, action, target, "échec", str(err))
        raise
    _audit(hub, user, action, target, "réussi", act.outcome)


def _audit(hub: Hub, user: User, action: str, target: str, outcome: str, detail: str) -> None:
    hub.accounts.write(AuditEntry(hub.clock(), user.name, action, target, outcome, detail))


def audit_trail(hub: Hub, limit: int = 200) -> tuple[AuditEntry, ...]:
    return tuple(hub.accounts.trail(limit))
