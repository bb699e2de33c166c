"""The use cases of facteur, as plain functions with typed results: what any
face (the CLI, a web console) offers its users. A face builds a `Hub` through
the composition root (`adapters/wiring.py`), calls these, and renders what
they return; the rules stay here and in the stages they call.

Errors a user can cause are `InvalidRequest` (what was asked names nothing, or
cannot be asked so) and `NotAllowed` (where the hub stands forbids it).
"""

from facteur.engine.errors import Forbidden, InvalidRequest, NotAllowed
from facteur.engine.operations.access import (
    ROLES,
    acting,
    add_user,
    audit_trail,
    change_password,
    issue_token,
    list_users,
    log_in,
    managing,
    may_act,
    remove_user,
    seeing_all,
)
from facteur.engine.operations.accounts import Accounts, AuditEntry, Session, User
from facteur.engine.operations.broker import DeadLetter, DeadLetterQueue, DeadLetters
from facteur.engine.operations.dead_letters import dead_letters, discard, requeue
from facteur.engine.operations.documents import (
    Document,
    InvoiceView,
    Resent,
    invoice_view,
    original,
    output,
    read_pivot,
    resend,
)
from facteur.engine.operations import alerts
from facteur.engine.operations.dashboard import Dashboard, Overdue, PartnerFlows, Period, dashboard
from facteur.engine.operations.dates import day
from facteur.engine.operations.directory import (
    DirectoryStats,
    Entry,
    Found,
    Imported,
    VersionLine,
    import_files,
    related_lines,
    search,
    show,
    stats,
)
from facteur.engine.operations.doctor import Check, Diagnosis, Probes, diagnose, ready
from facteur.engine.operations.flows import FlowFilter, list_flows, show_flow
from facteur.engine.operations.hub import Hub, QueueState
from facteur.engine.operations.measures import Measures, measure
from facteur.engine.operations.lifecycle import (
    Collected,
    Delay,
    Disputed,
    Handed,
    PaymentDelays,
    collect,
    dispute,
    flow_delays,
    payment_delays,
    recipient_structure,
)
from facteur.engine.operations.process import (
    Finding,
    Processed,
    Submitted,
    Validation,
    check_sender,
    process,
    validate,
)
from facteur.engine.operations.replay import Planned, Replayed, chosen, replay
from facteur.engine.runtime.records import (
    FindingLine,
    FlowDetail,
    FlowSummary,
    InvoiceLine,
    OutputLine,
    ReplayLine,
    TimelineEvent,
)
from facteur.engine.runtime.replay import Skipped
from facteur.engine.runtime.tallies import Awaiting, Backlog, CodeCount
from facteur.engine.runtime.runner import Handled

__all__ = [
    # the hub the operations are handed, and the errors they raise
    "Hub", "InvalidRequest", "NotAllowed",
    # processing and validating files
    "Submitted", "check_sender", "process", "Processed", "Handled", "validate", "Validation", "Finding",
    # looking at flows, from days as typed
    "day", "FlowFilter", "list_flows", "FlowSummary", "show_flow", "FlowDetail", "TimelineEvent", "InvoiceLine",
    "ReplayLine", "FindingLine", "OutputLine",
    # replaying them
    "chosen", "replay", "Replayed", "Planned", "Skipped",
    # the lifecycle
    "collect", "recipient_structure", "Collected", "Handed", "dispute", "Disputed", "payment_delays", "flow_delays",
    "PaymentDelays", "Delay",
    # the national directory
    "import_files", "Imported", "show", "related_lines", "Entry", "VersionLine", "search", "Found", "stats",
    "DirectoryStats",
    # whether the installation can run
    "diagnose", "ready", "Probes", "Diagnosis", "Check",
    # the hub at a glance
    "dashboard", "Dashboard", "Period", "PartnerFlows", "CodeCount", "Awaiting", "Overdue", "QueueState", "Backlog",
    # what the metrics show
    "measure", "Measures",
    # alerts: observations, episodes, and the alerts they call for
    "alerts",
    # a flow's documents, an invoice read from its pivot, a pivot sent again
    "original", "output", "Document", "invoice_view", "read_pivot", "InvoiceView", "resend", "Resent",
    # the broker's dead letters
    "dead_letters", "requeue", "discard", "DeadLetters", "DeadLetter", "DeadLetterQueue",
    # the console's users, their roles and the audit trail of their actions
    "ROLES", "User", "Session", "Accounts", "AuditEntry", "Forbidden", "add_user", "remove_user", "change_password",
    "list_users", "issue_token", "log_in", "managing", "may_act", "seeing_all", "acting", "audit_trail",
]
