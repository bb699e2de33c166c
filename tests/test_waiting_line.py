"""The pool's waiting line: a worker is served first with flows of the kind it
judged last, within a few places, and no flow is passed over for long."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

from helpers import Spec, cii, text_pdf, ubl

from facteur.adapters.waiting_line import EMPTY, PASSED_OVER, WaitingLine, kind
from facteur.engine.model import Flow

UBL, CII = kind(ubl(Spec("K-1"))), kind(cii(Spec("K-2")))


def flow(name: str, content: bytes) -> tuple[Flow, None]:
    return Flow(content, "DEMO01", name, datetime.now(timezone.utc)), None


def names(line: WaitingLine, prefer: bytes | None, count: int) -> list[str]:
    return [line.get(prefer, wait=False)[0].name for _ in range(count)]


def test_the_kind_is_the_root_element_or_a_pdf():
    assert (UBL, CII) == (b"Invoice", b"CrossIndustryInvoice")
    assert kind(b"<?xml version='1.0'?>\n<!-- a comment --><ns:CreditNote xmlns:ns='x'/>") == b"CreditNote"
    assert kind(text_pdf(["Facture"])) == b"%PDF"
    assert kind(b"") == b"" and kind(b"numero;montant\n1;2\n") == b""


def test_a_worker_takes_a_flow_of_its_kind_from_the_next_few():
    line = WaitingLine()
    for name, content in (("u1", ubl(Spec("K-3"))), ("c1", cii(Spec("K-4"))), ("u2", ubl(Spec("K-5"))),
                          ("c2", cii(Spec("K-6")))):
        line.put(flow(name, content))
    assert names(line, CII, 2) == ["c1", "c2"]
    assert names(line, UBL, 2) == ["u1", "u2"]
    assert line.get(UBL, wait=False) is EMPTY


def test_without_a_preference_or_a_flow_of_its_kind_near_the_oldest_comes_first():
    line = WaitingLine()
    for number in range(5):
        line.put(flow(f"u{number}", ubl(Spec(f"K-1{number}"))))
    line.put(flow("c", cii(Spec("K-20"))))
    assert names(line, None, 1) == ["u0"]
    assert names(line, CII, 1) == ["u1"]  # the CII invoice is five places back: beyond the look-ahead


def test_no_flow_is_passed_over_more_than_twice():
    line = WaitingLine()
    line.put(flow("old", ubl(Spec("K-30"))))
    for number in range(PASSED_OVER + 2):
        line.put(flow(f"c{number}", cii(Spec(f"K-3{number}"))))
    assert names(line, CII, PASSED_OVER + 1) == [*(f"c{n}" for n in range(PASSED_OVER)), "old"]


def test_the_end_of_the_line_is_never_passed_over():
    line = WaitingLine()
    line.put(flow("u", ubl(Spec("K-40"))))
    line.put(None)
    line.put(flow("c", cii(Spec("K-41"))))
    assert names(line, CII, 1) == ["u"]
    assert line.get(CII, wait=False) is None


def test_a_worker_waiting_is_woken_by_the_next_flow():
    line = WaitingLine()
    got = []
    waiter = threading.Thread(target=lambda: got.append(line.get(UBL, wait=True)))
    waiter.start()
    line.put(flow("c", cii(Spec("K-50"))))
    waiter.join(5)
    assert [item[0].name for item in got] == ["c"]
