"""What the console's pages (`pages.py`) and its JSON API (`api.py`) share: a
hub per request from the composition root, who is asking (a session for
pages, a bearer token for the API), the CSRF check of every form, the
templates, and the one thread the pipeline runs on.

A hub per request, as a command of the CLI has one: the directory or the
rules an operator mends are those the next request reads, and no connection is
shared between the threads that serve requests (a few milliseconds to open).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates

from facteur.adapters import wiring
from facteur.adapters.errors import LoginRequired
from facteur.adapters.web import labels
from facteur.adapters.wiring import Wired
from facteur.engine import operations
from facteur.engine.errors import Forbidden
from facteur.engine.operations import Replayed, Session, User

HERE = Path(__file__).parent
SESSION_COOKIE = "facteur_session"
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
labels.install(TEMPLATES.env)
BEARER = HTTPBearer(auto_error=False, description="un jeton de « facteur users token UTILISATEUR »")

# Saxon's compiled rule sets belong to the thread that compiled them
# (`validation/schematron.py`): every run of the pipeline the console asks for
# goes through this one thread, which compiles them once, rather than through
# whichever thread serves the request.
PIPELINE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="facteur-pipeline")

def hub_of(request: Request) -> Iterator[Wired]:
    """The hub of this request; its ledger is closed after the response."""
    with wiring.hub(request.app.state.config, create_ledger=True) as hub:
        yield hub


def session_of(request: Request, hub: Wired = Depends(hub_of)) -> Session:
    """The session of the browser's cookie; without one, the log-in page."""
    key = request.cookies.get(SESSION_COOKIE)
    session = hub.accounts.session(key, hub.clock()) if key else None
    if session is None:
        raise LoginRequired("connectez-vous pour voir cette page")
    return session


async def checked(request: Request, session: Session = Depends(session_of)) -> Session:
    """The session of a form posted with its CSRF token: a form another site
    made the browser post carries the cookie, never the token."""
    form = await request.form()
    if form.get("csrf") != session.csrf:
        raise Forbidden("formulaire refusé : son jeton CSRF manque ou ne correspond pas à votre session ; "
                        "rechargez la page et recommencez")
    return session


def token_user(credentials: HTTPAuthorizationCredentials | None = Depends(BEARER), hub: Wired = Depends(hub_of)) -> User:
    """The user a bearer token is bound to."""
    user = hub.accounts.by_token(credentials.credentials) if credentials else None
    if user is None:
        raise LoginRequired("jeton manquant ou inconnu : envoyez « Authorization: Bearer <jeton> », "
                            "un jeton donné par « facteur users token UTILISATEUR »")
    return user


def replay(hub: Wired, flow_ids: list[str], dry_run: bool = False) -> Replayed:
    """`operations.replay`, run on the pipeline's thread."""
    return PIPELINE.submit(operations.replay, hub, flow_ids, dry_run).result()
