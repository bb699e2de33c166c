"""The console's pages, in French, rendered on the server: log-in, search, a
flow, an invoice read from its pivot, the actions (each shown first for
confirmation, then posted with the session's CSRF token and written to the
audit trail), dead letters, collection, the audit trail and users.

A page parses what was asked, calls the operations, and renders their
results; the rules (who sees which flow, who may act) are the operations'.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from facteur.adapters.web.deps import SESSION_COOKIE, TEMPLATES, checked, hub_of, session_of
from facteur.adapters.web.deps import replay as replaying
from facteur.adapters.web.search import PAGE, REPLAY_LIMIT, Search
from facteur.adapters.wiring import Wired
from facteur.engine import operations
from facteur.engine.errors import Forbidden
from facteur.engine.operations import ROLES, Session

router = APIRouter(include_in_schema=False)
Hub = Annotated[Wired, Depends(hub_of)]
Seen = Annotated[Session, Depends(session_of)]
Posted = Annotated[Session, Depends(checked)]


def render(request: Request, session: Session | None, template: str, status: int = 200, **values) -> Response:
    response = TEMPLATES.TemplateResponse(
        request, template, {"session": session, "user": session.user if session else None, **values},
        status_code=status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def confirm(request: Request, session: Session, title: str, explanation: str, button: str, fields: dict | None = None,
            preview=None) -> Response:
    """The page that asks before an action (which its route has checked the
    user may do): what it will do, and the form that does it."""
    return render(request, session, "confirmer.html", title=title, explanation=explanation, button=button,
                  action=request.url.path, fields=fields or {}, preview=preview)


@router.get("/connexion")
def login_page(request: Request) -> Response:
    return render(request, None, "connexion.html")


@router.post("/connexion")
def log_in(request: Request, hub: Hub, utilisateur: Annotated[str, Form()], mot_de_passe: Annotated[str, Form()]):
    expires = hub.clock() + timedelta(hours=hub.config.web.session_hours)
    try:
        key, _ = operations.log_in(hub, utilisateur, mot_de_passe, expires)
    except Forbidden as err:
        return render(request, None, "connexion.html", status=403, message=str(err), name=utilisateur)
    response = RedirectResponse("/", 303)
    response.set_cookie(SESSION_COOKIE, key, max_age=int(hub.config.web.session_hours * 3600), httponly=True,
                        samesite="strict")
    return response


@router.post("/deconnexion")
def log_out(request: Request, hub: Hub, session: Posted):
    hub.accounts.close_session(request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/connexion", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request, hub: Hub, session: Seen) -> Response:
    """The dashboard; a partner user, whom the hub's totals do not concern, goes to its flows."""
    if session.user.scope:
        return RedirectResponse("/flux", 303)
    return render(request, session, "tableau.html", board=operations.dashboard(hub))


@router.get("/flux")
def search(request: Request, hub: Hub, session: Seen, criteria: Annotated[Search, Query()]):
    rows = operations.list_flows(hub, criteria.flow_filter(session.user))
    return render(request, session, "recherche.html", criteria=criteria, rows=rows[:PAGE], more=len(rows) > PAGE)


@router.get("/flux/{flow_id}")
def flow(request: Request, hub: Hub, session: Seen, flow_id: str):
    detail = operations.show_flow(hub.ledger, flow_id, session.user.scope)
    delays = {d.index: d for d in operations.flow_delays(hub, detail.id)}
    return render(request, session, "flux.html", flow=detail, delays=delays)


@router.get("/flux/{flow_id}/original")
def original(hub: Hub, session: Seen, flow_id: str):
    return _download(operations.original(hub, flow_id, session.user.scope))


@router.get("/flux/{flow_id}/sorties/{name}")
def output(hub: Hub, session: Seen, flow_id: str, name: str):
    return _download(operations.output(hub, flow_id, name, session.user.scope))


def _download(document: operations.Document) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(document.name)}"
    return Response(document.content, media_type=document.media_type, headers={"Content-Disposition": disposition})


@router.get("/flux/{flow_id}/factures/{index}")
def invoice(request: Request, hub: Hub, session: Seen, flow_id: str, index: int):
    view = operations.invoice_view(hub, flow_id, index, session.user.scope)
    return render(request, session, "facture.html", invoice=view)


