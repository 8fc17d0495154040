"""Regenerate the README's screenshots of the HTML view: the bundled list enriched with citations — from the test
suite's fake Semantic Scholar, since the real one is out of reach here — shown at 1366×768 and on a 390×844 phone,
with every request other than the page itself aborted.

Needs Debian's Chromium (apt-get install chromium) and playwright. Run: python tools/screenshots.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from pa_graph import BuildOptions, build
from pa_graph.sources.common import EnrichOptions
from pa_graph.sources.s2 import S2Settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
SHOTS = {"view-1366x768.png": {"width": 1366, "height": 768}, "view-phone-390x844.png": {"width": 390, "height": 844}}


def main() -> int:
    chromium = shutil.which("chromium")
    if not chromium:
        print("error: Chromium is needed (apt-get install -y chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        from fake_s2.server import FakeS2
        from fake_s2.world import build_world

        out = Path(scratch) / "out"
        with FakeS2(build_world()) as fake:
            build(options=BuildOptions(out_dir=out, cache_dir=Path(scratch) / "cache",
                                       extras=EnrichOptions(citations=True, max_citations=30),
                                       s2=S2Settings(api_url=fake.url, rate=1000.0, page_size=20)))
        url = (out / "graph.html").resolve().as_uri()
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for name, viewport in SHOTS.items():
            page = browser.new_page(viewport=viewport, is_mobile=viewport["width"] < 700)
            page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
            page.goto(url)
            page.wait_for_function("window.paGraph && window.paGraph.interactive !== null", timeout=60_000)
            page.wait_for_function("paGraph.cullPasses > 0", timeout=30_000)  # the first fit, label sizes, culling
            page.screenshot(path=str(IMAGES / name))
            print(f"wrote {IMAGES / name}")
            page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
