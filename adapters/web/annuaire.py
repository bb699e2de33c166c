"""The console's page of a line of the national directory (`/annuaire/{id}`):
a structure (establishment, legal unit, routing code, addressing line), its
versions with their days and status, its B2G data, and the lines that route
to it or hang under it, each with its own history. Linked from a flow's page
where an invoice's recipient is shown; the directory is public, so any user
may read it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from facteur.adapters.web.deps import hub_of, session_of
from facteur.adapters.web.pages import render
from facteur.adapters.wiring import Wired
from facteur.engine import operations
from facteur.engine.operations import Session

router = APIRouter(include_in_schema=False)


@router.get("/annuaire/{identifier}")
def entry(request: Request, identifier: str, hub: Annotated[Wired, Depends(hub_of)],
          session: Annotated[Session, Depends(session_of)], le: date | None = None) -> Response:
    """`le`: the day the statuses are judged on (today by default)."""
    found = operations.show(hub, identifier, le)
    return render(request, session, "annuaire.html", entry=found, related=operations.related_lines(hub, found))