@router.get("/flux/{flow_id}/rejouer")
def replay_preview(request: Request, hub: Hub, session: Seen, flow_id: str):
    operations.may_act(session.user, "rejouer")
    detail = operations.show_flow(hub.ledger, flow_id, session.user.scope)
    preview = replaying(hub, [detail.id], dry_run=True)
    return confirm(request, session, f"Rejouer le flux {detail.id}",
                   f"Le flux « {detail.name} » de {detail.sender} sera traité de nouveau, comme une nouvelle tentative, "
                   "avec l'annuaire et les règles d'aujourd'hui. Voici ce qu'il donnerait :", "Rejouer", preview=preview)


@router.post("/flux/{flow_id}/rejouer")
def replay(request: Request, hub: Hub, session: Posted, flow_id: str):
    detail = operations.show_flow(hub.ledger, flow_id, session.user.scope)
    with operations.acting(hub, session.user, "rejouer", f"flux {detail.id}") as act:
        done = replaying(hub, [detail.id])
        act.outcome = _replayed(done)
    return render(request, session, "rejoue.html", done=done)


@router.get("/rejouer")
def replay_search_preview(request: Request, hub: Hub, session: Seen, criteria: Annotated[Search, Query()]):
    operations.may_act(session.user, "rejouer une recherche")
    ids = _search_ids(hub, session, criteria)
    preview = replaying(hub, ids, dry_run=True)
    return confirm(request, session, f"Rejouer les {len(ids)} flux de la recherche",
                   f"Chacun des flux trouvés (au plus {REPLAY_LIMIT}) sera traité de nouveau, avec l'annuaire et les "
                   "règles d'aujourd'hui. Voici ce que chacun donnerait :", f"Rejouer ces {len(ids)} flux",
                   fields=criteria.model_dump(), preview=preview)


@router.post("/rejouer")
def replay_search(request: Request, hub: Hub, session: Posted, criteria: Annotated[Search, Form()]):
    ids = _search_ids(hub, session, criteria)
    with operations.acting(hub, session.user, "rejouer une recherche", f"{len(ids)} flux ({criteria.query()})") as act:
        done = replaying(hub, ids)
        act.outcome = _replayed(done)
    return render(request, session, "rejoue.html", done=done)


def _search_ids(hub: Wired, session: Session, criteria: Search) -> list[str]:
    criteria.require_criterion()
    return [row.id for row in operations.list_flows(hub, criteria.flow_filter(session.user, REPLAY_LIMIT, 0))]


def _replayed(done: operations.Replayed) -> str:
    made = ", ".join(f"{h.flow_id} ({h.status})" for h in done.replayed) or "aucun"
    skipped = f" ; laissés : {len(done.skipped)}" if done.skipped else ""
    return f"tentatives : {made}{skipped}"


@router.get("/flux/{flow_id}/factures/{index}/renvoyer")
def resend_confirm(request: Request, hub: Hub, session: Seen, flow_id: str, index: int):
    operations.may_act(session.user, "renvoyer un pivot")
    detail = operations.show_flow(hub.ledger, flow_id, session.user.scope)
    return confirm(request, session, f"Renvoyer le pivot de la facture {index} du flux {detail.id}",
                   "Le pivot sera écrit de nouveau pour son destinataire, tel qu'il lui a été livré.", "Renvoyer")


@router.post("/flux/{flow_id}/factures/{index}/renvoyer")
def resend(request: Request, hub: Hub, session: Posted, flow_id: str, index: int):
    with operations.acting(hub, session.user, "renvoyer un pivot", f"flux {flow_id}, facture {index}") as act:
        done = operations.resend(hub, flow_id, index)
        act.outcome = f"{done.name} renvoyé à {done.mailbox}"
    return render(request, session, "fait.html", message=f"Le pivot {done.name} a été renvoyé à {done.mailbox}.",
                  back=f"/flux/{done.flow_id}")


@router.get("/lettres-mortes")
def dead_letters(request: Request, hub: Hub, session: Seen):
    operations.seeing_all(session.user)
    return render(request, session, "lettres_mortes.html", found=operations.dead_letters(hub))


# each action on a dead letter: as the audit trail names it, its button, what it did, the operation
DEAD_LETTER_ACTIONS = {
    "remettre": ("remettre une lettre morte", "Remettre", "remise dans la file d'entrée", operations.requeue),
    "supprimer": ("supprimer une lettre morte", "Supprimer", "supprimée", operations.discard),
}


