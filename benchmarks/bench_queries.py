"""Benchmark: every cookbook query on pyoxigraph and on rdflib, on a synthetic graph of >= 100,000 triples, and on
pyoxigraph on the bundled graph (outputs/graph.ttl).

Targets: pyoxigraph at least 10x faster than rdflib on the join-heavy queries; every cookbook query under
100 ms on the bundled graph. Exits 1 when a target is missed. Load times are reported separately (they are paid
once per command, not per query).

    python benchmarks/bench_queries.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic_graph import generate  # noqa: E402

from pa_graph.export.sparql import cookbook, load_query, query_store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
JOIN_HEAVY = {"section-citation-matrix", "missing-papers", "most-cited-in-list", "uncited-listed-works",
              "survey-citations", "top-authors"}
BUNDLED_LIMIT = 0.100
SPEEDUP = 10.0
RDFLIB_TIMEOUT = 120.0  # rdflib runs each query in a forked child; one that takes longer is reported as "> limit"
_GRAPH = None


def _rdflib_child(text: str, repeat: int, results) -> None:
    results.put(best(lambda: list(_GRAPH.query(text)), repeat))


def rdflib_time(text: str, repeat: int) -> float | None:
    """Best time of rdflib on the query, or None when it exceeds RDFLIB_TIMEOUT."""
    context = multiprocessing.get_context("fork")  # the child inherits the parsed graph
    results = context.Queue()
    child = context.Process(target=_rdflib_child, args=(text, repeat, results))
    child.start()
    child.join(RDFLIB_TIMEOUT)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return results.get()


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    import pyoxigraph
    from rdflib import Graph

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.nt"
        lines = generate()
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        start = time.perf_counter()
        store = pyoxigraph.Store()
        store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES)
        ox_load = time.perf_counter() - start
        global _GRAPH
        start = time.perf_counter()
        _GRAPH = Graph().parse(path, format="nt")
        rdf_load = time.perf_counter() - start
    print(f"synthetic graph: {len(lines):,} triples; load: pyoxigraph {ox_load:.2f} s, rdflib {rdf_load:.2f} s\n")
    failures = []
    print(f"{'query':<26} {'pyoxigraph':>11} {'rdflib':>10} {'speed-up':>9}")
    for name in cookbook():
        text = load_query(name)
        ox = best(lambda text=text: query_store(store, text), repeat)
        rd = rdflib_time(text, 1 if name in JOIN_HEAVY else repeat)
        mark = " (join-heavy)" if name in JOIN_HEAVY else ""
        if rd is None:
            print(f"{name:<26} {ox * 1000:>9.1f}ms {'>' + str(int(RDFLIB_TIMEOUT)) + ' s':>10} "
                  f"{'>' + format(RDFLIB_TIMEOUT / ox, '.0f') + 'x':>9}{mark}")
            continue
        if name in JOIN_HEAVY and rd / ox < SPEEDUP:
            failures.append(f"{name}: pyoxigraph only {rd / ox:.1f}x faster than rdflib")
        print(f"{name:<26} {ox * 1000:>9.1f}ms {rd * 1000:>8.0f}ms {rd / ox:>8.1f}x{mark}")

    bundled = pyoxigraph.Store()
    bundled.bulk_load(path=str(ROOT / "outputs" / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    print(f"\nbundled graph (outputs/graph.ttl, {len(bundled):,} triples), pyoxigraph:")
    for name in cookbook():
        text = load_query(name)
        seconds = statistics.median(best(lambda text=text: query_store(bundled, text), 1) for _ in range(repeat))
        print(f"{name:<26} {seconds * 1000:>9.2f}ms")
        if seconds >= BUNDLED_LIMIT:
            failures.append(f"{name}: {seconds * 1000:.0f} ms on the bundled graph")
    for failure in failures:
        print("MISSED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
