"""Benchmark: what enriching the bundled list costs on each source, in requests by kind (OpenAlex prices list calls
and searches; single lookups are free), against the fake Semantic Scholar and the fake OpenAlex of the tests.

    python benchmarks/bench_sources.py

Prints one row per source and option set: requests, OpenAlex list calls and searches, works resolved, citation
links, and seconds (loopback, no throttle: the real services add their pacing, 0.9/s for S2 and 10/s for OpenAlex).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fake_openalex.server import FakeOpenAlex  # noqa: E402
from fake_openalex.world import build_openalex_world  # noqa: E402
from fake_s2.server import FakeS2  # noqa: E402
from fake_s2.world import build_world  # noqa: E402

from pa_graph import assemble  # noqa: E402
from pa_graph.sources.common import EnrichOptions  # noqa: E402
from pa_graph.sources.driver import open_sources  # noqa: E402
from pa_graph.sources.openalex import OpenAlexSettings  # noqa: E402
from pa_graph.sources.s2 import S2Settings  # noqa: E402


def main() -> None:
    world = build_world()
    rows = []
    with FakeS2(world) as s2, FakeOpenAlex(build_openalex_world(world)) as oa, tempfile.TemporaryDirectory() as tmp:
        for source in ("s2", "openalex", "both"):
            for label, extras in (("default", EnrichOptions()), ("--citations", EnrichOptions(citations=True))):
                sources = open_sources(source, Path(tmp) / f"{source}{label}",
                                       s2=S2Settings(api_url=s2.url, rate=1000.0),
                                       openalex=OpenAlexSettings(api_url=oa.url, rate=1000.0))
                start = time.perf_counter()
                enrichment = assemble(client=sources, extras=extras).enrichment
                seconds = time.perf_counter() - start
                sources.close()
                priced = enrichment.calls.get("openalex", {})
                rows.append((source, label, enrichment.calls.get("s2", {}).get("requests", 0),
                             priced.get("requests", 0), priced.get("list_calls", 0), priced.get("searches", 0),
                             len(enrichment.resolved), len(enrichment.citations), seconds))
    print("| source | options | S2 requests | OpenAlex requests | OpenAlex list calls | OpenAlex searches | "
          "works resolved | citation links | seconds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(f"{value:.1f}" if isinstance(value, float) else str(value) for value in row) + " |")


if __name__ == "__main__":
    main()
