"""`facteur directory import|show|search|stats`: the national directory kept
in the ledger's database, rendered in French, or as --json."""

from __future__ import annotations

from dataclasses import asdict

from facteur.adapters import wiring
from facteur.adapters.cli.common import EXIT_BLOCKED, EXIT_OK, emit, typed_day
from facteur.engine import operations
from facteur.engine.config import Config
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
        generation = f", génération {d.generation}" if d.generation is not None else ""
        print(f"{d.source} ({d.kind}, effet au {d.day}) : {d.outcome}{generation} — {d.added} ajoutée(s), "
              f"{d.modified} modifiée(s), {d.unchanged} inchangée(s), {len(d.refused)} refusée(s)")
        for refused in d.refused[:SHOWN_REFUSED]:
            print(f"  ligne {refused.line} : {said(refused.reason, args.lang)}")
        if len(d.refused) > SHOWN_REFUSED:
            print(f"  … et {len(d.refused) - SHOWN_REFUSED} autres (--json les donne toutes)")
    return EXIT_BLOCKED if any(d.error for d in done) else EXIT_OK


def _show(args, config: Config) -> int:
    with wiring.hub(config) as hub:
        entry = operations.show(hub, args.identifier, typed_day(args.on))
    if args.json:
        emit(asdict(entry))
        return EXIT_OK
    print(f"{entry.label} {entry.key} — {entry.name or '(sans nom)'} : {entry.status} le {entry.on}")
    print("versions :")
    for v in entry.versions:
        days = f"du {v.valid_from or 'début'} au {v.valid_to or '…'}"
        state = "actif" if v.active else ("masquage" if entry.kind == "ligne" else "inactif")
        details = ", ".join(f"{k}={value}" for k, value in sorted(v.data.items()))
        print(f"  {days:30} {state:9} {v.status:10} {v.name}  {details}  [{v.source}:{v.line}]")
    if entry.beneath:
        print("rattachés :")
        for f in entry.beneath:
            print(f"  {f.label:24} {f.key:40} {f.status:10} {f.name}")
    return EXIT_OK


def _search(args, config: Config) -> int:
    with wiring.hub(config) as hub:
        found = operations.search(hub, args.text, args.limit)
    if args.json:
        emit([asdict(f) for f in found])
        return EXIT_OK
    if not found:
        print(f"aucune ligne de l'annuaire ne correspond à « {args.text} »")
    for f in found:
        print(f"{f.label:24} {f.key:40} {f.status:10} {f.name}")
    return EXIT_OK


def _stats(args, config: Config) -> int:
    with wiring.hub(config) as hub:
        figures = operations.stats(hub)
    if args.json:
        emit(asdict(figures))
        return EXIT_OK
    print(f"annuaire national, génération {figures.generation}, au {figures.on} :")
    for label, counts in figures.kinds.items():
        print(f"  {label:24} {counts['lignes']:>9} lignes, {counts['versions']:>9} versions, "
              f"{counts['actives']:>9} actives, {counts['à venir']:>7} à venir")
    if not figures.kinds:
        print("  vide : importez un extrait F14 avec « facteur directory import FICHIER »")
    for row in figures.imports:
        print(f"  import {row['generation']} le {row['imported_at'][:19]} : {row['source']} ({row['kind']}) — "
              f"{row['added']} ajoutée(s), {row['modified']} modifiée(s), {row['refused']} refusée(s)")
    return EXIT_OK
