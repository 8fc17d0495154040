"""The HTML view in a real browser: Debian's Chromium driven by Playwright, every network request aborted.

Without Chromium these tests skip on a developer's machine, and fail when CI=true (CI must install it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_list
from fake_s2.world import bundled_counts

from pa_graph import BuildOptions, build

pytestmark = pytest.mark.slow  # end to end: servers, browsers, whole builds

class Page:
    """A page opened from file:// with every other request aborted and recorded."""

    def __init__(self, browser, path: Path, width: int = 1400, height: int = 900) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        page_url = path.resolve().as_uri()

        def route(route):
            if route.request.url != page_url:
                self.requests.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        self.page.route("**/*", route)
        self.page.goto(page_url)
        self.page.wait_for_function("window.paGraph && window.paGraph.interactive !== null", timeout=60_000)

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def visible_works(self) -> int:
        return self.js("""paGraph.data.nodes.filter(n => ['paper','survey'].includes(n.group) && !n.hidden).length""")

    def click_node(self, node_id: str, scale: float = 1.0) -> None:
        self.js(f"paGraph.network.stopSimulation(); paGraph.network.focus({node_id!r}, {{scale: {scale}, animation: false}})")
        self.page.wait_for_timeout(100)
        point = self.js(f"""(() => {{ const id = {node_id!r};
            const p = paGraph.network.getPositions([id])[id]; return paGraph.network.canvasToDOM(p); }})()""")
        box = self.page.locator("#network").bounding_box()
        self.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])

    def reset(self) -> None:
        """Back to the page as it opened, for tests sharing one page: no selection or search, no section filter,
        the whole graph in view."""
        self.page.keyboard.press("Escape")
        self.page.fill("#search", "")
        self.js("paGraph.clear(); paGraph.sectionSelect.clear(); paGraph.network.fit({animation: false})")



@pytest.fixture(scope="module")
def bundled_page(browser, built):
    """The bundled list's page, loaded once for the tests that use it and undo what they did (a page load costs
    Chromium about a second of CPU)."""
    page = Page(browser, built / "graph.html")
    yield page
    page.page.close()


@pytest.fixture(scope="module")
def laptop_page(browser, built):
    """The bundled list's page at 1366×768 as it opened, for the tests that only look at it."""
    page = Page(browser, built / "graph.html", 1366, 768)
    yield page
    page.page.close()


def test_page_draws_every_node_and_edge_without_any_request(bundled_page):
    assert bundled_page.js("paGraph.network.body.data.nodes.length") == 312
    assert bundled_page.js("paGraph.network.body.data.edges.length") == 466
    assert bundled_page.js("paGraph.visible.size") == 312
    assert bundled_page.requests == [] and bundled_page.errors == []


def test_search_finds_lamp(bundled_page):
    bundled_page.page.fill("#search", "LaMP")
    assert "Lamp — Lamp: When large language models meet personalization" in \
        bundled_page.page.locator("#results li").first.text_content()
    bundled_page.page.keyboard.press("Enter")
    selected = bundled_page.js("paGraph.selected")
    assert bundled_page.js(f"paGraph.data.nodes.find(n => n.id === {selected!r}).title") == \
        "Lamp: When large language models meet personalization"
    assert "Lamp: When large language models meet personalization" in bundled_page.page.text_content("#details")
    bundled_page.js("paGraph.clear()")


def test_section_filter_hides_other_sections(bundled_page):
    bundled_page.js("paGraph.sectionSelect.setValue(['RAG'])")
    assert bundled_page.visible_works() == 28
    hidden_section = bundled_page.js("paGraph.nodes.get('section/test-time-personalized-alignment/agent').hidden")
    assert hidden_section is True
    bundled_page.js("paGraph.sectionSelect.setValue(['RAG', 'Memory'])")
    assert bundled_page.visible_works() == 31
    bundled_page.js("paGraph.sectionSelect.clear()")
    assert bundled_page.visible_works() == bundled_counts()["works"]


