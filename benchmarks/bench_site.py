"""Benchmark: the site of the 10,000-work scale world (``bench_scale.py``'s synthetic list, enriched from the fake
Semantic Scholar), served by ``python -m http.server`` and opened in headless Chromium: how long the map takes to
become interactive, how long the query page takes to load the graph into Oxigraph's WebAssembly store, how long each
cookbook query takes there (the store loaded once per visit), and how big the site is, as files and compressed the
way a static host serves them (gzip).

Targets: the map interactive in under 3 s, every cookbook query under 2 s, the site under 30 MB compressed. Exits 1
when one is missed. Needs Debian's Chromium, playwright, and Oxigraph's WebAssembly build
(``npm install --prefix .ci/node oxigraph@0.5.11``; ``.ci/run`` installs it).

    python benchmarks/bench_site.py [--size 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

TARGETS = {"map_s": 3.0, "query_s": 2.0, "compressed_mb": 30.0}
WASM = ROOT / ".ci" / "node" / "node_modules" / "oxigraph"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


def built(size: int, folder: Path) -> Path:
    """The enriched build of the scale world of ``size`` listed works (made once, kept in ``folder``)."""
    out = folder / f"build-{size}"
    if (out / "graph.html").is_file():
        return out
    from bench_scale import generate
    from fake_s2.server import FakeS2

    from pa_graph import BuildOptions, build
    from pa_graph.sources.s2 import S2Settings

    path, world = generate(size, folder)
    with FakeS2(world) as fake:
        build([path], BuildOptions(out_dir=out, cache_dir=folder / f"cache-{size}",
                                   s2=S2Settings(api_url=fake.url, rate=10_000.0)))
    return out


def sizes(site: Path) -> tuple[float, float]:
    """The site's size in MB: as files, and each file gzip-compressed (what a static host sends)."""
    files = [path for path in site.rglob("*") if path.is_file()]
    raw = sum(path.stat().st_size for path in files)
    packed = sum(len(gzip.compress(path.read_bytes(), compresslevel=6)) for path in files)
    return raw / 1e6, packed / 1e6


def measure(url: str) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    from pa_graph.export.sparql import cookbook

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort())
        visits = []
        for _ in range(2):  # a first visit, then one with the browser's cache
            page.goto(url + "graph.html")
            page.wait_for_function("window.paGraph && window.paGraph.interactive !== null", timeout=120_000)
            visits.append(page.evaluate("paGraph.interactive") / 1000)  # from the navigation's start
        page.goto(url + "query.html")
        page.wait_for_function("window.paQuery", timeout=60_000)
        page.evaluate("paQuery.ready()")  # the store, loading since the page opened
        load_s = page.evaluate("performance.now()") / 1000
        queries = {}
        for name in cookbook():
            page.evaluate(f"paQuery.select({name!r})")
            start = time.perf_counter()
            rows = page.evaluate("paQuery.run()")
            queries[name] = (time.perf_counter() - start, rows)
        browser.close()
    return {"map_s": visits[0], "map_again_s": visits[1], "load_s": load_s, "queries": queries}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the world, the build and the site here")
    args = parser.parse_args()
    if not (WASM / "web_bg.wasm").is_file():
        sys.exit(f"{WASM}: Oxigraph's WebAssembly build is missing (npm install --prefix .ci/node oxigraph@0.5.11)")
    from pa_graph.build_folder import Build
    from pa_graph.site import build_site

    folder = args.keep or Path(tempfile.mkdtemp(prefix="pa-graph-site-"))
    folder.mkdir(parents=True, exist_ok=True)
    out = built(args.size, folder)
    start = time.perf_counter()
    build_site(Build.open(out), folder / "pages" / "site", WASM)
    made_s = time.perf_counter() - start
    raw_mb, packed_mb = sizes(folder / "pages" / "site")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d",
                               str(folder / "pages")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        timed = measure(f"http://127.0.0.1:{port}/site/")
    finally:
        server.terminate()
    print(f"site of {args.size:,} listed works: made in {made_s:.1f} s, {raw_mb:.1f} MB as files, "
          f"{packed_mb:.1f} MB gzip-compressed (target ≤ {TARGETS['compressed_mb']:.0f} MB)")
    print(f"map interactive {timed['map_s']:.2f} s after the navigation starts, {timed['map_again_s']:.2f} s on a "
          f"second visit (target ≤ {TARGETS['map_s']:.0f} s); the query page's store ready {timed['load_s']:.2f} s "
          "after it opens (loaded once per visit, while the reader picks a query)")
    queries: dict[str, tuple[float, object]] = timed["queries"]  # type: ignore[assignment]
    print("| cookbook query | seconds | rows |\n|---|---:|---:|")
    for name, (seconds, rows) in queries.items():
        print(f"| {name} | {seconds:.2f} | {rows} |")
    slowest = max(seconds for seconds, _ in queries.values())
    ok = (timed["map_s"] <= TARGETS["map_s"] and slowest <= TARGETS["query_s"]  # type: ignore[operator]
          and packed_mb <= TARGETS["compressed_mb"] and all(rows is not None for _, rows in queries.values()))
    print(f"slowest query {slowest:.2f} s (target ≤ {TARGETS['query_s']:.0f} s): {'met' if ok else 'MISSED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
