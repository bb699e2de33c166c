"""`facteur process` on a folder, as a person runs it: the command itself,
timed from start to exit on a fresh root, imports and rule compiles included.

    python bench/process_folder.py [--count 400] [--lines 1-20] [--seed 7] [--runs 3]

Generates N distinct invoices (UBL and CII alternately, line counts drawn from
the range) into one folder, then runs `facteur process FOLDER --sender DEMO01`
`--runs` times, each on a new root (full EN 16931 validation, durable writes),
and prints invoices/s for each run with the load average before it. Also
times the one-shot: the same command on one invoice. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.throughput import corpus, environment  # noqa: E402

FACTEUR = Path(sys.executable).parent / "facteur"


def timed_process(paths: list[Path], root: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(FACTEUR), "process", *map(str, paths), "--sender", "DEMO01", "--root", str(root),
                           "--json"], capture_output=True, env={**os.environ, "FACTEUR_LOG_LEVEL": "warning"})
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr.decode())
    return elapsed


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--lines", default="1-20")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    low, high = (int(x) for x in args.lines.split("-"))
    print(f"machine: {environment()}")
    with tempfile.TemporaryDirectory(prefix="facteur-bench-") as tmp:
        folder = Path(tmp) / "drop"
        folder.mkdir()
        for name, content, _ in corpus(args.count, (low, high), args.seed):
            (folder / name).write_bytes(content)
        one = sorted(folder.iterdir())[0]
        for run in range(args.runs):
            before = load()
            elapsed = timed_process([one], Path(tmp) / f"one-{run}")
            print(f"one invoice:        {elapsed:6.2f} s                 (load before: {before})")
        for run in range(args.runs):
            before = load()
            elapsed = timed_process([folder], Path(tmp) / f"folder-{run}")
            print(f"folder of {args.count}: {elapsed:6.2f} s  {args.count / elapsed:7.1f} invoices/s  "
                  f"(load before: {before})")


if __name__ == "__main__":
    main()
