"""Prometheus metrics: the ledger's counts at scrape time, and the durations
of the stages this process ran.

Two kinds, for one consistent view however many processes work:

- Counts (flows and invoices by status, findings by code, what waits, the
  payment delays overdue, the broker's queue and dead letters) are not kept
  in any process: `LedgerCollector` measures the ledger, the single source of
  truth, each time it is scraped (`engine/operations/measures.py`). The pool
  of `facteur run`, several `facteur worker`s, a restarted process: whichever
  answers, the figures are the same, and none is lost. This is why
  prometheus-client's multiprocess mode (files of counters per process
  id, summed at scrape) is not used for them: it would count what each
  process did since it started, not what the hub holds.
- Stage durations (`facteur_stage_seconds`, a histogram) are measured where
  they happen, in the process that serves `/metrics`: the coordinator of
  `facteur run` times its own steps (`ObservedRunner`), and each worker
  process sends, with its answer, how long its judgement took (`WorkerPool`'s
  `observe`), so the worker processes need no metrics of their own and no
  multiprocess mode either (`facteur worker`s, which serve no HTTP, are
  seen through the counts, which any process serving `/metrics` measures).

The engine imports none of this: the runner is subclassed and the pipeline
wrapped here, around the engine's code.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Iterable, TypeVar

from prometheus_client import Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from facteur.engine.operations.measures import Measures
from facteur.engine.runtime.runner import Runner

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
PREPARE, PIPELINE, FINISH = "prepare", "pipeline", "finish"

# Registered by each registry that shows it (`adapters/web/observability.py`), not in the global one.
STAGE_SECONDS = Histogram(
    "facteur_stage_seconds",
    "Durée des étapes du traitement : prepare (archivage et début au registre, par groupe de flux), "
    "pipeline (un flux, dans un processus de travail), finish (sorties écrites et validation au registre, par groupe)",
    ["stage"], buckets=BUCKETS, registry=None,
)
for _stage in (PREPARE, PIPELINE, FINISH):
    STAGE_SECONDS.labels(_stage)  # shown from the start, at zero, so that a rate over them is defined

T = TypeVar("T")


def timed(stage: str, work: Callable[..., T]) -> Callable[..., T]:
    """`work`, its duration observed as `stage` each time it returns or raises."""

    def measured(*args, **kwargs) -> T:
        started = time.perf_counter()
        try:
            return work(*args, **kwargs)
        finally:
            STAGE_SECONDS.labels(stage).observe(time.perf_counter() - started)

    return measured


class ObservedRunner(Runner):
    """The runner, its two steps around the pipeline timed: `prepare_all`
    (archive the originals, begin them in the ledger) and `finish_all`
    (claims, outputs written, the commit)."""

    def prepare_all(self, flows):
        return timed(PREPARE, super().prepare_all)(flows)

    def finish_all(self, settled):
        return timed(FINISH, super().finish_all)(settled)


class LedgerCollector(Collector):
    """The hub's counts as Prometheus gauges, measured at each scrape by
    `measure` (the operation over a hub); one scrape at a time. A ledger
    that cannot be reached shows as `facteur_ledger_up 0`, without counts;
    a broker, as `facteur_broker_up 0`."""

    def __init__(self, measure: Callable[[], Measures]):
        self.measure = measure
        self.lock = threading.Lock()

    def describe(self) -> Iterable:
        return []  # measured at scrape time only: registering reads no ledger

    def collect(self) -> Iterable:
        with self.lock:
            measures = self.measure()
        yield _gauge("facteur_ledger_up", "1 si le registre répond, 0 sinon", 0 if measures.ledger_error else 1)
        if not measures.ledger_error:
            yield from _counts(measures)
            yield from _waiting(measures)
        yield from _broker(measures)


def _counts(measures: Measures) -> Iterable[GaugeMetricFamily]:
    totals = measures.totals
    flows = GaugeMetricFamily("facteur_flows", "Flux au registre, par statut (90, 93, 96, held, pending)",
                              labels=["status"])
    for status, count in sorted(totals.flows.items()):
        flows.add_metric([status], count)
    invoices = GaugeMetricFamily(
        "facteur_invoices", "Factures au registre, par syntaxe et statut (02 à 12, ou rejected)",
        labels=["syntax", "status"])
    for (syntax, status), count in sorted(totals.invoices.items()):
        invoices.add_metric([syntax, status], count)
    findings = GaugeMetricFamily("facteur_findings", "Anomalies au registre, par code et gravité",
                                 labels=["code", "severity"])
    for (code, severity), count in sorted(totals.findings.items()):
        findings.add_metric([code, severity], count)
    return [flows, invoices, findings]


def _waiting(measures: Measures) -> Iterable[GaugeMetricFamily]:
    backlog = measures.backlog
    oldest = (measures.at - backlog.oldest_pending).total_seconds() if backlog.oldest_pending else 0
    retrying = GaugeMetricFamily("facteur_retrying",
                                 "Ce qui est réessayé : flux commencés non validés, messages de la file sortante "
                                 "déjà manqués", labels=["what"])
    retrying.add_metric(["flow"], backlog.pending)
    retrying.add_metric(["message"], backlog.messages_retried)
    return [
        retrying,
        _gauge("facteur_pending_oldest_seconds", "Âge du plus ancien flux en attente (0 sans flux en attente)", oldest),
        _gauge("facteur_outbox_messages", "Messages de la file sortante pas encore publiés", backlog.messages),
        _gauge("facteur_payment_delays_overdue", "Factures dont le délai global de paiement est dépassé",
               measures.overdue.invoices),
    ]


def _broker(measures: Measures) -> Iterable[GaugeMetricFamily]:
    if measures.queue is None and not measures.broker_error:
        return []  # no broker configured
    up = [_gauge("facteur_broker_up", "1 si le courtier AMQP répond, 0 sinon", 0 if measures.broker_error else 1)]
    if measures.queue is None:
        return up
    return up + [
        _gauge("facteur_queue_depth", "Messages en attente dans la file entrante", measures.queue.depth),
        _gauge("facteur_dead_letters", "Messages dans la file des lettres mortes", measures.queue.dead_letters),
    ]


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
