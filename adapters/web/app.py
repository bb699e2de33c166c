"""The console's application: FastAPI, its pages (`pages.py`) and its JSON API
(`api.py`), and what they share: a hub per request from the composition root,
who is asking (a session for pages, a bearer token for the API), the CSRF
check of every form, and one translation of the engine's errors into HTTP.

A hub per request, as a command of the CLI has one: the directory or the
rules an operator mends are those the next request reads, and no connection is
shared between the threads that serve requests (a few milliseconds to open).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from facteur.adapters import wiring
from facteur.adapters.errors import LoginRequired
from facteur.adapters.web import labels
from facteur.adapters.wiring import Wired
from facteur.engine.config import Config
from facteur.engine.errors import (
    FacteurError,
    Forbidden,
    InvalidRequest,
    NotAllowed,
    SetupError,
    Unavailable,
)
from facteur.engine.operations import Session, User

HERE = Path(__file__).parent
SESSION_COOKIE = "facteur_session"
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
labels.install(TEMPLATES.env)
BEARER = HTTPBearer(auto_error=False, description="un jeton de « facteur users token UTILISATEUR »")

# The HTTP status of each family of the engine's errors, most precise first.
STATUSES = (
    (LoginRequired, 401),
    (Forbidden, 403),
    (NotAllowed, 409),
    (InvalidRequest, 400),
    (SetupError, 400),
    (Unavailable, 503),
)


def create_app(config: Config) -> FastAPI:
    from facteur.adapters.web import api, pages

    app = FastAPI(
        title="facteur",
        summary="La console d'exploitation de facteur et son API JSON",
        description="Chaque appel de l'API porte un jeton : `Authorization: Bearer <jeton>`, "
                    "donné par « facteur users token UTILISATEUR » et lié au rôle de cet utilisateur.",
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.config = config
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.add_exception_handler(FacteurError, _failed)
    return app


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


def _failed(request: Request, err: FacteurError):
    status = next((code for family, code in STATUSES if isinstance(err, family)), 500)
    if request.url.path.startswith("/api/"):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"erreur": str(err)}, status, headers=headers)
    if status == 401:
        return RedirectResponse("/connexion", 303)
    return TEMPLATES.TemplateResponse(request, "erreur.html", {"message": str(err), "status": status}, status_code=status)
