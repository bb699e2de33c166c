"""`facteur doctor`: the checks of `engine/operations/doctor.py` over the
installation the configuration names, one line each; exit 0 when every check
passes (a warning passes), 1 otherwise."""

from __future__ import annotations

from dataclasses import asdict

from facteur.adapters import wiring
from facteur.adapters.cli.common import EXIT_BLOCKED, EXIT_OK, emit
from facteur.engine.messages import text
from facteur.engine.operations import doctor

LABELS = {doctor.OK: "doctor-ok", doctor.WARNING: "doctor-warning", doctor.FAILED: "doctor-failed"}  # catalogue keys


def register(commands, common, lang: str) -> None:
    parser = commands.add_parser(
        "doctor", parents=[common],
        help=text("help-doctor", lang),
    )
    parser.set_defaults(handler=_doctor, configured=False)


def _doctor(args, config: None) -> int:
    lang = args.lang
    diagnosis = doctor.diagnose(wiring.doctor_probes(args.config, args.root), lang=lang)
    if args.json:
        emit({"passed": diagnosis.passed, "checks": [asdict(check) for check in diagnosis.checks]})
    else:
        for check in diagnosis.checks:
            print(text("doctor-line", lang, name=f"{check.name:<21}", state=text(LABELS[check.state], lang),
                       detail=check.detail))
        failed = sum(check.state == doctor.FAILED for check in diagnosis.checks)
        print(text("doctor-ready", lang) if diagnosis.passed else text("doctor-summary", lang, n=failed))
    return EXIT_OK if diagnosis.passed else EXIT_BLOCKED
