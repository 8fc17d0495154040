"""Benchmark: wall time of the offline build of the bundled list, in fresh processes.

Target: under 2 s wall on a 2-core machine. Also reports the floor: importing networkx, rdflib, pyvis and
semanticscholar in a fresh interpreter. Exits 1 when the median build misses the target.

    python benchmarks/bench_build.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_SECONDS = 2.0


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    floor = [wall([sys.executable, "-c", "import networkx, rdflib, pyvis, semanticscholar"]) for _ in range(runs)]
    with tempfile.TemporaryDirectory() as out:
        builds = [wall([sys.executable, "-m", "pa_graph", "build", "--offline", "--out", out]) for _ in range(runs)]
    median = statistics.median(builds)
    print(f"import floor (networkx, rdflib, pyvis, semanticscholar): median {statistics.median(floor):.2f} s")
    print(f"offline build of the bundled list: median {median:.2f} s, min {min(builds):.2f} s, max {max(builds):.2f} s "
          f"over {runs} runs (target < {TARGET_SECONDS:.1f} s)")
    if median >= TARGET_SECONDS:
        print("MISSED the target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
