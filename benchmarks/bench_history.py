"""Benchmark: ``pa-graph history`` over a long history, against one build of the final list in the same run.

A repository is scripted with ``git fast-import``: ``--commits`` commits of README.md, each adding one row (every
tenth also fixing a typo in an earlier title, every 25th removing a row), so the list grows to about as many rows
as there are commits. Reported: the history's wall time, one offline build (no enrichment) of the final list, and
their ratio. Target: 1,000 commits in well under a minute (exit 1 at 60 s or more).

    python benchmarks/bench_history.py [--commits 1000]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pa_graph import BuildOptions, build
from pa_graph.lists.history import history

LIMIT_S = 60.0
HEADER = "# Grown list\n\n## Papers\n\n| Paper | Abbr. | Year | Source | Tag | PDF |\n|---|---|---|---|---|---|\n"


WORDS = ("personal alignment reward model user preference memory retrieval agent persona dialogue feedback policy "
         "decoding steering profile history federated privacy benchmark evaluation survey contrastive latent "
         "pluralistic value safety tuning adapter prompt embedding graph").split()


def row(n: int, typo: bool = False) -> str:
    rng = random.Random(n)
    title = " ".join(rng.sample(WORDS, 6)).capitalize() + f" {n} for modelling"
    return f"| [{title.replace('modelling', 'modeling') if typo else title}](https://arxiv.org/abs/2401.{n:05d}) " \
           f"| S{n} | 2024 | arxiv | x | |\n"


def scripted_repository(folder: Path, commits: int) -> Path:
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    rows: dict[int, bool] = {}
    stream = []
    for n in range(commits):
        rows[n] = False
        if n % 10 == 9:
            rows[n - 5] = True  # a typo fixed in an earlier title
        if n % 25 == 24:
            rows.pop(n - 12, None)
        data = (HEADER + "".join(row(k, typo) for k, typo in rows.items())).encode()
        stream.append(f"commit refs/heads/main\ncommitter t <t@example.org> {1_700_000_000 + n * 3600} +0000\n"
                      f"data {len(f'row {n}')}\nrow {n}\n".encode())
        stream.append(f"M 100644 inline README.md\ndata {len(data)}\n".encode() + data + b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=folder, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=folder, check=True)
    return folder / "README.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=1000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        readme = scripted_repository(folder / "repo", options.commits)
        start = time.perf_counter()
        versions = history(readme)
        walked = time.perf_counter() - start
        start = time.perf_counter()
        built = build([readme], BuildOptions(out_dir=folder / "out", enrich=False, cache_dir=folder / "cache"))
        one_build = time.perf_counter() - start
    print(f"history of {len(versions)} commits ({versions[-1].works} works at the end): {walked:.1f} s; one build "
          f"of the final list ({len(built.graph.works)} works): {one_build:.1f} s; ratio {walked / one_build:.1f}× "
          f"(target < {LIMIT_S:.0f} s)")
    return 0 if walked < LIMIT_S else 1


if __name__ == "__main__":
    sys.exit(main())
