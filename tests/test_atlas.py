"""The field atlas: a build of several lists seen list by list — overlaps, the consensus core, each list's
exclusives — on lists written by hand, on the bundled list with two real sibling lists, and drawn in Chromium."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pytest
from conftest import FIXTURES, TABLE, row, write_list

from pa_graph.cli import main

ARXIV = "https://arxiv.org/abs/24{:02d}.0000{}"


def _paper(n: int, title: str | None = None, link: bool = True) -> str:
    return row(title or f"Hand written work number {n}", link=ARXIV.format(n, n) if link else "")


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """Three small lists and their build, the core at two lists.

    ========  ==========================  ==============================
    list      works                       notes
    ========  ==========================  ==============================
    a.md      1, 2, 3, 4
    b.md      2, 3, 5                     5 without a link: "Personal memory for assistants"
    c.md      3, 4, 5, 6                  5 as "Personal memory for assistant" (a near title)
    ========  ==========================  ==============================

    Shared: a∩b = {2, 3} = 2, a∩c = {3, 4} = 2, b∩c = {3, 5} = 2; Jaccard a,b = 2 / |{1..5}| = 0.4,
    a,c = 2 / |{1, 2, 3, 4, 5, 6}| = 0.3333, b,c = 2 / |{2, 3, 4, 5, 6}| = 0.4. Exclusive: a {1}, b none, c {6}.
    Core at two lists: 3 (three lists) first, then 2, 4, 5 (two lists); at three lists: 3 alone. Work 5 is joined
    on its near title alone: a merge to check.
    """
    folder = tmp_path_factory.mktemp("atlas")
    five_b = row("Personal memory for assistants")
    five_c = row("Personal memory for assistant")
    lists = [write_list(folder, "a.md", "# List A\n\n" + TABLE.format(rows="\n".join(_paper(n) for n in (1, 2, 3, 4)))),
             write_list(folder, "b.md", "# List B\n\n" + TABLE.format(rows="\n".join([_paper(2), _paper(3), five_b]))),
             write_list(folder, "c.md", "# List C\n\n" + TABLE.format(
                 rows="\n".join([_paper(3), _paper(4), five_c, _paper(6)])))]
    out = folder / "out"
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["build", *map(str, lists), "--no-enrich", "--core-min", "2", "--out", str(out),
                                       "--quiet"])
    assert result.exit_code == 0, result.output
    return out, lists


def test_three_hand_written_lists_give_the_overlaps_core_and_exclusives_worked_out_above(three):
    out, lists = three
    document = json.loads((out / "atlas.json").read_text())
    by_id = {item["id"]: item for item in document["lists"]}
    assert [(i["id"], i["source"], i["title"], i["works"], i["exclusive"]) for i in document["lists"]] == [
        ("a-md", str(lists[0]), "List A", 4, 1), ("b-md", str(lists[1]), "List B", 3, 0),
        ("c-md", str(lists[2]), "List C", 4, 1)]
    assert by_id["a-md"]["exclusive_works"] == ["Hand written work number 1"]
    assert by_id["c-md"]["exclusive_works"] == ["Hand written work number 6"]
    assert [(p["a"], p["b"], p["shared"], p["jaccard"]) for p in document["pairs"]] == [
        ("a-md", "b-md", 2, 0.4), ("a-md", "c-md", 2, 0.3333), ("b-md", "c-md", 2, 0.4)]
    core = [(w["title"], w["lists"]) for w in document["core"]]
    assert core[0] == ("Hand written work number 3", ["a-md", "b-md", "c-md"])
    assert sorted(title for title, lists_ in core[1:]) == ["Hand written work number 2", "Hand written work number 4",
                                                           "Personal memory for assistants"]
    assert [w["title"] for w in document["doubtful_merges"]] == ["Personal memory for assistants"]
    assert all(w["arxiv"] == "2403.00003" for w in document["core"][:1])
    page = (out / "atlas.md").read_text()
    assert "| `a-md` | 4 | 2 | 2 |" in page and "## Merges to check (1)" in page


def test_the_atlas_command_and_the_overlap_queries_agree_with_atlas_json(three, runner, tmp_path):
    out, lists = three
    again = runner.invoke(main, ["atlas", str(out), "--core-min", "3"])
    assert again.exit_code == 0, again.output
    document = json.loads((out / "atlas.json").read_text())
    assert document["core_min"] == 3 and [w["title"] for w in document["core"]] == ["Hand written work number 3"]
    asked = runner.invoke(main, ["query", "list-overlap", "--graph", str(out / "graph.ttl"), "--format", "json"])
    assert asked.exit_code == 0, asked.output
    rows = json.loads(asked.stdout)
    files = {item["id"]: Path(item["source"]).name for item in document["lists"]}
    assert sorted((r["a"], r["b"], int(r["shared"])) for r in rows) == sorted(
        tuple(sorted((files[p["a"]], files[p["b"]]))) + (p["shared"],) for p in document["pairs"])
    in_three = runner.invoke(main, ["query", "works-in-k-lists", "--bind", "k=3", "--graph", str(out / "graph.ttl"),
                                    "--format", "json"])
    assert [r["title"] for r in json.loads(in_three.stdout)] == ["Hand written work number 3"]
    only_c = runner.invoke(main, ["query", "exclusive-to", "--bind", "list=c.md", "--graph", str(out / "graph.ttl"),
                                  "--format", "json"])
    assert [r["title"] for r in json.loads(only_c.stdout)] == ["Hand written work number 6"]
    by_id = runner.invoke(main, ["query", "exclusive-to", "--bind", "list=c-md", "--graph", str(out / "graph.ttl"),
                                 "--format", "json"])  # the atlas's id names the list too
    assert [r["title"] for r in json.loads(by_id.stdout)] == ["Hand written work number 6"]
    every = runner.invoke(main, ["query", "exclusive-to", "--graph", str(out / "graph.ttl"), "--format", "json"])
    assert [(r["file"], r["title"]) for r in json.loads(every.stdout)] == [
        ("a.md", "Hand written work number 1"), ("c.md", "Hand written work number 6")]
    single = tmp_path / "single"
    assert runner.invoke(main, ["build", str(lists[0]), "--no-enrich", "--out", str(single), "--quiet"]).exit_code == 0
    assert not (single / "atlas.json").exists()  # a build of one list writes no atlas
    refused = runner.invoke(main, ["atlas", str(single)])
    assert refused.exit_code == 2 and "a build of one list has no atlas" in refused.output


REAL = ["neph0s-awesome-llm-role-playing-with-persona-99694e0.md", "vanillacreamer-awesome-personalized-llms-3a6f690.md"]


def test_the_bundled_and_two_real_lists_share_what_an_independent_count_finds(tmp_path, runner):
    """The bundled list with the two real sibling lists: each pair's shared works, counted here independently —
    a work of one list is in the other when they share an arXiv id or a normalised title — equal atlas.json's."""
    from pa_graph.lists.load import bundled_list
    from pa_graph.lists.read import read_list
    from pa_graph.text import arxiv_base_id, normalize_title

    paths = [bundled_list()] + [FIXTURES / "lists" / name for name in REAL]
    out = tmp_path / "out"
    built = runner.invoke(main, ["build", *map(str, paths), "--no-enrich", "--out", str(out), "--quiet"])
    assert built.exit_code == 0, built.output
    document = json.loads((out / "atlas.json").read_text())

    def works(path: Path) -> list[set[str]]:  # each work of a list as the keys its rows give
        found: list[set[str]] = []
        for listed in read_list(path).rows:
            keys = {"t:" + normalize_title(listed.title)} | ({"a:" + arxiv_base_id(listed.arxiv_id)}
                                                            if listed.arxiv_id else set())
            same = [w for w in found if w & keys]
            merged = keys.union(*same)
            found = [w for w in found if not w & keys] + [merged]
        return found

    keyed = [works(path) for path in paths]
    ids = [item["id"] for item in document["lists"]]
    expected = {(ids[i], ids[j]): sum(1 for work in keyed[i] if any(work & other for other in keyed[j]))
                for i, j in combinations(range(3), 2)}
    assert {(p["a"], p["b"]): p["shared"] for p in document["pairs"]} == expected
    assert all(value > 0 for value in expected.values())
    asked = runner.invoke(main, ["query", "list-overlap", "--graph", str(out / "graph.ttl"), "--format", "json"])
    names = {item["id"]: Path(item["source"]).name for item in document["lists"]}
    assert sorted(int(r["shared"]) for r in json.loads(asked.stdout)) == sorted(expected.values())
    assert {tuple(sorted((r["a"], r["b"]))) for r in json.loads(asked.stdout)} == {
        tuple(sorted((names[a], names[b]))) for a, b in expected}


