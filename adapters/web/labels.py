"""How the console's templates write the engine's codes and values in French:
the filters its Jinja environment is given."""

from __future__ import annotations

from jinja2 import Environment

from facteur.engine.hub import annuaire
from facteur.engine.messages import text
from facteur.engine.statuses import INVOICE_STATUS_LABELS

FLOW_STATUSES = {
    "90": "intégré",
    "93": "rejeté",
    "96": "intégré en partie",
    "held": "retenu (cycle de vie)",
    "pending": "en cours",
}
SEVERITIES = {"blocking": "bloquant", "warning": "avertissement", "info": "information"}
INVOICE_TYPES = {"380": "facture", "381": "avoir"}


def flow_status(code: str) -> str:
    label = FLOW_STATUSES.get(code, code)
    return f"{label} ({code})" if code.isdigit() else label


def invoice_status(code: str | None) -> str:
    return f"{code} {INVOICE_STATUS_LABELS.get(code, '')}".strip() if code else "—"


def moment(text: str | None) -> str:
    """An ISO moment to the second, date and time apart."""
    return text[:19].replace("T", " ") if text else "—"


def directory_state(active: bool, kind: str) -> str:
    """A directory version's own state: active, or inactive (masking, for an addressing line)."""
    return text("directory-state", state="active" if active else ("masking" if kind == annuaire.LINE else "inactive"))


def install(environment: Environment) -> None:
    environment.filters.update(
        statut=flow_status,
        statut_facture=invoice_status,
        moment=moment,
        gravite=lambda severity: SEVERITIES.get(severity, severity),
        type_facture=lambda code: INVOICE_TYPES.get(code, code),
        sorte_annuaire=lambda kind: text("directory-kind", kind=kind),
        statut_annuaire=lambda status: text("directory-status", status=status),
        etat_annuaire=directory_state,
    )
