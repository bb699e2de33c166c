"""The use cases of facteur, as plain functions with typed results: what any
face (the CLI, a web console) offers its users. A face builds a `Hub` through
the composition root (`adapters/wiring.py`), calls these, and renders what
they return; the rules stay here and in the stages they call.

Errors a user can cause are `InvalidRequest` (what was asked names nothing, or
cannot be asked so) and `NotAllowed` (where the hub stands forbids it).
"""

from facteur.engine.errors import InvalidRequest, NotAllowed
from facteur.engine.operations.dates import day
from facteur.engine.operations.directory import (
    DirectoryStats,
    Entry,
    Found,
    Imported,
    VersionLine,
    import_files,
    search,
    show,
    stats,
)
from facteur.engine.operations.doctor import Check, Diagnosis, Probes, diagnose
from facteur.engine.operations.flows import FlowFilter, list_flows, show_flow
from facteur.engine.operations.hub import Hub
from facteur.engine.operations.lifecycle import (
    Collected,
    Delay,
    Disputed,
    Handed,
    PaymentDelays,
    collect,
    dispute,
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
    "collect", "recipient_structure", "Collected", "Handed", "dispute", "Disputed", "payment_delays",
    "PaymentDelays", "Delay",
    # the national directory
    "import_files", "Imported", "show", "Entry", "VersionLine", "search", "Found", "stats", "DirectoryStats",
    # whether the installation can run
    "diagnose", "Probes", "Diagnosis", "Check",
]
