"""The console's application, which `facteur serve` serves: FastAPI with its
pages (`pages.py`), its JSON API (`api.py`) and their static files, and one
translation of the engine's errors into HTTP (a page for a browser, JSON for
the API)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from facteur.adapters.errors import LoginRequired
from facteur.adapters.web import annuaire, api, observability, pages
from facteur.adapters.web.deps import HERE, TEMPLATES
from facteur.engine.config import Config
from facteur.engine.errors import (
    FacteurError,
    Forbidden,
    InvalidRequest,
    NotAllowed,
    SetupError,
    Unavailable,
)

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
    app = FastAPI(
        title="facteur",
        summary="La console d'exploitation de facteur et son API JSON",
        description="Chaque appel de l'API porte un jeton : `Authorization: Bearer <jeton>`, "
                    "donné par « facteur users token UTILISATEUR » et lié au rôle de cet utilisateur.",
        version="1",
        docs_url=None,  # FastAPI's documentation pages load their scripts from a CDN: the description is enough
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.config = config
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(annuaire.router)
    app.include_router(api.router)
    app.router.routes.extend(observability.routes(config))  # /metrics, /healthz, /readyz
    app.add_exception_handler(FacteurError, _failed)
    return app


def _failed(request: Request, err: FacteurError):
    status = next((code for family, code in STATUSES if isinstance(err, family)), 500)
    if request.url.path.startswith("/api/"):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"erreur": str(err)}, status, headers=headers)
    if status == 401:
        return RedirectResponse("/connexion", 303)
    return TEMPLATES.TemplateResponse(request, "erreur.html", {"message": str(err), "status": status}, status_code=status)