def test_type_and_year_filters(bundled_page):
    bundled_page.page.uncheck("input[data-group='survey']")
    assert bundled_page.visible_works() == bundled_counts()["works"] - bundled_counts()["surveys"]
    bundled_page.page.check("input[data-group='survey']")
    bundled_page.page.fill("#year-min", "2025")
    assert bundled_page.visible_works() == bundled_page.js(
        "paGraph.data.nodes.filter(n => ['paper','survey'].includes(n.group) && n.year >= 2025).length")
    bundled_page.page.fill("#year-min", "")
    assert bundled_page.visible_works() == bundled_counts()["works"]


def test_click_highlights_the_neighbourhood(bundled_page):
    try:
        lamp = bundled_page.js("paGraph.search('Lamp')[0]")
        bundled_page.click_node(lamp)
        assert bundled_page.js("paGraph.selected") == lamp
        neighbours = set(bundled_page.js(f"paGraph.network.getConnectedNodes({lamp!r})"))
        assert neighbours == {"section/test-time-personalized-alignment/rag", "tag/rag", "method/lamp"}
        assert set(bundled_page.js("[...paGraph.highlighted]")) == neighbours | {lamp}
        assert bundled_page.js("paGraph.nodes.get('tag/agent').color.background") == "#e9e9e9"
        assert bundled_page.js("paGraph.nodes.get('tag/rag').color.background") == "#b07aa1"
    finally:
        bundled_page.reset()


IN_VIEWPORT = """(ids => { const net = paGraph.network, box = document.getElementById('network');
    const w = box.clientWidth, h = box.clientHeight, positions = net.getPositions(ids);
    return ids.filter(id => { const p = net.canvasToDOM(positions[id]);
        return p.x < 0 || p.y < 0 || p.x > w || p.y > h; }); })"""


def outside_viewport(page: Page, ids: list[str]) -> list[str]:
    """The ids whose centres the canvas does not show."""
    return page.js(f"{IN_VIEWPORT}({ids!r})")


def shown_ids(page: Page) -> list[str]:
    return page.js("paGraph.network.body.data.nodes.get().filter(n => !n.hidden).map(n => n.id)")


ON_SCREEN_LABELS = """(() => { const net = paGraph.network, scale = net.getScale();
    return paGraph.data.nodes.filter(n => ['paper', 'survey'].includes(n.group)).map(n => {
        const drawn = net.body.nodes[n.id].options;
        return {id: n.id, label: drawn.label || '', px: drawn.font.size * scale, size: drawn.size}; }); })()"""


DRAWN_LABELS = """(() => { const net = paGraph.network, scale = net.getScale(), out = [];
    for (const n of paGraph.data.nodes) {
        const body = net.body.nodes[n.id];
        if (!body || n.hidden || !body.options.label) continue;
        if (body.options.font.size * scale < body.options.scaling.label.drawThreshold) continue;  // vis draws none
        const box = body.labelModule.size;
        const a = net.canvasToDOM({x: box.left, y: box.top});
        const z = net.canvasToDOM({x: box.left + box.width, y: box.top + box.height});
        out.push({id: n.id, group: n.group, inList: n.inList || 0, left: box.left, top: box.top,
                  right: box.left + box.width, bottom: box.top + box.height, on_screen: [a.x, a.y, z.x, z.y]});
    }
    return out; })()"""


def overlapping(boxes: list[dict]) -> set[str]:
    """The ids of the drawn labels whose box meets another drawn label's box."""
    found = set()
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]:
                found |= {a["id"], b["id"]}
    return found


def assert_labels_never_collide(page: Page, at_least: int = 30) -> list[dict]:
    page.page.wait_for_function("paGraph.cullPasses > 0", timeout=30_000)  # the first fit, its label sizes, then culling
    page.js("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")  # drawn as culled
    drawn = page.js(DRAWN_LABELS)
    assert len(drawn) >= at_least
    assert len(overlapping(drawn)) <= 0.05 * len(drawn)
    sections = [box for box in drawn if box["group"] == "section"]
    assert sections and not overlapping(sections)
    width, height = page.js("[document.getElementById('network').clientWidth, document.getElementById('network').clientHeight]")
    for box in sections:  # section names never leave the canvas
        left, top, right, bottom = box["on_screen"]
        assert -1 <= left and right <= width + 1 and -1 <= top and bottom <= height + 1, box
    return drawn