def map_page(browser, out: Path):
    """The build's map in Chromium, every request that is no file of the build aborted, ready to use."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page.goto((out / "graph.html").resolve().as_uri())
    page.wait_for_function("window.paGraph && paGraph.interactive !== null", timeout=60_000)
    return page


def test_the_maps_list_filter_and_atlas_html_in_chromium(three, browser):
    out, _ = three
    page = map_page(browser, out)
    try:
        shown = "paGraph.data.nodes.filter(n => n.group === 'paper' && !n.hidden).map(n => n.title).sort()"
        assert len(page.evaluate(shown)) == 6
        page.evaluate("paGraph.listSelect.setValue(['a-md'])")
        assert page.evaluate(shown) == [f"Hand written work number {n}" for n in (1, 2, 3, 4)]
        page.evaluate("paGraph.listSelect.setValue(['a-md', 'c-md'])")  # an intersection
        assert page.evaluate(shown) == ["Hand written work number 3", "Hand written work number 4"]
        page.evaluate("paGraph.listSelect.setValue(['@core'])")  # the core: here, works in two lists or more
        assert page.evaluate(shown) == ["Hand written work number 2", "Hand written work number 3",
                                        "Hand written work number 4", "Personal memory for assistants"]
        assert "list=%40core" in page.evaluate("location.hash")
        colours = page.evaluate("Object.fromEntries(paGraph.data.nodes.filter(n => n.group === 'paper')"
                                ".map(n => [n.title, paGraph.nodes.get(n.id).color.background]))")
        assert colours["Hand written work number 1"] != colours["Hand written work number 3"]  # 1 list vs 3

        page.goto((out / "atlas.html").resolve().as_uri())
        page.wait_for_selector("#vega-chart g.concat_1_marks path", timeout=30_000)
        cells = page.evaluate("document.querySelectorAll('#vega-chart g.concat_0_layer_0_marks path').length")
        bars = page.evaluate("document.querySelectorAll('#vega-chart g.concat_1_marks path').length")
        texts = page.evaluate("Array.from(document.querySelectorAll('#vega-chart g.concat_0_layer_1_marks text'))"
                              ".map(t => t.textContent)")
    finally:
        page.close()
    assert cells == 9 and bars == 6  # a cell per pair of lists; a bar per list for shared and for exclusive works
    assert sorted(texts) == sorted(["4", "2", "2", "2", "3", "2", "2", "2", "4"])


def test_the_atlas_pages_join_the_site_with_rows_linked_to_the_map(three, tmp_path):
    from pa_graph.build_folder import Build
    from pa_graph.site import build_site

    out, _ = three
    build_site(Build.open(out), tmp_path / "site")
    index = (tmp_path / "site" / "index.html").read_text()
    assert 'href="atlas-report.html"' in index and 'href="atlas.html"' in index
    report = (tmp_path / "site" / "atlas-report.html").read_text()
    assert '<td><a href="graph.html#work/hand-written-work-number-3-' in report  # a core work opens on the map


def test_a_works_details_name_the_lists_that_hold_it(three, browser):
    out, _ = three
    page = map_page(browser, out)
    try:
        work = page.evaluate("paGraph.data.nodes.find(n => n.title === 'Hand written work number 3').id")
        page.evaluate("id => paGraph.go(id)", work)
        assert "in lists: List A, List B, List C" in page.inner_text("#details")
    finally:
        page.close()
    assert "<title>Field atlas: List A + List B + List C</title>" in (out / "atlas.html").read_text()
