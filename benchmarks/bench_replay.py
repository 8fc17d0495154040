"""The pull-request verdict replayed on the real histories of two sibling lists (tests/fixtures/histories/): each
commit that changed README.md is audited against its parent exactly as the Action does — a new process running
``pa-graph audit README.md --strict --since PARENT --github`` in the checkout, offline, with an empty cache — and the
verdict is judged against the lines the commit changed. Reports commits, failures, errors off the change and the
time per commit, against the time of ``pa-graph --version`` (a process's start) measured in the same run.

    python benchmarks/bench_replay.py [--markdown FILE]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from replay import clone, replay  # noqa: E402  (the helper the replay test uses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    arguments = parser.parse_args()
    command = [sys.executable, "-m", "pa_graph"]
    with tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, "PA_GRAPH_CACHE_DIR": str(Path(folder) / "empty-cache")}
        for name in ("GITHUB_ACTIONS", "CI"):
            environment.pop(name, None)
        times: list[float] = []

        def run_audit(checkout: Path, audit_arguments: list[str]) -> tuple[int, str]:
            started = time.perf_counter()
            done = subprocess.run([*command, "audit", *audit_arguments], cwd=checkout, env=environment,
                                  capture_output=True, text=True, timeout=120)
            times.append(time.perf_counter() - started)
            return done.returncode, done.stdout

        start_up = [timed([*command, "--version"], environment) for _ in range(5)]
        rows = []
        for bundle in sorted((ROOT / "tests" / "fixtures" / "histories").glob("*.bundle")):
            times.clear()
            figures = replay(clone(bundle, Path(folder) / bundle.stem), run_audit).summary()
            rows.append((bundle.stem, figures, statistics.median(times)))
    floor = statistics.median(start_up)
    lines = ["| history | commits | failing | failing with no error on a changed line | error annotations "
             "| on unchanged lines | exit other than 0/1 | median s a commit | × process start |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, figures, median in rows:
        lines.append(f"| {name} | {figures['commits']} | {figures['failing']} | {figures['failing_off_the_change']} "
                     f"| {figures['error_annotations']} | {figures['errors_off_the_change']} | {figures['other_exits']} "
                     f"| {median:.2f} | {median / floor:.1f} |")
    lines.append(f"\nProcess start (`pa-graph --version`, median of 5): {floor:.2f} s.")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if arguments.markdown:
        arguments.markdown.write_text(text, encoding="utf-8")


def timed(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=environment, capture_output=True, check=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