def test_labels_never_collide_on_the_bundled_list(laptop_page):
    page = laptop_page
    drawn = assert_labels_never_collide(page)
    sections = page.js("paGraph.data.nodes.filter(n => n.group === 'section' && !n.hidden).map(n => n.id)")
    assert set(sections) <= {box["id"] for box in drawn}  # section names are drawn first, every one


def test_labels_never_collide_on_an_enriched_build(browser, fake_citations):
    """The enriched build with --citations (5,000 papers not in the list on the page): the listed works most cited
    by the list keep their labels; the papers not in the list are dots, unlabelled unless suggested."""
    page = Page(browser, fake_citations / "graph.html", 1366, 768)
    drawn = assert_labels_never_collide(page)
    assert {box["group"] for box in drawn} >= {"section", "paper"}
    unlabelled = page.js("paGraph.data.nodes.filter(n => n.group === 'external' && !n.gap && !n.hidden)"
                         ".every(n => !paGraph.network.body.nodes[n.id].options.label)")
    assert unlabelled


def test_on_a_phone_section_names_are_cut_short_to_stay_on_the_canvas(browser, fake_enriched):
    """At 390×844 the enriched build's section names (15 px on screen) are wider than the room they have: each is
    drawn whole, cut short with "…", or culled, never across the canvas's edge."""
    page = Page(browser, fake_enriched / "graph.html", 390, 844)
    try:
        drawn = assert_labels_never_collide(page, at_least=15)
        shortened = page.js("paGraph.data.nodes.filter(n => n.group === 'section' && paGraph.network.body.nodes[n.id]"
                            ".options.label && paGraph.network.body.nodes[n.id].options.label.endsWith('…')).length")
        assert shortened >= 1 and len([box for box in drawn if box["group"] == "section"]) >= 6
    finally:
        page.page.close()


def test_a_filter_after_a_zoom_refits_the_view_and_counts_shown_edges(bundled_page):
    page = bundled_page
    try:
        page.js("paGraph.network.moveTo({position: {x: 4000, y: -4000}, scale: 6, animation: false})")
        page.js("paGraph.sectionSelect.setValue(['Memory'])")
        shown = shown_ids(page)
        assert 0 < len(shown) < 312
        assert outside_viewport(page, shown) == []
        # the counter in the sidebar counts the edges vis-network draws: both ends shown
        drawn = page.js("""(() => { const nodes = paGraph.network.body.data.nodes;
            return paGraph.network.body.data.edges.get().filter(e => !nodes.get(e.from).hidden && !nodes.get(e.to).hidden)
                .length; })()""")
        assert 0 < drawn < 466
        assert f"{len(shown)} of 312 nodes shown, {drawn} of 466 edges" in page.page.text_content("#summary")
    finally:
        page.reset()


def test_searching_a_hidden_paper_reveals_and_focuses_it_and_escape_clears(bundled_page):
    page = bundled_page
    page.js("paGraph.sectionSelect.setValue(['Memory'])")
    lamp = page.js("paGraph.search('Lamp')[0]")
    assert page.js(f"paGraph.nodes.get({lamp!r}).hidden") is True
    page.page.fill("#search", "LaMP")
    page.page.keyboard.press("Enter")
    assert page.js(f"paGraph.nodes.get({lamp!r}).hidden") is False
    neighbours = page.js(f"paGraph.network.getConnectedNodes({lamp!r})")
    assert neighbours and all(page.js(f"paGraph.nodes.get({n!r}).hidden") is False for n in neighbours)
    assert outside_viewport(page, [lamp, *neighbours]) == []
    assert page.js("paGraph.selected") == lamp
    # the details panel is on screen, with separate, labelled links that open in a new tab
    assert page.page.locator("#details").is_visible()
    assert page.js("""(() => { const r = document.getElementById('details').getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight; })()""")
    links = page.js("[...document.querySelectorAll('#details a')].map(a => [a.textContent, a.target, a.rel])")
    assert links and all(text and target == "_blank" and "noopener" in rel for text, target, rel in links)
    page.page.keyboard.press("Escape")
    assert page.js("paGraph.selected") is None
    assert page.js("paGraph.network.body.data.nodes.get().filter(n => n.color.background === '#e9e9e9').length") == 0
    page.reset()


