"""A search of flows as the console's pages and API take it (query
parameters, in French as the form names them), into the operations'
`FlowFilter`, with a partner user held to its own flows whatever it asks."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from facteur.engine.operations import FlowFilter, InvalidRequest, User, day

PAGE = 50  # flows per page of results
DAY = r"^(|\d{4}-\d{2}-\d{2}|today|aujourd'hui|yesterday|hier|-\d{1,5}[dj])$"  # what `operations.day` reads
STATUS = r"^(|90|93|96|held|pending|integrated|rejected|partly)$"
REPLAY_LIMIT = 500  # flows a replay of a search's results takes at most


class Search(BaseModel):
    """The criteria of a search; an empty one lets every flow through."""

    model_config = ConfigDict(extra="ignore")

    numero: str = Field("", max_length=200, description="un numéro de facture du flux, comparé tel qu'on le lit")
    fournisseur: str = Field("", max_length=64, description="le SIRET d'un fournisseur des factures du flux")
    destinataire: str = Field("", max_length=64, description="boîte ou SIRET d'un destinataire des factures du flux")
    partenaire: str = Field("", max_length=64, description="le partenaire qui a envoyé ou reçu le flux")
    statut: str = Field("", pattern=STATUS, description="90, 93, 96, held, pending, ou integrated, rejected, partly")
    code: str = Field("", max_length=80, description="le code d'un constat du flux, par exemple FCT-RECIPIENT-UNKNOWN")
    du: str = Field("", pattern=DAY, description="reçu ce jour ou après : AAAA-MM-JJ, aujourd'hui, hier, -7j")
    au: str = Field("", pattern=DAY, description="reçu ce jour ou avant : AAAA-MM-JJ, aujourd'hui, hier, -7j")
    page: int = Field(1, ge=1, le=100_000)

    @property
    def asked(self) -> bool:
        """Whether any criterion was given (a page number alone is none)."""
        return any(value for key, value in self.model_dump().items() if key != "page")

    def require_criterion(self) -> None:
        """A replay of a search's results needs a search: all flows at once is never what was meant."""
        if not self.asked:
            raise InvalidRequest("rejouer les résultats d'une recherche demande au moins un critère "
                                 "(statut, code de constat, dates...)")

    def flow_filter(self, user: User, limit: int = PAGE + 1, first: int | None = None) -> FlowFilter:
        """The operations' filter for this search as `user` may make it: a
        partner user's own partner id replaces any other it asks for."""
        today = date.today()
        return FlowFilter(
            status=self.statut.strip(),
            recipient=self.destinataire.strip(),
            since=day(self.du, today) if self.du.strip() else None,
            until=day(self.au, today) if self.au.strip() else None,
            code=self.code.strip(),
            limit=limit,
            number=self.numero.strip(),
            supplier=self.fournisseur.strip(),
            partner=user.scope or self.partenaire.strip(),
            offset=(self.page - 1) * PAGE if first is None else first,
        )

    def query(self, **changes) -> str:
        """This search as a query string, with `changes` (another page, say)."""
        values = self.model_dump() | changes
        return urlencode({key: value for key, value in values.items() if value not in ("", None)})
