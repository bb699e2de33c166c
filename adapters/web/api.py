"""The console's JSON API under /api/: the same operations as its pages, for
scripts and other systems, described by OpenAPI (/api/openapi.json). Each
call carries a bearer token bound to a user, whose role and partner scope
apply as in the pages; each action is written to the audit trail."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from facteur.adapters.web.deps import hub_of, token_user
from facteur.adapters.web.deps import replay as replaying
from facteur.adapters.web.search import PAGE, REPLAY_LIMIT, Search
from facteur.adapters.wiring import Wired
from facteur.engine import operations
from facteur.engine.operations import (
    AuditEntry,
    Collected,
    DeadLetters,
    FlowDetail,
    FlowSummary,
    InvoiceView,
    Replayed,
    Resent,
    User,
)

Hub = Annotated[Wired, Depends(hub_of)]
Caller = Annotated[User, Depends(token_user)]
FlowId = Annotated[str, Path(min_length=1, max_length=64, description="l'identifiant du flux, ou un préfixe unique")]
Index = Annotated[int, Path(ge=1, le=100_000, description="la place de la facture dans le flux")]
MessageId = Annotated[str, Path(min_length=1, max_length=200)]

router = APIRouter(prefix="/api", tags=["API"], responses={
    400: {"description": "demande incorrecte : le message dit quoi donner"},
    401: {"description": "jeton manquant ou inconnu"},
    403: {"description": "le rôle de l'utilisateur ne le permet pas"},
    409: {"description": "l'état du hub ne le permet pas maintenant"},
})


class Done(BaseModel):
    message: str


@router.get("/me", summary="L'utilisateur du jeton")
def me(user: Caller) -> User:
    return user


@router.get("/flows", summary="Chercher des flux (une page de 50, les plus récents d'abord)")
def flows(hub: Hub, user: Caller, criteria: Annotated[Search, Query()]) -> list[FlowSummary]:
    return list(operations.list_flows(hub, criteria.flow_filter(user, PAGE)))


@router.get("/flows/{flow_id}", summary="Un flux : chronologie, constats, factures, sorties")
def flow(hub: Hub, user: Caller, flow_id: FlowId) -> FlowDetail:
    return operations.show_flow(hub.ledger, flow_id, user.scope)


@router.get("/flows/{flow_id}/invoices/{index}", summary="Une facture lue dans son pivot")
def invoice(hub: Hub, user: Caller, flow_id: FlowId, index: Index) -> InvoiceView:
    return operations.invoice_view(hub, flow_id, index, user.scope)


@router.post("/flows/{flow_id}/replay", summary="Rejouer un flux (dry_run : dire seulement ce qu'il donnerait)")
def replay(hub: Hub, user: Caller, flow_id: FlowId, dry_run: bool = False) -> Replayed:
    detail = operations.show_flow(hub.ledger, flow_id, user.scope)
    return _replay(hub, user, [detail.id], dry_run, f"flux {detail.id}")


@router.post("/replay", summary=f"Rejouer les flux d'une recherche (au plus {REPLAY_LIMIT})")
def replay_search(hub: Hub, user: Caller, criteria: Annotated[Search, Query()], dry_run: bool = False) -> Replayed:
    criteria.require_criterion()
    ids = [row.id for row in operations.list_flows(hub, criteria.flow_filter(user, REPLAY_LIMIT, 0))]
    return _replay(hub, user, ids, dry_run, f"{len(ids)} flux ({criteria.query()})")


def _replay(hub: Wired, user: User, ids: list[str], dry_run: bool, target: str) -> Replayed:
    with operations.acting(hub, user, "rejouer (essai)" if dry_run else "rejouer", target) as act:
        done = replaying(hub, ids, dry_run)
        act.outcome = f"{len(done.planned or done.replayed)} flux, {len(done.skipped)} laissé(s)"
    return done


@router.post("/flows/{flow_id}/invoices/{index}/resend", summary="Renvoyer le pivot d'une facture à son destinataire")
def resend(hub: Hub, user: Caller, flow_id: FlowId, index: Index) -> Resent:
    with operations.acting(hub, user, "renvoyer un pivot", f"flux {flow_id}, facture {index}") as act:
        done = operations.resend(hub, flow_id, index)
        act.outcome = f"{done.name} renvoyé à {done.mailbox}"
    return done


@router.get("/dead-letters", summary="Les lettres mortes du courtier (file vide et sans nom sans courtier)")
def dead_letters(hub: Hub, user: Caller) -> DeadLetters:
    operations.seeing_all(user)
    return operations.dead_letters(hub)


# each action on a dead letter: as the audit trail names it, what it did, the operation
DEAD_LETTER_ACTIONS = {
    "requeue": ("remettre une lettre morte", "remise dans la file d'entrée", operations.requeue),
    "discard": ("supprimer une lettre morte", "supprimée", operations.discard),
}


@router.post("/dead-letters/{message_id}/{action}", summary="Remettre une lettre morte dans la file d'entrée "
             "(requeue), ou la supprimer (discard)")
def dead_letter(hub: Hub, user: Caller, message_id: MessageId, action: Literal["requeue", "discard"]) -> Done:
    what, done, run = DEAD_LETTER_ACTIONS[action]
    with operations.acting(hub, user, what, f"message {message_id}") as act:
        run(hub, message_id)
        act.outcome = done
    return Done(message=f"lettre morte {message_id} {done}")


@router.post("/collect/{recipient}", summary="Collecter pour un destinataire du portail ou par service")
def collect(hub: Hub, user: Caller, recipient: Annotated[str, Path(min_length=1, max_length=64)]) -> Collected:
    with operations.acting(hub, user, "collecter", f"destinataire {recipient}") as act:
        done = operations.collect(hub, recipient)
        act.outcome = f"{len(done.invoices)} facture(s) mises à disposition de {done.recipient}"
    return done


@router.get("/audit", summary="Le journal des actions, les plus récentes d'abord")
def audit(hub: Hub, user: Caller, limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[AuditEntry]:
    operations.seeing_all(user)
    return list(operations.audit_trail(hub, limit))

