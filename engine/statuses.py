"""The vocabulary of statuses: every flow and invoice status facteur knows, once.

A flow status is a CPPStatut flow-level code (90 to 96), or one of the two
states the ledger gives a flow that has no such code yet: `pending` (received,
not yet committed) and `held` (a recipient's status file, read for the
lifecycle stage). Each has the name the command line accepts, the French
label written in ComplementStatut (the meanings of the annotation of
CPPStatutPivot_V1_19.xsd, shortened to its 40 characters: the schema's words,
in every language), and the keys of the message catalogue (`engine/messages.py`)
that name it for a person: in words with its plural ("3 rejetés") and as the
ledger's timeline says it.

An invoice status is a CPPStatut invoice-level code (01 to 12; the schema
enumerates up to 41 but documents 01..12 only, so facteur emits no other), with
its label, who may set it (the hub, or the recipient), and whether it is final.

The CPPStatut reports, the ledger, the lifecycle rules and the command line all
read them from here, so that a code, its name and its label cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from facteur.engine.messages import text


class FlowStatus(str, Enum):
    """The flow-level verdict of the pipeline, named after the CPPStatut code it is reported with."""

    INTEGRATED = "90"
    REJECTED = "93"
    PARTLY_INTEGRATED = "96"
    HELD = "held"  # a status file read, for the runner to apply to the ledger (lifecycle)


PENDING = "pending"  # in the ledger between a flow's start and its commit


@dataclass(frozen=True)
class FlowCode:
    """One flow status. `name`, `words` and `timeline` are empty for the codes only
    recipients send (91, 92, 94, 95): no flow of facteur's is ever in them."""

    code: str
    label: str  # ComplementStatut; empty for the ledger's own states
    name: str = ""  # what `facteur flows list --status` and `replay --status` accept
    words: str = ""  # catalogue key: how `facteur process` counts flows in this status ($n)
    timeline: str = ""  # catalogue key: the ledger's timeline entry
    rejects: bool = False  # a rejection must say why (DESIGN)
    replayable: bool = False  # `facteur replay` takes a flow in this status


FLOW_CODES: Mapping[str, FlowCode] = {
    entry.code: entry
    for entry in (
        FlowCode("90", "Reçu", "integrated", "status-integrated", "timeline-integrated"),
        FlowCode("91", "En cours de transmission"),
        FlowCode("92", "Reçu destinataire final"),
        FlowCode("93", "Erreur réception", "rejected", "status-rejected", "timeline-rejected",
                 rejects=True, replayable=True),
        FlowCode("94", "Erreur réception destinataire final", rejects=True),
        FlowCode("95", "Erreur transmission destinataire final", rejects=True),
        FlowCode("96", "Reçu - intégration partielle", "partly", "status-partly", "timeline-partly",
                 replayable=True),
        # Status files held by a facteur older than the lifecycle stage are replayed.
        FlowCode("held", "", "held", "status-held", "timeline-held", replayable=True),
        FlowCode(PENDING, "", PENDING),
    )
}

# The codes written in CPPStatut flow statuses (IdStatut of CPPFluxStatutUnitaire).
FLOW_STATUS_LABELS: Mapping[str, str] = {code: entry.label for code, entry in FLOW_CODES.items() if entry.label}
FLOW_REJECTIONS = frozenset(code for code, entry in FLOW_CODES.items() if entry.rejects)
REPLAYABLE = frozenset(code for code, entry in FLOW_CODES.items() if entry.replayable)
# English name -> code, for the command line's --status.
FLOW_NAMES: Mapping[str, str] = {entry.name: code for code, entry in FLOW_CODES.items() if entry.name}
DELIVERY_ACK = "92"  # a recipient's acknowledgment of a delivery
DELIVERY_ERRORS = frozenset({"94", "95"})  # a recipient's report that a delivery failed


# What a summary counts, in its order: the verdicts, then the flows that ended otherwise
# (the runner's counts: received again, left for the next start, set aside).
COUNTED: Mapping[str, str] = {
    "90": "status-integrated",
    "93": "status-rejected",
    "96": "status-partly",
    "held": "status-held",
    "repeat": "status-repeated",
    "unfinished": "status-unfinished",
    "abandoned": "status-abandoned",
}


def counted(counts: Mapping[str, int], lang: str) -> str:
    """Flows by status in words, with their plurals: "6 intégrés, 3 rejetés,
    1 partiellement intégré"; "aucun flux" when there is none."""
    parts = [text(key, lang, n=counts[status]) for status, key in COUNTED.items() if counts.get(status)]
    return ", ".join(parts) or text("status-none", lang)


def flow_code(status: str) -> str:
    """The code of a status given by code or by English name (`rejected` -> `93`)."""
    return FLOW_NAMES.get(status, status)


def flow_status_help() -> str:
    """The statuses `--status` accepts, for the command line's help: codes, then names."""
    codes = [code for code, entry in FLOW_CODES.items() if entry.name]
    words = [entry.name for entry in FLOW_CODES.values() if entry.name and entry.name != entry.code]
    return ", ".join(codes + words)


@dataclass(frozen=True)
class InvoiceCode:
    """One invoice status: who may set it, and whether nothing may follow it."""

    code: str
    label: str  # ComplementStatut
    set_by: str  # "hub" or "recipient"
    final: bool = False  # no payment will be due, or it is made
    rejects: bool = False  # a rejection must say why
    needs_reason: bool = False  # sent by a recipient, it must say why (rejected, suspended)


HUB = "hub"
RECIPIENT = "recipient"

INVOICE_CODES: Mapping[str, InvoiceCode] = {
    entry.code: entry
    for entry in (
        InvoiceCode("01", "Déposée", HUB),
        InvoiceCode("02", "En cours d'acheminement vers le destinataire", HUB),
        InvoiceCode("03", "Mise à disposition du destinataire", HUB),
        InvoiceCode("04", "Rejetée par l'ordonnateur pour erreur données acheminement", RECIPIENT,
                    final=True, rejects=True, needs_reason=True),
        InvoiceCode("05", "Rejetée par l'ordonnateur pour autre motif", RECIPIENT,
                    final=True, rejects=True, needs_reason=True),
        InvoiceCode("06", "Suspendue", RECIPIENT, needs_reason=True),
        InvoiceCode("07", "Service fait", RECIPIENT),
        InvoiceCode("08", "Mandatée / DP validée", RECIPIENT),
        InvoiceCode("09", "Mise à disposition du comptable", RECIPIENT),
        InvoiceCode("10", "Comptabilisée", RECIPIENT),
        InvoiceCode("11", "Mise en paiement", RECIPIENT, final=True),
        InvoiceCode("12", "Complétée", RECIPIENT),
    )
}

INVOICE_STATUS_LABELS: Mapping[str, str] = {code: entry.label for code, entry in INVOICE_CODES.items()}
INVOICE_REJECTIONS = frozenset(code for code, entry in INVOICE_CODES.items() if entry.rejects)
SET_BY_HUB = frozenset(code for code, entry in INVOICE_CODES.items() if entry.set_by == HUB)
NEEDS_EXPLANATION = frozenset(code for code, entry in INVOICE_CODES.items() if entry.needs_reason)
FINAL = frozenset(code for code, entry in INVOICE_CODES.items() if entry.final)
