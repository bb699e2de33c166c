"""The engine's exceptions, in one place, in three families a caller can tell apart.

- `InputError`: what a partner sent is at fault. The flow is judged and
  rejected with the reason; nothing waits or is retried.
- `SetupError`: a file an operator wrote (configuration, directory, mapping)
  is wrong. The message names the file and the key; facteur does not start.
- `Unavailable`: something facteur needs cannot be used now (the ledger, the
  rule sets). The flow is not judged: it waits and is taken again.

The rest (`LedgerReplaced`, `Busy`, `Refused`) say how the work must go on and
are documented one by one. Every class also keeps the built-in base it had
(ValueError, RuntimeError), so that callers catching those still do.
"""

from __future__ import annotations

from datetime import timedelta

from facteur.engine.messages import Message
from facteur.engine.model import Finding, Severity


class FacteurError(Exception):
    """Any error facteur raises on purpose."""


class InputError(FacteurError, ValueError):
    """What a partner sent cannot be accepted; the message says why."""


class SetupError(FacteurError, ValueError):
    """A file an operator wrote is wrong; the message names the file and the key."""


class Unavailable(FacteurError, RuntimeError):
    """Something facteur needs cannot be used now: wait and try again."""


class Refusal(InputError):
    """A stage refusing its input outright; `finding` says why, for the report
    (`message` a text, or a `Message` of the catalogue the finding keeps)."""

    def __init__(self, code: str, message: str | Message, location: str = "", layer: str = ""):
        super().__init__(message)
        self.finding = Finding(code, Severity.BLOCKING, message, location, layer)


class UnsafeXml(Refusal):
    """Raised by `inputs.parse` when the bytes cannot be parsed safely (too large,
    too deep, entities, not well-formed)."""


class LotRefused(Refusal):
    """Raised by `inputs.lots` when the whole lot is refused (too many members, a
    bomb, an unsafe member name)."""


class PdfRefused(Refusal):
    """Raised by `inputs.pdf` when the PDF cannot be read safely (encrypted,
    malformed, too slow to open)."""


class MappingRefused(Refusal):
    """Raised by `inputs.mappings` when a file recognised as a proprietary format
    holds a value its mapping cannot read."""


class Unrecognised(Refusal):
    """Raised by `inputs.recognise` when mandatory header or footer data cannot be
    found in a plain PDF."""


class StatusRefused(InputError):
    """Raised by `inputs.status_reader` when a recipient's status file breaks its
    schema; `findings` holds one finding per violation."""

    def __init__(self, findings: list[Finding]):
        super().__init__("; ".join(f.message for f in findings))
        self.findings = findings


class ExtractionError(InputError):
    """Raised by `extraction` when data is present but cannot be read: `message`
    says what (a `Message`), `location` is an XPath to it."""

    def __init__(self, message: Message, location: str):
        super().__init__(message)
        self.message = message
        self.location = location


class ConfigError(SetupError):
    """Raised when the configuration is wrong; the message names the file and the key."""


class DirectoryError(SetupError):
    """Raised when the directory file is wrong; the message names the file and the entry."""


class DirectoryFileInvalid(DirectoryError):
    """A file of the national directory the official schema refuses: nothing of
    it is applied; `faults` lists the schema's faults with their line numbers."""

    def __init__(self, message: str | Message, faults: tuple[str | Message, ...]):
        super().__init__(message)
        self.faults = faults


class MappingError(SetupError):
    """Raised when a mapping (recognition patterns, a proprietary format) is wrong;
    the message names the file and the key."""


class LedgerUnavailable(Unavailable):
    """The ledger cannot be written now (locked, disk full, server away): the
    flow must wait and be retried, not be judged."""


class LedgerTooNew(LedgerUnavailable):
    """The ledger was written by a newer facteur: waiting will not help."""


class RulesUnavailable(Unavailable):
    """A rule set (XSD, schematron) could not be loaded or run: the document is
    not judged by rules that did not run."""


class LedgerReplaced(FacteurError, RuntimeError):
    """The ledger file was deleted or replaced under the engine: what it would
    commit now goes where no later start will read it, so the engine stops
    taking flows (those in flight stay held by their source) until an operator
    puts the right file back. Not transient: waiting will not bring it back."""


class FlowAbandoned(FacteurError, RuntimeError):
    """A flow the pipeline kept failing on, whose rejection could not even be
    committed: nothing was decided for it, and a command that processes files
    once ends on it (a service leaves it to its source's quarantine)."""


class Busy(FacteurError):
    """Another process works on this flow (a copy of it, from any door), or
    judges statuses of an invoice this status file changes. Not a failure of
    the flow: it waits its turn and is taken again, then found committed (a
    repeat) or judged against what the other one committed."""

    def __init__(self, flow_id: str, holder: str):
        super().__init__(f"flow {flow_id} waits for {holder}")
        self.flow_id = flow_id
        self.holder = holder


class Refused(FacteurError):
    """The broker refused one outgoing message (no queue bound for its partner,
    a full queue): it waits `retry_in`, and the other messages go on."""

    def __init__(self, reason: str, retry_in: timedelta):
        super().__init__(reason)
        self.retry_in = retry_in


class InvalidRequest(FacteurError, ValueError):
    """What was asked names nothing that exists, or cannot be asked that way;
    the message says what to give instead (a face's usage error)."""


class NotAllowed(FacteurError):
    """The request is understood, but where the hub stands forbids it (an
    invoice whose payment delay has started already, say)."""


class Forbidden(NotAllowed):
    """The user is known, but its role does not allow what it asked (a viewer
    replaying a flow, an operator managing users)."""