@router.get("/lettres-mortes/{message_id}/{action}")
def dead_letter_confirm(request: Request, session: Seen, message_id: str, action: str):
    what, button, done, _ = _dead_letter_action(action)
    operations.may_act(session.user, what)
    return confirm(request, session, f"Lettre morte {message_id}", f"Elle sera {done}.", button)


@router.post("/lettres-mortes/{message_id}/{action}")
def dead_letter(request: Request, hub: Hub, session: Posted, message_id: str, action: str):
    what, _, done, run = _dead_letter_action(action)
    with operations.acting(hub, session.user, what, f"message {message_id}") as act:
        run(hub, message_id)
        act.outcome = done
    return render(request, session, "fait.html", message=f"La lettre morte {message_id} a été {done}.",
                  back="/lettres-mortes")


def _dead_letter_action(action: str):
    if action not in DEAD_LETTER_ACTIONS:
        raise operations.InvalidRequest(f"action inconnue « {action} » : remettre ou supprimer")
    return DEAD_LETTER_ACTIONS[action]


@router.get("/collecte")
def collection(request: Request, hub: Hub, session: Seen):
    operations.seeing_all(session.user)
    recipients = [
        (structure, len(hub.ledger.waiting(structure.mailbox)))
        for structure in sorted(hub.directory.structures.values(), key=lambda s: s.mailbox)
        if structure.delivery != "edi"
    ]
    return render(request, session, "collecte.html", recipients=recipients)


@router.get("/collecte/{recipient}")
def collect_confirm(request: Request, hub: Hub, session: Seen, recipient: str):
    operations.may_act(session.user, "collecter")
    structure = operations.recipient_structure(hub.directory, recipient)
    waiting = len(hub.ledger.waiting(structure.mailbox))
    return confirm(request, session, f"Collecter pour {structure.mailbox} ({structure.name})",
                   f"{waiting} facture(s) lui seront mises à disposition (statut 03) ; leur délai de paiement "
                   "commencera maintenant, et les déposants en seront informés.", "Collecter")


@router.post("/collecte/{recipient}")
def collect(request: Request, hub: Hub, session: Posted, recipient: str):
    with operations.acting(hub, session.user, "collecter", f"destinataire {recipient}") as act:
        done = operations.collect(hub, recipient)
        act.outcome = f"{len(done.invoices)} facture(s) mises à disposition de {done.recipient}"
    return render(request, session, "fait.html", message=f"{act.outcome}.", back="/collecte")


@router.get("/journal")
def audit(request: Request, hub: Hub, session: Seen):
    operations.seeing_all(session.user)
    return render(request, session, "journal.html", entries=operations.audit_trail(hub))


@router.get("/utilisateurs")
def users(request: Request, hub: Hub, session: Seen):
    operations.managing(session.user)
    return render(request, session, "utilisateurs.html", users=operations.list_users(hub), roles=ROLES)


@router.post("/utilisateurs")
def add_user(request: Request, hub: Hub, session: Posted, nom: Annotated[str, Form()],
             mot_de_passe: Annotated[str, Form()], role: Annotated[str, Form()],
             partenaire: Annotated[str, Form()] = ""):
    operations.managing(session.user)
    with operations.acting(hub, session.user, "ajouter un utilisateur", nom) as act:
        added = operations.add_user(hub, nom, mot_de_passe, role, partenaire.strip())
        act.outcome = f"rôle {added.role}" + (f", partenaire {added.partner}" if added.partner else "")
    return RedirectResponse("/utilisateurs", 303)


@router.get("/utilisateurs/{name}/supprimer")
def remove_user_confirm(request: Request, session: Seen, name: str):
    operations.managing(session.user)
    return confirm(request, session, f"Supprimer l'utilisateur {name}",
                   "Ses sessions et ses jetons d'API cessent aussitôt de valoir.", "Supprimer")


@router.post("/utilisateurs/{name}/supprimer")
def remove_user(hub: Hub, session: Posted, name: str):
    operations.managing(session.user)
    with operations.acting(hub, session.user, "supprimer un utilisateur", name) as act:
        operations.remove_user(hub, name)
        act.outcome = "supprimé"
    return RedirectResponse("/utilisateurs", 303)