def test_a_click_fits_the_neighbourhood_on_screen(bundled_page):
    page = bundled_page
    try:
        rag = "section/test-time-personalized-alignment/rag"
        page.click_node(rag, scale=6.0)  # zoomed in so far that most of the neighbourhood is off screen
        assert page.js("paGraph.selected") == rag
        highlighted = page.js("[...paGraph.highlighted]")
        assert len(highlighted) > 20
        assert outside_viewport(page, highlighted) == []
    finally:
        page.reset()


def test_on_a_phone_the_graph_takes_the_width_and_the_sidebar_opens_behind_a_button(browser, built):
    phone = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    phone.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    phone.goto((built / "graph.html").resolve().as_uri())
    phone.wait_for_function("window.paGraph && window.paGraph.interactive !== null", timeout=60_000)
    assert phone.locator("#network").bounding_box()["width"] >= 0.9 * 390
    assert not phone.locator("#side").is_visible()
    phone.click("#menu")
    assert phone.locator("#side").is_visible()
    phone.fill("#search", "LaMP")
    assert phone.locator("#results li").count() >= 1
    phone.keyboard.press("Escape")
    assert not phone.locator("#side").is_visible()
    phone.close()


HOSTILE = """## Section <script>window.__pwned = 'section'</script>

### Sub <img src=x onerror="window.__pwned = 'sub'">

| Paper | Abbr. | Year | Source | Tag | PDF |
|---|---|---|---|---|---|
| [<img src=x onerror="window.__pwned = 'title'; alert(1)"> title](javascript:alert(4)) | <script>window.__pwned = 'abbr'</script> | 2024 | arxiv | <img src=y onerror="alert(2)"> | [PDF](javascript:alert(5)) |
"""  # noqa: E501 (verbatim list lines)


