"""facteur as a user installs it: a wheel built from this tree, installed in a
fresh virtual environment, started in an empty folder far from the sources.
It must find its defaults, schemas and mappings inside the package and judge
the demo samples exactly as the source checkout does. Some 20 seconds, most of
them installing the dependencies (from pip's cache once it holds them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from helpers import REPO

SAMPLES = sorted(str(path) for path in (REPO / "samples").iterdir())
# The environment of a user: no configuration or ledger chosen, no path to the sources.
USER_ENV = {k: v for k, v in os.environ.items() if not k.startswith("FACTEUR_") and k != "PYTHONPATH"}


def run(command: list, cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, env=USER_ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{command}: {done.stderr}"
    return done.stdout


def outcomes(output: str) -> list[tuple]:
    """What a person reads of `facteur process --json`: per flow its name, status and codes."""
    return [
        (flow["name"], flow["status"], flow["accepted"], flow["documents"], sorted(f["code"] for f in flow["findings"]))
        for flow in json.loads(output)["flows"]
    ]


@pytest.mark.system
def test_a_built_wheel_runs_from_an_empty_folder_as_the_source_checkout_does(tmp_path):
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(wheels)], tmp_path)
    [wheel] = wheels.glob("facteur-*.whl")
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    run([venv / "bin" / "pip", "install", "-q", wheel], tmp_path)
    facteur = venv / "bin" / "facteur"
    place = tmp_path / "place"
    place.mkdir()

    assert run([facteur, "--version"], place) == f"facteur {metadata.version('facteur')}\n"
    run([facteur, "init", "."], place)
    installed = outcomes(run([facteur, "process", *SAMPLES, "--sender", "DEMO01", "--json"], place))
    source = outcomes(run(
        [sys.executable, "-m", "facteur.adapters.cli", "process", *SAMPLES, "--sender", "DEMO01", "--json",
         "--root", str(tmp_path / "source")],
        REPO,
    ))
    assert installed == source
    assert [status for _, status, *_ in installed] == ["90"] * 4 + ["93", "93", "96", "93", "90", "90"]

    where = run([venv / "bin" / "python", "-c", "import facteur.engine; print(facteur.engine.__file__)"], place)
    assert where.startswith(str(venv))
    assert len(list((place / "outbox" / "DEMO01").glob("*.flux.statut.xml"))) == len(SAMPLES)
    assert (place / "var" / "ledger.sqlite").is_file()
