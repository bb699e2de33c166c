"""The flows waiting for a pool's worker processes, each worker served first
with flows of the kind it judged last.

Saxon runs a stylesheet about a quarter slower when the worker ran another
one just before: UBL and CII invoices taken in turn cost 2.5-2.9 ms of rule
transform each, the same invoices grouped by syntax 1.85-2.3 ms, and even two
compiled copies of one stylesheet taken in turn cost a fifth more than one
(what each keeps warm in the CPU's caches is lost to the other). So a worker
takes the oldest flow, unless one of the next few is of the kind of the flow
it judged last: with mixed traffic, each worker keeps mostly to one syntax.
No flow is passed over more than `PASSED_OVER` times, so none waits for long,
and the end of the line (None, a worker's signal to stop) is never passed.

The kind is read off the first bytes, as cheaply as it must be on the
engine's thread: a PDF, or the local name of an XML document's root element
(Invoice, CreditNote, CrossIndustryInvoice...). A wrong guess costs only
what the worker would have lost anyway.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from itertools import islice

LOOK_AHEAD = 4  # the oldest and the three behind it
PASSED_OVER = 2  # times a flow may be left for a younger one
EMPTY = object()  # `get` without waiting found nothing

_HEAD = 4096
_ROOT = re.compile(rb"<(?![?!/])(?:[\w.-]+:)?([\w.-]+)")


def kind(content: bytes) -> bytes:
    head = content[:_HEAD]
    if head.lstrip().startswith(b"%PDF"):
        return b"%PDF"
    root = _ROOT.search(head)
    return root.group(1) if root else b""


class WaitingLine:
    """Items are (flow, future) pairs, or None; `get` hands them out."""

    def __init__(self) -> None:
        self._entries: deque[list] = deque()  # [item, its kind, times passed over]
        self._changed = threading.Condition()

    def put(self, item) -> None:
        entry = [item, None if item is None else kind(item[0].content), 0]
        with self._changed:
            self._entries.append(entry)
            self._changed.notify()

    def get(self, prefer: bytes | None, wait: bool):
        """The next item for a worker that last judged a flow of kind `prefer`
        (None: no preference, the oldest); waited for when `wait`, else
        EMPTY when there is none now."""
        with self._changed:
            while not self._entries:
                if not wait:
                    return EMPTY
                self._changed.wait()
            chosen = self._choose(prefer)
            for passed in islice(self._entries, chosen):
                passed[2] += 1
            item = self._entries[chosen][0]
            del self._entries[chosen]
            return item

    def _choose(self, prefer: bytes | None) -> int:
        """The first of the next few of kind `prefer`, if every one before it
        may be passed over; else the oldest."""
        if prefer is None:
            return 0
        for index, (item, its_kind, passed) in enumerate(islice(self._entries, LOOK_AHEAD)):
            if item is None:
                return 0
            if its_kind == prefer:
                return index
            if passed >= PASSED_OVER:
                return 0
        return 0
