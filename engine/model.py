"""Plain data that flows through the pipeline.

Every stage takes and returns these dataclasses and nothing else, so that the
same pipeline can run in one process, in a pool or behind a broker: a `Flow` is
what came in, an `Outcome` is everything facteur decided about it, including
the bytes of every output it wants written. Nothing here does I/O.

Field comments name the EN 16931 business terms (BT-n, BG-n) they carry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cached_property

from facteur.engine.messages import Message
from facteur.engine.statuses import FlowStatus


class Severity(str, Enum):
    BLOCKING = "blocking"
    WARNING = "warning"


@dataclass(frozen=True)
class Value:
    """One value a rule compared, as read in the document: `term` is the
    business term it carries (`BT-115`), or the name of the element or
    attribute when it carries none (`@mimeCode`); `location` its path in the
    document. `count` is 0 for one value, n for the sum of n values (a rule
    over every line). Language-independent: a face names the term in words
    (`engine/terms.py`)."""

    term: str
    value: str
    location: str = ""
    count: int = 0


@dataclass(frozen=True)
class Finding:
    """One thing a validation layer noticed.

    `code` is stable and machine-readable (`BR-CO-10`, `XSD`, `FCT-RECIPIENT-UNKNOWN`);
    `message` is for a person; `location` says where (an XPath, a line and column,
    or a lot member name); `values` are those the rule compared, read at that
    location (`validation/values.py`).

    A message of the catalogue is given as a `Message` (`messages.say`): the
    finding keeps it in `said` and its text, in French, in `message`;
    `in_language` renders it in another language (the pipeline does, for the
    language of its context). A plain text (an official rule's, as published)
    stays as it is in every language.
    """

    code: str
    severity: Severity
    message: str
    location: str = ""
    layer: str = ""
    values: tuple[Value, ...] = ()
    said: Message | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.message, Message):
            object.__setattr__(self, "said", self.message)
            object.__setattr__(self, "message", str(self.message))

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.BLOCKING

    def in_language(self, lang: str) -> "Finding":
        """This finding with its message in `lang`, when it is one of the catalogue."""
        return replace(self, message=self.said.render(lang)) if self.said else self


@dataclass(frozen=True)
class Flow:
    """One file or one message, exactly as received.

    The id derives from the sender and the bytes only: the same bytes sent again
    by the same sender are the same flow, whatever the file is called, so a retry
    after a timeout or a crash never produces a second delivery.

    `name` is the display form of the name (`names.shown`), the only one any
    stage reads or writes; `name_raw` keeps its bytes as received, for the
    ledger. A flow `refused` at the door (a finding code: a hard link in an
    inbox, a file slipped into `.claimed/`) was never read: its content is a
    note of what was seen, and it is only reported.
    """

    content: bytes
    sender: str
    name: str
    received_at: datetime
    source: str = "cli"
    replay_of: str = ""  # the first flow of the chain, for a replay of archived bytes
    attempt: int = 0  # 0 as received; n for the n-th replay, so each attempt has its own id
    name_raw: bytes = b""  # the name's bytes as received; empty: those of `name`
    refused: str = ""  # the code of a refusal at the door
    directory_day: date | None = None  # a replay's day: the national directory is read as it stands then

    @cached_property  # hashed once: the runner asks for it at every step
    def id(self) -> str:
        digest = hashlib.sha256(self.sender.encode("utf-8") + b"\0" + self.content)
        if self.attempt:
            digest.update(f"\0replay {self.attempt}".encode())
        if self.refused:  # a note can never pass for a file's bytes
            digest.update(f"\0refused {self.refused}".encode())
        return digest.hexdigest()[:24]


class Syntax(str, Enum):
    """Chorus Pro syntax codes, plus the kinds of flow that are not invoices."""

    UBL = "IN_DP_E1_UBL_INVOICE"
    CII = "IN_DP_E1_CII_16B"
    FACTURX = "IN_DP_E2_CII_FACTURX"
    UBL_MIN = "IN_DP_E2_UBL_INVOICE_MIN"
    CII_MIN = "IN_DP_E2_CII_MIN_16B"
    PDF = "IN_DP_E2_PDF"
    PROPRIETARY = "PROPRIETARY"  # a format described in mappings/formats/
    STATUS = "STATUS_CPPSTATUT"
    LOT = "LOT"
    UNKNOWN = "UNKNOWN"


@dataclass
class Party:
    """A seller (BG-4) or a buyer (BG-7), as Chorus Pro needs it.

    `identifier_type` is the Chorus Pro `TypeIdentifiant`: 1 SIRET, 2 EU outside
    France, 3 outside the EU (see `engine/extract/parties.py` for how it is chosen).
    """

    name: str = ""  # BT-27 / BT-44
    identifier: str = ""  # SIRET when French (BT-29/BT-30, BT-46/BT-47), else VAT or other id
    identifier_type: str = ""
    country: str = ""  # BT-40 / BT-55
    vat_id: str = ""  # BT-31 / BT-48
    iban: str = ""  # BT-84, seller only
    bank_id: str = ""  # BT-86, seller only
    address: str = ""  # BT-49 in scheme 0225 (the national directory's addressing), buyer only


@dataclass
class VatBreakdown:
    """One VAT breakdown (BG-23)."""

    category: str  # BT-118
    rate: Decimal | None  # BT-119 (absent for some exempt categories)
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117


@dataclass
class Line:
    """One invoice line (BG-25)."""

    number: str  # BT-126
    name: str = ""  # BT-153
    product_ref: str = ""  # BT-155 seller's item id, else BT-157 standard id
    quantity: Decimal = Decimal(0)  # BT-129
    unit_code: str = ""  # BT-130
    unit_price: Decimal = Decimal(0)  # BT-146 net price
    net_amount: Decimal = Decimal(0)  # BT-131
    vat_rate: Decimal | None = None  # BT-152
    vat_category: str = ""  # BT-151


@dataclass
class Attachment:
    """A document carried with the invoice: the original (type 01) or a
    supporting document (BG-24, type 02)."""

    name: str
    mime_type: str
    content: bytes
    kind: str = "02"  # Chorus Pro TypePJ: 01 invoice, 02 supporting document
    description: str = ""  # BT-123
    reference: str = ""  # BT-122


@dataclass
class Invoice:
    """The canonical invoice every reader fills, whatever the syntax."""

    syntax: Syntax
    number: str  # BT-1
    type_code: str  # BT-3 (UNCL 1001)
    issue_date: date | None  # BT-2
    currency: str  # BT-5
    supplier: Party  # BG-4
    buyer: Party  # BG-7
    total_without_vat: Decimal | None  # BT-109
    total_with_vat: Decimal | None  # BT-112
    amount_due: Decimal | None  # BT-115
    total_vat: Decimal | None = None  # BT-110
    profile: str = ""  # BT-24 specification identifier
    process: str = ""  # BT-23 business process (carries the Chorus Pro billing frame)
    service_code: str = ""  # BT-10 buyer reference = Chorus Pro code service
    engagement: str = ""  # BT-13 purchase order reference = numéro d'engagement
    contract: str = ""  # BT-12 contract reference = numéro de marché
    preceding_invoice: str = ""  # BT-25
    delivery_date: date | None = None  # BT-72
    due_date: date | None = None  # BT-9
    payment_means: str = ""  # BT-81 (UNCL 4461)
    vat_breakdown: list[VatBreakdown] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        return self.issue_date.year if self.issue_date else None


@dataclass
class Document:
    """One document inside a flow: the flow itself, or one member of a lot."""

    name: str
    content: bytes
    syntax: Syntax
    detail: str = ""  # what detection saw (root element, profile, reason)


@dataclass
class Output:
    """Bytes the pipeline wants written to a partner's mailbox."""

    mailbox: str
    name: str
    content: bytes
    kind: str  # pivot | flow-status | invoice-status


@dataclass
class Verdict:
    """What facteur decided about one invoice of a flow.

    `rule_set` and `rule_set_version` name the rule set that judged the
    document (`validation.rulesets`): an official one for XML and Factur-X data
    (for a Factur-X PDF, the container rules with it: `FACTURX-PDF+FACTURX-EN16931`),
    the recognition patterns for a plain PDF (FACTEUR-PDF-RECONNAISSANCE), the
    mapping for a proprietary file; invoices of one flow may be judged by
    different ones. Empty only for a document refused before one was chosen:
    empty, unreadable (unsafe XML, a PDF that cannot be opened), of no kind
    facteur knows, Factur-X data of no known format or profile, a plain PDF
    with no text, a lot inside a lot, a status file in a lot.
    """

    document: str
    syntax: Syntax
    findings: list[Finding] = field(default_factory=list)
    invoice: Invoice | None = None
    original: Attachment | None = None  # the document as the pivot attaches it (PJ 01)
    recipient_mailbox: str = ""
    service_name: str = ""
    rule_set: str = ""
    rule_set_version: str = ""

    @property
    def accepted(self) -> bool:
        return self.invoice is not None and not any(f.blocking for f in self.findings)


@dataclass
class Outcome:
    """Everything decided about one flow; the runner writes it, then commits it."""

    flow_id: str
    sender: str
    status: FlowStatus
    verdicts: list[Verdict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # flow-level (lot, format)
    outputs: list[Output] = field(default_factory=list)
    rules_version: str = ""
    statuses: "StatusMessage | None" = None  # a recipient's status file, read (HELD)
    changes: list["StatusChange"] = field(default_factory=list)  # lifecycle steps to record
    same_as: str = ""  # a replay judged as this earlier attempt was: its report to the sender is not sent again


@dataclass(frozen=True)
class StatusEntry:
    """One status a recipient sent: flow level (92, 94, 95 about a delivery) or
    invoice level (04 to 12 about one invoice)."""

    position: str  # where it sits in the file, for messages
    code: str  # IdStatut
    at: datetime  # Horodatage: when the recipient produced it (it can start the DGP)
    comment: str = ""  # Commentaire
    flow_ref: str = ""  # IdFlux: the delivery acknowledged (flow level)
    supplier: str = ""  # Fournisseur/Identifiant (invoice level)
    number: str = ""  # IdFacture
    issue_date: date | None = None  # DateFacture

    @property
    def flow_level(self) -> bool:
        return bool(self.flow_ref)


@dataclass(frozen=True)
class StatusMessage:
    """A CPPStatut file sent by a recipient, as read."""

    emitter: str  # Enveloppe Emetteur/Id
    entries: list[StatusEntry]


@dataclass(frozen=True)
class StatusChange:
    """One lifecycle step of one delivered invoice, to record in the ledger.

    `code` is an invoice status (03 to 12), which becomes the invoice's state, or
    a delivery error (94, 95), which is recorded without changing it. A DGP
    start, when given, is written once and never changed.
    """

    flow_id: str  # the flow that delivered the invoice
    index: int  # the invoice's place in that flow
    code: str
    at: datetime
    note: str
    dgp_start: datetime | None = None
    dgp_rule: str = ""
