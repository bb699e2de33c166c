"""Structured logs: structlog events, JSON when stderr is not a terminal (so a
log collector gets one object per line), readable columns when it is.

Level from FACTEUR_LOG_LEVEL (default: info, or warning under a progress bar).
"""

from __future__ import annotations

import logging
import os
import sys

import structlog


class _CurrentStderr:
    """Whatever sys.stderr is when an event is written, not when logging was
    configured: a stream swapped and closed since (a test harness, a daemon
    redirecting its output) must not make a log call raise in a worker thread."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure(default_level: str = "info") -> None:
    level_name = os.environ.get("FACTEUR_LOG_LEVEL", default_level).upper()
    level = getattr(logging, level_name, logging.INFO)
    renderer = (
        structlog.dev.ConsoleRenderer(colors=False)
        if sys.stderr.isatty()
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),
        cache_logger_on_first_use=False,
    )


def get(name: str = "facteur"):
    return structlog.get_logger(name)
