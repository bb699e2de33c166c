"""What the commands of the CLI share: exit codes, the usage error, reading
the paths given, and rendering (JSON, and the lines of handled flows that
`process` and `replay` print alike)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path

from facteur.engine.messages import say, text
from facteur.engine.model import Value
from facteur.engine.operations import Handled, Processed, Submitted, day
from facteur.engine.statuses import counted
from facteur.engine.terms import values_text

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a process whose reader went away
TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp")


class UsageError(Exception):
    pass


def emit(data, ensure_ascii: bool = False) -> None:
    """`data` (records and plain values) as indented JSON on stdout; dates and
    times in ISO 8601."""
    print(json.dumps(data, indent=2, ensure_ascii=ensure_ascii, default=_iso))


def _iso(value):
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def warn(message: str) -> None:
    print(f"facteur: {message}", file=sys.stderr)


def typed_day(value: str | None) -> date | None:
    """The day an option names (`today`, `hier`, `-7d`, an ISO date), counted
    from today's local date; None when the option was not given."""
    return None if value is None else day(value, date.today())


def submitted(paths: list[str]) -> list[Submitted]:
    """The files of `files`, for the operations to read each in its turn."""
    return [Submitted(str(path), path.stat().st_size, path.read_bytes) for path in files(paths)]


def files(paths: list[str]) -> list[Path]:
    """The files named, and the files inside the folders named, in a stable order;
    hidden and temporary files (still being written) are left alone."""
    found: list[Path] = []
    for value in paths:
        path = Path(value)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and not _skipped(p))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(say("cli-no-such-path", path=value))
    return found


def _skipped(path: Path) -> bool:
    return path.name.startswith(".") or path.name.endswith(TEMPORARY_SUFFIXES)


SEVERITIES = {"blocking": "severity-blocking", "warning": "severity-warning"}  # catalogue keys

# How a handled flow's line names it: a status file's statuses applied, else the flow's verdict.
VERDICTS = {"90": "line-integrated", "96": "line-partly", "93": "line-rejected", "held": "line-held"}
APPLIED = {"90": "line-applied", "96": "line-partly-applied", "93": "line-refused"}


def print_processed(processed: Processed, as_json: bool, lang: str) -> None:
    counts = processed.counts
    if as_json:
        emit({"flows": [asdict(r) for r in processed.flows], "summary": dict(counts)})
        return
    for r in processed.flows:
        print(_line(r, lang))
        for finding in r.findings:
            if finding["severity"] == "blocking":
                print(f"    {finding['code']}: {finding['message']}")
                if finding["values"]:
                    print(f"        {values_text(tuple(Value(**v) for v in finding['values']), lang)}")
        if r.same_as:
            print("    " + text("line-not-sent-again", lang, attempt=r.same_as))
    print(text("processed-summary", lang, n=len(processed.flows), summary=counted(counts, lang)))


def _line(r: Handled, lang: str) -> str:
    key = (APPLIED if r.kind == "statuses" else VERDICTS).get(r.status)
    label = text(key, lang) if key else r.status
    if r.repeated:
        label = text("line-repeated", lang)
    return f"{r.flow_id or '-':24}  {label:21}  {r.accepted}/{r.documents}  {r.name}"
