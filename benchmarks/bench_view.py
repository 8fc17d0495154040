"""Benchmark: the HTML view's layout time, time to first draw and to interactive in headless Chromium, for the
bundled graph and for a synthetic 5,000-node / 20,000-edge graph, against pyvis's default page (physics on, no
positions) on the same graphs.

Targets: the >= 5,000-node graph interactive within 3 s and its layout under 1 s. Exits 1 when missed.
Needs Debian's Chromium (apt-get install chromium) and playwright.

    python benchmarks/bench_view.py [--pyvis-timeout 60]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from pa_graph import assemble
from pa_graph.export.html import layout, render_html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
INTERACTIVE_LIMIT_MS = 3000
LAYOUT_LIMIT_S = 1.0
CAPTURE = """
let captured;
Object.defineProperty(window, 'network', { configurable: true,
  get() { return captured; },
  set(value) { captured = value;
    value.once('afterDrawing', () => { window.__firstDraw = performance.now(); });
    value.once('stabilizationIterationsDone', () => { window.__stabilized = performance.now(); });
    value.once('stabilized', () => { window.__stabilized = window.__stabilized || performance.now(); }); } });
"""


def synthetic(nodes: int = 5000, edges_per_node: int = 4, seed: int = 1) -> nx.MultiDiGraph:
    """A scale-free citation graph shaped like an enriched build: 200 listed papers, the rest external."""
    base = nx.barabasi_albert_graph(nodes, edges_per_node, seed=seed)
    model = nx.MultiDiGraph(lists=[])
    for node in base:
        listed = node < 200
        model.add_node(f"work/{node}", kind="work", work_type="paper", listed=listed, title=f"Synthetic paper {node}",
                       year=2015 + node % 11, abbreviations=[f"P{node}"] if listed else [])
    for u, v in base.edges():
        model.add_edge(f"work/{max(u, v)}", f"work/{min(u, v)}", key="cites")
    return model


def fake_enriched_with_citations(folder: Path) -> nx.MultiDiGraph:
    """The bundled list enriched with --citations from the test suite's fake Semantic Scholar (synthetic data)."""
    from fake_s2.server import FakeS2
    from fake_s2.world import build_world

    from pa_graph import BuildOptions, build
    from pa_graph.sources.common import EnrichOptions
    from pa_graph.sources.s2 import S2Settings

    with FakeS2(build_world()) as fake:
        result = build(options=BuildOptions(out_dir=folder / "enriched", cache_dir=folder / "cache",
                                            extras=EnrichOptions(citations=True),
                                            s2=S2Settings(api_url=fake.url, rate=1000.0)))
    return result.graph.model


def pyvis_page(model: nx.MultiDiGraph) -> str:
    from pyvis.network import Network

    network = Network(directed=True, cdn_resources="in_line")
    for node, data in model.nodes(data=True):
        network.add_node(node, label=data.get("label") or data.get("title", node)[:20])
    for u, v in model.edges():
        network.add_edge(u, v)
    page = network.generate_html(notebook=False)
    return re.sub(r"<(?:link|script)\b[^>]*(?:href|src)=\"https?://[^>]*>(?:\s*</script>)?", "", page)


def measure(browser, path: Path, ours: bool, timeout_ms: int) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    if not ours:
        page.add_init_script(CAPTURE)
    start = time.perf_counter()
    page.goto(path.as_uri(), timeout=timeout_ms)
    try:
        if ours:
            page.wait_for_function("window.paGraph && window.paGraph.interactive !== null", timeout=timeout_ms)
            first, ready = page.evaluate("[paGraph.firstDraw, paGraph.interactive]")
        else:
            page.wait_for_function("window.__stabilized !== undefined", timeout=timeout_ms)
            first, ready = page.evaluate("[window.__firstDraw || null, window.__stabilized]")
    except Exception:
        first, ready = None, None
    wall = time.perf_counter() - start
    page.close()
    return {"first": first, "ready": ready, "wall": wall}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyvis-timeout", type=float, default=60.0)
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    failures = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        graphs = {"bundled list": assemble().model, "synthetic 5,000 nodes": synthetic(),
                  "fake-enriched, --citations": fake_enriched_with_citations(Path(folder))}
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        print(f"{'graph':<24} {'nodes':>6} {'edges':>6} {'layout':>8} {'first draw':>11} {'interactive':>12}   "
              f"pyvis default (physics) until stabilised")
        for name, model in graphs.items():
            import igraph  # noqa: F401  (import time is not layout time)

            start = time.perf_counter()
            layout(model)
            layout_s = time.perf_counter() - start
            ours = Path(folder) / f"ours-{len(model)}.html"
            ours.write_text(render_html(model), encoding="utf-8")
            theirs = Path(folder) / f"pyvis-{len(model)}.html"
            theirs.write_text(pyvis_page(model), encoding="utf-8")
            result = measure(browser, ours, True, 60_000)
            baseline = measure(browser, theirs, False, int(options.pyvis_timeout * 1000))
            base_text = f"{baseline['ready'] / 1000:.1f} s" if baseline["ready"] else f"> {options.pyvis_timeout:.0f} s"
            print(f"{name:<24} {len(model):>6} {model.number_of_edges():>6} {layout_s:>7.2f}s "
                  f"{result['first']:>9.0f}ms {result['ready']:>10.0f}ms   {base_text}")
            if result["ready"] is None or result["ready"] > INTERACTIVE_LIMIT_MS:
                failures.append(f"{name}: interactive after {result['ready']} ms")
            if len(model) >= 5000 and layout_s > LAYOUT_LIMIT_S:
                failures.append(f"{name}: layout {layout_s:.2f} s")
        browser.close()
    for failure in failures:
        print("MISSED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
