"""`facteur directory import|show|search|stats`: the national directory kept
in the ledger's database, rendered in the chosen language (French by default), or as --json."""

from __future__ import annotations

from dataclasses import asdict

from facteur.adapters import wiring
from facteur.adapters.cli.common import EXIT_BLOCKED, EXIT_OK, emit, typed_day
from facteur.engine import operations
from facteur.engine.config import Config
from facteur.engine.hub import annuaire
from facteur.engine.messages import said, text

SHOWN_REFUSED = 50  # refused records printed per file; --json gives them all


def register(commands, common, lang: str) -> None:
    directory = commands.add_parser("directory", help=text("help-directory", lang))
    actions = directory.add_subparsers(dest="directory_command", metavar="ACTION", required=True)
    importing = actions.add_parser("import", parents=[common], help=text("help-directory-import", lang))
    importing.add_argument("paths", nargs="+", metavar="FILE")
    importing.set_defaults(handler=_import)
    show = actions.add_parser("show", parents=[common], help=text("help-directory-show", lang))
    show.add_argument("identifier", metavar="ID", help=text("help-directory-id", lang))
    show.add_argument("--on", help=text("help-directory-on", lang, days=text("help-days", lang)))
    show.set_defaults(handler=_show)
    search = actions.add_parser("search", parents=[common], help=text("help-directory-search", lang))
    search.add_argument("text", metavar="TEXT")
    search.add_argument("--limit", type=int, default=50)
    search.set_defaults(handler=_search)
    stats = actions.add_parser("stats", parents=[common], help=text("help-directory-stats", lang))
    stats.set_defaults(handler=_stats)


def _import(args, config: Config) -> int:
    with wiring.hub(config, create_ledger=True) as hub:
        done = operations.import_files(hub, args.paths)
    if args.json:
        emit([asdict(d) | {"outcome": d.outcome, "error": said(d.error, args.lang),
                           "faults": [said(f, args.lang) for f in d.faults],
                           "refused": [{"line": r.line, "reason": said(r.reason, args.lang)} for r in d.refused]}
              for d in done])
    for d in done if not args.json else ():
        if d.error:
            print(said(d.error, args.lang))  # it names the file
            for fault in d.faults:
                print(f"  {said(fault, args.lang)}")
            continue
        outcome = text("directory-outcome", args.lang, outcome=d.outcome)
        print(text("directory-imported", args.lang, source=d.source, kind=d.kind, day=d.day, outcome=outcome,
                   generation="none" if d.generation is None else d.generation, added=d.added, modified=d.modified,
                   unchanged=d.unchanged, refused=len(d.refused)))
        for refused in d.refused[:SHOWN_REFUSED]:
            print(f"  {text('directory-refused-line', args.lang, line=refused.line, reason=refused.reason)}")
        if len(d.refused) > SHOWN_REFUSED:
            print(f"  {text('directory-refused-more', args.lang, n=len(d.refused) - SHOWN_REFUSED)}")
    return EXIT_BLOCKED if any(d.error for d in done) else EXIT_OK


def _show(args, config: Config) -> int:
    with wiring.hub(config) as hub:
        entry = operations.show(hub, args.identifier, typed_day(args.on))
    if args.json:
        emit(asdict(entry))
        return EXIT_OK
    lang = args.lang
    print(text("directory-entry", lang, kind=_kind(entry.kind, lang), key=entry.key,
               name=entry.name or text("directory-unnamed", lang), status=_status(entry.status, lang), on=entry.on))
    print(text("directory-versions", lang))
    for v in entry.versions:
        days = text("directory-days", lang, start=v.valid_from or text("directory-since-origin", lang),
                    end=v.valid_to or "…")
        state = text("directory-state", lang, state=_state(v.active, entry.kind))
        details = ", ".join(f"{k}={value}" for k, value in sorted(v.data.items()))
        print(f"  {days:30} {state:9} {_status(v.status, lang):10} {v.name}  {details}  [{v.source}:{v.line}]")
    if entry.beneath:
        print(text("directory-beneath", lang))
        for f in entry.beneath:
            print(f"  {_found(f, lang)}")
    return EXIT_OK


def _search(args, config: Config) -> int:
    with wiring.hub(config) as hub:
        found = operations.search(hub, args.text, args.limit)
    if args.json:
        emit([asdict(f) for f in found])
        return EXIT_OK
    if not found:
        print(text("directory-nothing-found", args.lang, text=args.text))
    for f in found:
        print(_found(f, args.lang))
    return EXIT_OK


def _stats(args, config: Config) -> int:
    with wiring.hub(config) as hub:
        figures = operations.stats(hub)
    if args.json:
        emit(asdict(figures))
        return EXIT_OK
    lang = args.lang
    print(text("directory-stats-head", lang, generation=figures.generation, on=figures.on))
    for kind, counts in figures.kinds.items():
        print(f"  {_kind(kind, lang):24} {text('directory-stats-kind', lang, **counts)}")
    if not figures.kinds:
        print(f"  {text('directory-stats-empty', lang)}")
    for row in figures.imports:
        said_import = text("directory-stats-import", lang, generation=row["generation"], at=row["imported_at"][:19],
                           source=row["source"], kind=row["kind"], added=row["added"], modified=row["modified"],
                           refused=row["refused"])
        print(f"  {said_import}")
    return EXIT_OK


def _found(found, lang: str) -> str:
    return f"{_kind(found.kind, lang):24} {found.key:40} {_status(found.status, lang):10} {found.name}"


def _kind(kind: str, lang: str) -> str:
    return text("directory-kind", lang, kind=kind)


def _status(status: str, lang: str) -> str:
    return text("directory-status", lang, status=status)


def _state(active: bool, kind: str) -> str:
    """A version's own state: active, or inactive (a masking line, for an addressing line)."""
    return "active" if active else ("masking" if kind == annuaire.LINE else "inactive")
