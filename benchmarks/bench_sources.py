"""Benchmark: what enriching the bundled list costs on each source, in requests by kind and in dollars (OpenAlex's
2026 prices: singletons free, list calls $0.10 and searches $1 per 1,000), against the fakes of the tests.

    python benchmarks/bench_sources.py

Prints one row per source and option set: requests, OpenAlex singletons, list calls, searches and cost, works
resolved, citation links, and seconds (loopback, no throttle: the real services add their pacing, 0.9/s for S2 and
10/s for OpenAlex). A last row is OpenAlex without a key at its default pace against a fake that enforces the
keyless allowance ($0.01 a day): what a new user without a key gets, and how long it takes.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fake_openalex.server import FakeOpenAlex, Faults  # noqa: E402
from fake_openalex.world import build_openalex_world  # noqa: E402
from fake_s2.server import FakeS2  # noqa: E402
from fake_s2.world import build_world  # noqa: E402

from pa_graph.session import Session  # noqa: E402
from pa_graph.sources.common import EnrichOptions  # noqa: E402
from pa_graph.sources.openalex import OpenAlexSettings  # noqa: E402
from pa_graph.sources.s2 import S2Settings  # noqa: E402


def main() -> None:
    world = build_world()
    rows = []
    with FakeS2(world) as s2, FakeOpenAlex(build_openalex_world(world)) as oa, tempfile.TemporaryDirectory() as tmp:
        for source in ("s2", "openalex", "both"):
            for label, extras in (("default", EnrichOptions()), ("--citations", EnrichOptions(citations=True))):
                with Session(Path(tmp) / f"{source}{label}", s2=S2Settings(api_url=s2.url, rate=1000.0),
                             openalex=OpenAlexSettings(api_url=oa.url, rate=1000.0)) as session:
                    start = time.perf_counter()
                    enrichment = session.assemble(source=source, extras=extras).enrichment
                    seconds = time.perf_counter() - start
                rows.append(_row(source, label, enrichment, seconds))
    with FakeOpenAlex(build_openalex_world(world), Faults(allowance_usd=0.01)) as oa, \
            tempfile.TemporaryDirectory() as tmp:
        with Session(Path(tmp), openalex=OpenAlexSettings(api_url=oa.url)) as session:  # OpenAlex's default pace
            start = time.perf_counter()
            enrichment = session.assemble(source="openalex").enrichment
            rows.append(_row("openalex, no key, priced", "default", enrichment, time.perf_counter() - start))
    print("| source | options | S2 requests | OpenAlex requests | singletons | list calls | searches | cost (USD) | "
          "works resolved | citation links | seconds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(f"{value:.1f}" if isinstance(value, float) else str(value) for value in row) + " |")


def _row(source: str, label: str, enrichment, seconds: float) -> tuple:
    priced = enrichment.calls.get("openalex", {})
    return (source, label, enrichment.calls.get("s2", {}).get("requests", 0), priced.get("requests", 0),
            priced.get("singletons", 0), priced.get("list_calls", 0), priced.get("searches", 0),
            f"{priced.get('cost_usd', 0):.4f}", len(enrichment.resolved), len(enrichment.citations), seconds)


if __name__ == "__main__":
    main()
