"""Structured logs: structlog events, JSON when stderr is not a terminal (so a
log collector gets one object per line), readable columns when it is.

Level from FACTEUR_LOG_LEVEL (default: info, or warning under a progress bar).
"""

from __future__ import annotations

import logging
import os
import sys
from collections import deque
from typing import Callable

import structlog


class _CurrentStderr:
    """Whatever sys.stderr is when an event is written, not when logging was
    configured: a stream swapped and closed since (a test harness, a daemon
    redirecting its output) must not make a log call raise in a worker thread.

    Nor may a stream that refuses the write: standard error redirected to a
    file on a full disk would otherwise end the engine, with nothing said, at
    its first log line. Refused lines are held (the latest HELD of them) and
    written once the stream takes writes again, followed by a line saying so
    (`notice` renders it like any event), so that an engine that waited for
    its disk says afterwards why it waited."""

    def __init__(self, notice: Callable[[dict], str]):
        self.notice = notice
        self.line: list[str] = []
        self.held: deque[str] = deque(maxlen=HELD)
        self.refused = 0

    def write(self, text: str) -> int:
        self.line.append(text)
        return len(text)

    def flush(self) -> None:
        """One event's line, after whatever was held back."""
        line, self.line = "".join(self.line), []
        try:
            if self.held:
                notice = self.notice({"event": HELD_BACK, "older_lines_lost": self.refused - len(self.held)})
                sys.stderr.write("".join(self.held) + notice + "\n")
                self.held.clear()
                self.refused = 0
            sys.stderr.write(line)
            sys.stderr.flush()
        except (OSError, ValueError):  # a full disk; a stream closed under us
            self.held.append(line)
            self.refused += 1


HELD = 200  # lines kept while standard error refuses them
HELD_BACK = "standard error refused the log lines above when they happened"


def configure(default_level: str = "info") -> None:
    level_name = os.environ.get("FACTEUR_LOG_LEVEL", default_level).upper()
    level = getattr(logging, level_name, logging.INFO)
    renderer = (
        structlog.dev.ConsoleRenderer(colors=False)
        if sys.stderr.isatty()
        else structlog.processors.JSONRenderer()
    )
    stamp = structlog.processors.TimeStamper(fmt="iso", utc=True)

    def notice(fields: dict) -> str:
        return renderer(None, "warning", stamp(None, "warning", {**fields, "level": "warning"}))

    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            stamp,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr(notice)),
        cache_logger_on_first_use=False,
    )


def get(name: str = "facteur"):
    return structlog.get_logger(name)
