"""`/metrics`, `/healthz` and `/readyz`: what Prometheus, a load balancer or an
orchestrator asks of a running facteur.

`routes(config)` returns them as Starlette routes, for the console's
application to mount beside its pages (which `facteur serve` serves, and
`facteur run` too when `[web] enabled = true`: `server.start`); `app(config)`
is the minimal application of them alone.

- `/healthz` answers 200 as long as the process answers: nothing is checked.
- `/readyz` answers 200 when the engine can take flows (the ledger and the
  broker, when one is configured, reached; the rule sets loaded; room on the
  disk), 503 otherwise, with each check in JSON and in French
  (`engine/operations/doctor.py`'s `ready`, over the probes of `facteur
  doctor`).
- `/metrics` is Prometheus's text format: the ledger's counts measured at
  scrape time and the stage durations of this process (`adapters/metrics.py`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, ProcessCollector, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from facteur.adapters import wiring
from facteur.adapters.metrics import STAGE_SECONDS, LedgerCollector
from facteur.adapters.probes import Installation
from facteur.engine import operations
from facteur.engine.config import Config
from facteur.engine.errors import RulesUnavailable, Unavailable
from facteur.engine.messages import say

# The one thread that loads rule sets for /readyz in this process: compiled
# schematrons belong to the thread that compiled them, so every application
# made in the process after the first finds them compiled already.
LOADER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="facteur-rules")


class Observatory:
    """What the three routes read: a hub of the configuration (its ledger
    opened at the first scrape, and again after a failure), the probes of
    `facteur doctor`, and a registry of this process's metrics."""

    def __init__(self, config: Config):
        self.hub = wiring.Wired(config)
        self.probes = _Ready(Installation.of(config, wiring.amqp_settings))
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(LedgerCollector(lambda: operations.measure(self.hub)))
        self.registry.register(STAGE_SECONDS)
        ProcessCollector(registry=self.registry)

    def metrics(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

    def readyz(self, request: Request) -> JSONResponse:
        diagnosis = operations.ready(self.probes)
        checks = [{"name": c.name, "state": c.state, "detail": c.detail} for c in diagnosis.checks]
        return JSONResponse({"ready": diagnosis.passed, "checks": checks}, status_code=200 if diagnosis.passed else 503)


class _Ready:
    """The probes of `facteur doctor`, but the rule sets are loaded once, in
    a thread of their own from the start: they do not change under a running
    engine, and loading them takes seconds, longer than a probe waits. Until
    they are loaded, the engine is not ready. They are loaded on `LOADER`, so
    that another application of the same process compiles nothing again."""

    def __init__(self, installation: Installation):
        self.installation = installation
        self.loaded = self.failed = ""
        LOADER.submit(self._load)

    def _load(self) -> None:
        try:
            self.loaded = self.installation.rule_sets()
        except Unavailable as err:
            self.failed = str(err)

    def ledger(self) -> str:
        return self.installation.ledger()

    def broker(self) -> str | None:
        return self.installation.broker()

    def free_bytes(self) -> tuple[str, int]:
        return self.installation.free_bytes()

    def rule_sets(self) -> str:
        if self.loaded:
            return self.loaded
        if self.failed:
            raise RulesUnavailable(self.failed)
        raise RulesUnavailable(say("readyz-rules-loading"))


def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def routes(config: Config) -> list[BaseRoute]:
    observatory = Observatory(config)
    return [
        Route("/metrics", observatory.metrics),
        Route("/healthz", healthz),
        Route("/readyz", observatory.readyz),
    ]


def app(config: Config) -> Starlette:
    return Starlette(routes=routes(config))
