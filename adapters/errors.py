"""The adapters' own exceptions: a mailbox, a worker process, the broker, folder events.

They join the engine's families (`facteur.engine.errors`): an unsafe name from
a partner is an input error, an unreachable broker is unavailable for now.
"""

from __future__ import annotations

from facteur.engine.errors import FacteurError, InputError, Unavailable


class UnsafeName(InputError):
    """Raised by `mailbox.safe_segment` when a name from a partner (a mailbox, a
    file name) cannot become one path segment as it stands."""


class WorkerDied(FacteurError):
    """The worker judging this flow alone died. Nothing else ran in it, so the
    flow's processing is the likely cause (memory or CPU time exhausted, the
    interpreter crashed); a kill from outside at that very moment cannot be
    told apart, and costs the flow one attempt of its three."""

    def __init__(self) -> None:
        super().__init__(
            "le processus qui traitait ce flux seul s'est arrêté brutalement pendant son traitement "
            "(mémoire ou temps de calcul épuisés, plantage ou arrêt forcé)"
        )


class PublishFailed(FacteurError, RuntimeError):
    """The broker did not confirm a message: nothing may be considered sent."""


class BrokerUnreachable(PublishFailed, Unavailable):
    """No connection to the broker: no message can be sent now, whichever it is."""


class NoFolderEvents(Unavailable):
    """The system tells of no change in the watched folders (inotify's limits
    reached, say): the watcher lists them at each rescan instead."""


class LoginRequired(FacteurError):
    """A page of the console asked without a session (or with one expired):
    the console sends the browser to its log-in page."""