def test_hostile_list_content_stays_text(browser, tmp_path):
    listed = write_list(tmp_path, "hostile.md", HOSTILE)
    build([listed], BuildOptions(out_dir=tmp_path / "out", enrich=False))
    page = Page(browser, tmp_path / "out" / "graph.html")
    work = page.js("paGraph.data.nodes.find(n => n.group === 'paper').id")
    page.click_node(work)
    page.page.mouse.move(10, 10)
    details = page.page.text_content("#details")
    assert """<img src=x onerror="window.__pwned = 'title'; alert(1)"> title""" in details
    assert "<script>window.__pwned = 'abbr'</script>" in details
    assert page.js("window.__pwned === undefined")
    assert page.dialogs == [] and page.requests == [] and page.errors == []
    assert page.js("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
    assert page.js("document.querySelectorAll('#details img, #details script, #tooltip img').length") == 0
    page.page.close()


def test_only_the_top_missing_paper_suggestions_are_ringed(browser, fake_enriched):
    import json

    suggested = {paper["node"] for paper in
                 json.loads((fake_enriched / "gaps.json").read_text(encoding="utf-8"))["missing_papers"]}
    page = Page(browser, fake_enriched / "graph.html")
    ringed = page.js("paGraph.network.body.data.nodes.get().filter(n => n.borderWidth === 4).map(n => n.id)")
    assert set(ringed) == suggested and len(suggested) == 30
    red = page.js("paGraph.network.body.data.nodes.get().filter(n => n.color && n.color.border === '#d62728')"
                  ".map(n => n.id)")
    assert set(red) == suggested
    assert "red ring: paper the list may be missing" in page.page.text_content("body")
    assert page.requests == [] and page.errors == []
    page.page.close()


def test_to_pyvis_shows_in_a_notebook_the_same_graph_offline(browser, fake_enriched, tmp_path, monkeypatch):
    """``to_pyvis().show()`` — what a notebook user calls — writes the same offline page, drawing pyvis's nodes."""
    from pa_graph.export.html import pyvis_network
    from pa_graph.export.store import load_model_json

    net = pyvis_network(load_model_json(fake_enriched / "graph.json"), title="In a notebook")
    monkeypatch.chdir(tmp_path)
    net.show("notebook.html")  # notebook=True by default: pyvis's notebook path, an IFrame for Jupyter
    page = Page(browser, tmp_path / "notebook.html")
    try:
        assert page.requests == [] and page.errors == []
        drawn = page.js("paGraph.network.body.data.nodes.get().map(n => [n.id, n.x, n.y, n.shape, n.size])")
        assert sorted(drawn) == sorted([n["id"], n["x"], n["y"], n["shape"], n["size"]] for n in net.nodes)  # sections last
        assert page.js("paGraph.data.edges.map(e => [e.from, e.to])") == [[e["from"], e["to"]] for e in net.edges]
        # authors start hidden above 400 nodes (and a big page draws citations on demand): with the boxes checked,
        # every edge of the Network is drawn
        for box in ("#all-citations", "input[data-group='author']"):
            if page.page.locator(box).is_visible():
                page.page.check(box)
        drawn = page.js("paGraph.network.body.data.edges.get().sort((a, b) => a.id - b.id).map(e => [e.from, e.to])")
        assert drawn == [[e["from"], e["to"]] for e in net.edges]
        colours = page.js("Object.fromEntries(paGraph.network.body.data.nodes.get().map(n => [n.id, n.color.border]))")
        culled = set(page.js("paGraph.culledIds || []"))  # a section whose name would collide is drawn without box
        assert {k: v for k, v in colours.items() if k not in culled} == {
            n["id"]: n["color"]["border"] for n in net.nodes if n["id"] not in culled}
        assert page.js("document.title") == "In a notebook"
    finally:
        page.page.close()


def test_section_names_are_legible_and_apart_at_the_initial_fit(laptop_page):
    page = laptop_page
    boxes = page.js("""(() => {
        const net = paGraph.network, ids = paGraph.data.nodes.filter(n => n.group === 'section').map(n => n.id);
        return ids.map(id => { const b = net.getBoundingBox(id);
            const a = net.canvasToDOM({x: b.left, y: b.top}), z = net.canvasToDOM({x: b.right, y: b.bottom});
            return {id: id, left: a.x, top: a.y, right: z.x, bottom: z.y,
                    px: net.body.nodes[id].options.font.size * net.getScale()}; }); })()""")
    size = page.js("[document.getElementById('network').clientWidth, document.getElementById('network').clientHeight]")
    assert len(boxes) == 12 and all(14 <= b["px"] <= 16 for b in boxes)
    for b in boxes:
        assert 0 <= b["left"] and b["right"] <= size[0] and 0 <= b["top"] and b["bottom"] <= size[1], b
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            assert apart, (a["id"], b["id"])


@pytest.fixture(scope="module")
def big_page(browser, fake_citations):
    """The --citations build's page (over 5,000 nodes), loaded once for the tests that click on it and undo it."""
    page = Page(browser, fake_citations / "graph.html")
    yield page
    page.page.close()


def test_on_a_big_page_a_click_selects_the_neighbourhood_instead_of_restyling_every_node(big_page):
    page = big_page
    try:
        assert page.js("paGraph.data.nodes.length") > 3000
        work = page.js("paGraph.data.nodes.find(n => n.group === 'paper' && n.inList > 2).id")
        page.js(f"paGraph.highlight({work!r}); null")
        selected = set(page.js("paGraph.network.getSelectedNodes()"))
        neighbours = set(page.js(f"paGraph.data.edges.filter(e => e.from === {work!r} || e.to === {work!r})"
                                 f".map(e => e.from === {work!r} ? e.to : e.from)"))
        assert selected == neighbours | {work}
        assert page.js("paGraph.data.nodes.filter(n => n.faded).length") == 0
        assert page.js("paGraph.selected") == work and page.requests == [] and page.errors == []
    finally:
        page.page.keyboard.press("Escape")


def test_a_big_page_draws_a_works_citations_over_the_map_when_it_is_clicked(big_page):
    page = big_page
    try:
        drawn_cites = "paGraph.network.body.data.edges.get().filter(e => e.rel === 'cites').length"
        assert page.js(drawn_cites) == 0 and page.js("paGraph.data.edges.some(e => e.rel === 'cites')")
        work = page.js("paGraph.data.nodes.find(n => n.group === 'paper' && n.inList > 2).id")
        own = page.js(f"paGraph.data.edges.filter(e => e.rel === 'cites' && (e.from === {work!r} || e.to === {work!r})).length")
        page.js(f"paGraph.highlight({work!r}); null")
        # drawn over the map, not added to the network (which would cost vis-network a pass over all its data)
        assert page.js("paGraph.overlay.length") == own > 0 and page.js(drawn_cites) == 0
        assert page.js("paGraph.shownEdges") >= own
    finally:
        page.page.keyboard.press("Escape")
    assert page.js("paGraph.overlay.length") == 0


def test_on_a_phone_a_tap_shows_the_details_in_a_sheet_that_leaves_the_node_visible(browser, fake_citations):
    """The enriched build with --citations on a 390×844 phone: a tap on a paper opens its details in a sheet with
    its title in full, the node moved above the sheet; the back button closes it."""
    phone = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    phone.goto((fake_citations / "graph.html").resolve().as_uri())
    phone.wait_for_function("window.paGraph && window.paGraph.interactive !== null", timeout=60_000)
    work = phone.evaluate("paGraph.data.nodes.find(n => n.group === 'paper' && n.title.length > 60)")
    phone.evaluate(f"paGraph.network.focus({work['id']!r}, {{scale: 1.5, animation: false}})")
    phone.wait_for_timeout(100)
    point = phone.evaluate(f"""(() => {{ const p = paGraph.network.getPositions([{work['id']!r}])[{work['id']!r}];
        return paGraph.network.canvasToDOM(p); }})()""")
    box = phone.locator("#network").bounding_box()
    phone.touchscreen.tap(box["x"] + point["x"], box["y"] + point["y"])
    phone.wait_for_timeout(300)
    sheet = phone.locator("#sheet")
    assert sheet.is_visible() and work["title"] in sheet.inner_text()  # the title in full
    top = sheet.bounding_box()["y"]
    after = phone.evaluate(f"""(() => {{ const p = paGraph.network.getPositions([{work['id']!r}])[{work['id']!r}];
        return paGraph.network.canvasToDOM(p); }})()""")
    assert 0 < box["y"] + after["y"] < top - 10  # the node stays in sight, above the sheet
    phone.go_back()  # the back button closes the sheet
    phone.wait_for_timeout(200)
    assert not sheet.is_visible() and errors == []
    phone.close()


def test_full_enriched_graph_is_drawn(big_page):
    """The big page as it opens (the most connected papers not in the list and the suggestions shown, methods,
    venues and authors hidden), then everything shown by the legend's boxes; the boxes are unchecked after."""
    page = big_page
    total = page.js("paGraph.network.body.data.nodes.length")
    assert total >= 5000
    shown = page.js("paGraph.data.nodes.filter(n => n.group === 'external' && !n.hidden).map(n => n.id)")
    expected = page.js("paGraph.data.nodes.filter(n => n.group === 'external' && (n.topExternal || n.gap)).map(n => n.id)")
    assert sorted(shown) == sorted(expected)  # the 50 most connected, plus every gap suggestion (ringed in red)
    assert page.js("paGraph.data.nodes.filter(n => n.topExternal).length") == 50
    assert 50 < len(shown) < total / 10
    groups = ("method", "venue", "author")
    try:  # above 400 nodes methods, venues and authors start hidden; their legend checkboxes show them
        for group in groups:
            assert page.js(f"paGraph.data.nodes.filter(n => n.group === '{group}' && !n.hidden).length") == 0
            assert page.js(f"paGraph.data.nodes.filter(n => n.group === '{group}').length") > 0
            page.page.check(f"input[data-group='{group}']")
        assert page.js("paGraph.data.nodes.filter(n => n.group === 'method' && !n.hidden).length") > 0
        page.page.check("#all-external")
        assert page.js("paGraph.visible.size") == total
        assert page.requests == [] and page.errors == []
    finally:
        for box in ("#all-external", *(f"input[data-group='{group}']" for group in groups)):
            page.page.uncheck(box)


FILLED = """(() => {  // the share of the canvas the drawing (every shown node with its label) covers
  const net = paGraph.network, canvas = document.getElementById('network');
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  paGraph.data.nodes.filter(n => !n.hidden).forEach(n => {
    const box = net.getBoundingBox(n.id);
    const a = net.canvasToDOM({x: box.left, y: box.top}), z = net.canvasToDOM({x: box.right, y: box.bottom});
    x0 = Math.min(x0, a.x); y0 = Math.min(y0, a.y); x1 = Math.max(x1, z.x); y1 = Math.max(y1, z.y);
  });
  const w = canvas.clientWidth, h = canvas.clientHeight;
  return (Math.min(x1, w) - Math.max(x0, 0)) * (Math.min(y1, h) - Math.max(y0, 0)) / (w * h);
})()"""


COVERED = """(() => {  // per drawn section name: pixels of its box that have the colour of a work's dot
  const net = paGraph.network, canvas = document.querySelector('#network canvas');
  const context = canvas.getContext('2d'), ratio = canvas.width / canvas.clientWidth;
  const hex = c => [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16));
  const dots = paGraph.data.legend.filter(e => ['paper', 'survey', 'external'].includes(e.group))
    .map(e => hex(typeof e.color === 'string' ? e.color : e.color.background));
  return paGraph.data.nodes.filter(n => n.group === 'section' && !n.hidden && net.body.nodes[n.id].options.label)
    .map(n => {
      const box = net.body.nodes[n.id].labelModule.size;
      const a = net.canvasToDOM({x: box.left, y: box.top});
      const z = net.canvasToDOM({x: box.left + box.width, y: box.top + box.height});
      const x = Math.max(0, Math.round(a.x * ratio) + 2), y = Math.max(0, Math.round(a.y * ratio) + 2);
      const w = Math.round((z.x - a.x) * ratio) - 4, h = Math.round((z.y - a.y) * ratio) - 4;
      if (w <= 0 || h <= 0) return [n.id, 0, 0];
      const pixels = context.getImageData(x, y, w, h).data;
      let hits = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        const near = c => Math.abs(c[0] - pixels[i]) + Math.abs(c[1] - pixels[i + 1]) + Math.abs(c[2] - pixels[i + 2]) < 12;
        if (dots.some(near)) hits++;
      }
      return [n.id, hits, w * h];
    });
})()"""


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)], ids=["laptop", "phone"])
def test_the_map_fills_the_screen_and_draws_section_names_over_the_dots(browser, fake_enriched, width, height):
    """The enriched map at 1366×768 and on a phone held upright (packed for its screen: it fills the height as well
    as the width; it filled 36% of a 390×844 canvas when the map was packed for a laptop's window only), and no
    work's dot covers a section's name: the canvas under each drawn name holds no pixel of a dot's colour, and
    vis-network draws the sections last."""
    page = Page(browser, fake_enriched / "graph.html", width, height)
    try:
        page.page.wait_for_function("paGraph.cullPasses > 0", timeout=30_000)
        page.js("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        assert page.js(FILLED) >= 0.8
        covered = page.js(COVERED)
        assert len(covered) >= 6
        assert [name for name, hits, _ in covered if hits] == []
        order = page.js("paGraph.network.body.nodeIndices.map(id => paGraph.data.nodes.find(n => n.id === id).group)")
        assert "section" not in order[:order.index("section")] and set(order[order.index("section"):]) == {"section"}
    finally:
        page.page.close()
