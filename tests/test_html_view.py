from __future__ import annotations

import json
import re
from collections import Counter

import networkx as nx
from conftest import write_list

from pa_graph import assemble
from pa_graph.export.html import render_html

PAYLOADS = ['<img src=x onerror="alert(1)">', "<script>alert(2)</script>"]
HOSTILE_LIST = f"""## Section {PAYLOADS[1]}

### Sub <img src=x onerror=alert(3)>

| Paper | Abbr. | Year | Source | Tag | PDF |
|---|---|---|---|---|---|
| [{PAYLOADS[0]} title](javascript:alert(4)) | {PAYLOADS[1]} | 2024 | arxiv | {PAYLOADS[0]} | |
"""


def test_page_loads_nothing_from_the_network(built):
    page = (built / "graph.html").read_text(encoding="utf-8")
    assert not re.search(r"""<(?:script|link)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "bootstrap" not in page.lower()
    assert "vis.DataSet" in page and "new vis.Network" in page and "TomSelect" in page


def page_data(page: str) -> dict:
    return json.loads(re.search(r'<script id="pa-data" type="application/json">(.*?)</script>', page, re.DOTALL).group(1))


def test_page_has_one_node_per_work_section_tag_method_venue(built, bundled):
    page = (built / "graph.html").read_text(encoding="utf-8")
    nodes = page_data(page)["nodes"]
    assert len(nodes) == bundled.model.number_of_nodes()
    groups = {node["group"] for node in nodes}
    assert groups == {"paper", "survey", "section", "tag", "method", "venue"}
    assert all("x" in node and "y" in node for node in nodes)


def test_list_content_never_reaches_the_page_as_markup(tmp_path):
    kg = assemble([write_list(tmp_path, "hostile.md", HOSTILE_LIST)])
    page = render_html(kg.model)
    for payload in PAYLOADS + ["<img src=x onerror=alert(3)>"]:
        assert payload not in page
    nodes = page_data(page)["nodes"]
    labels = {node["label"] for node in nodes}
    assert PAYLOADS[1] in labels  # the abbreviation, kept as text, escaped in the page source
    assert any(PAYLOADS[0] in node["title"] for node in nodes)


def test_layout_is_deterministic(bundled):
    from pa_graph.export.html import layout

    assert layout(bundled.model) == layout(bundled.model)


def test_the_works_of_a_section_sit_together_around_its_name(bundled, fake_citations):
    import math

    from pa_graph.export.html import layout
    from pa_graph.export.store import load_model_json

    for model in (bundled.model, load_model_json(fake_citations / "graph.json")):
        positions = layout(model)
        home = {n: next(v for _, v, k in model.out_edges(n, keys=True) if k == "listed_in")
                for n, d in model.nodes(data=True) if d["kind"] == "work" and d.get("listed")}
        sections = set(home.values())
        assert len(sections) >= 10
        for work, section in home.items():
            nearest = min(sections, key=lambda s: math.dist(positions[work], positions[s]))
            assert nearest == section, (work, section, nearest)
        outside = [n for n, d in model.nodes(data=True) if d["kind"] == "work" and not d.get("listed")]
        rim = {s: max(math.dist(positions[w], positions[s]) for w in home if home[w] == s) for s in sections}
        beside = 0
        for node in outside:  # next to the section whose works cite it most, outside that section's works
            counts = Counter(home[m] for m in (*model.predecessors(node), *model.successors(node)) if m in home)
            if not counts:
                continue
            most = max(counts.values())
            nearest = min(sections, key=lambda s: math.dist(positions[node], positions[s]) - rim[s])  # edge to edge
            beside += counts[nearest] == most
            assert all(math.dist(positions[node], positions[s]) > rim[s] for s in sections), node  # among no works
        if outside:  # the old ring round the map: 16% on the --citations build
            assert beside >= 0.8 * len([n for n in outside if any(m in home for m in nx.all_neighbors(model, n))])


def test_focused_views(bundled):
    from pa_graph.export.html import select_view

    rag = select_view(bundled.model, category="rag")
    works = [n for n, d in rag.nodes(data=True) if d["kind"] == "work"]
    assert len(works) == 28
    top = select_view(bundled.model, category="Training-time Personalized Alignment")
    assert sum(1 for _, d in top.nodes(data=True) if d["kind"] == "work") == 15 + 11 + 18 + 5  # no work in two sub-categories
    ego = select_view(bundled.model, ego="Lamp")
    assert {d.get("label") or d["title"] for _, d in ego.nodes(data=True)} == {
        "Lamp: When large language models meet personalization", "RAG", "Lamp"}


def test_top_external_papers_start_visible_the_rest_hidden(fake_citations):
    from pa_graph.export.html import view_data
    from pa_graph.export.store import load_model_json

    model = load_model_json(fake_citations / "graph.json")
    data = view_data(model, top_external=10)
    external = [n for n in data["nodes"] if n["group"] == "external"]
    assert sum(n["topExternal"] for n in external) == 10
    ranked = sorted((n["inList"] for n in external), reverse=True)
    assert min(n["inList"] for n in external if n["topExternal"]) == ranked[9]
    assert all(n["topExternal"] for n in view_data(model, top_external=None)["nodes"] if n["group"] == "external")


def test_methods_venues_and_authors_start_hidden_only_above_400_nodes(fake_citations, bundled):
    from pa_graph.export.html import pyvis_network, view_data
    from pa_graph.export.store import load_model_json

    model = load_model_json(fake_citations / "graph.json")
    data = view_data(model)
    assert len(data["nodes"]) > 400 and data["hiddenGroups"] == ["method", "venue", "author"]
    net = pyvis_network(model)
    groups = {n["id"]: n["group"] for n in data["nodes"]}
    hidden_methods = [n for n in net.nodes if n["hidden"] and groups[n["id"]] == "method"]
    assert hidden_methods and all(n["hidden"] for n in net.nodes if groups[n["id"]] in ("method", "venue", "author"))
    assert not any(n["hidden"] for n in net.nodes if groups[n["id"]] == "paper")
    small = view_data(bundled.model)
    assert len(small["nodes"]) <= 400 and small["hiddenGroups"] == []


def test_view_command(runner, built, tmp_path):
    from pa_graph.cli import main

    out = tmp_path / "rag.html"
    result = runner.invoke(main, ["view", "--graph", str(built / "graph.ttl"), "--category", "RAG", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {out}: ") and "(28 works)" in result.stdout
    assert len(page_data(out.read_text(encoding="utf-8"))["nodes"]) > 28
    unknown = runner.invoke(main, ["view", "--graph", str(built / "graph.ttl"), "--category", "Nope"])
    assert unknown.exit_code == 2 and unknown.stderr.startswith("Error: --category 'Nope': no such section; sections: Agent")
    vague = runner.invoke(main, ["view", "--graph", str(built / "graph.ttl"), "--ego", "personal"])
    assert vague.exit_code == 2 and "be more precise" in vague.stderr
    missing = runner.invoke(main, ["view", "--graph", str(tmp_path / "none" / "graph.ttl")])
    assert missing.exit_code == 2 and missing.stderr == (
        f"Error: {tmp_path / 'none' / 'graph.ttl'}: no such graph file (run 'pa-graph build' first, or pass --graph FILE)\n")


def test_to_pyvis_holds_exactly_what_the_page_draws(bundled):
    from pyvis.network import Network

    from pa_graph.export.html import view_data

    net = bundled.to_pyvis()
    data = view_data(bundled.model)
    assert isinstance(net, Network)
    assert [n["id"] for n in net.nodes] == [n["id"] for n in data["nodes"]]
    assert [(n["x"], n["y"]) for n in net.nodes] == [(n["x"], n["y"]) for n in data["nodes"]]
    assert [(e["from"], e["to"]) for e in net.edges] == [(e["from"], e["to"]) for e in data["edges"]]
    assert net.get_nodes() == [n["id"] for n in data["nodes"]]


def test_the_view_of_a_built_graph_shows_the_audit_flags_of_its_audit_json(runner, built, bundled, tmp_path):
    import json
    import re

    from pa_graph.cli import main

    result = runner.invoke(main, ["view", "--graph", str(built / "graph.ttl"), "--out", str(tmp_path / "v.html")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "v.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script id="pa-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    shown = {n["id"]: n["flags"] for n in data["nodes"] if n.get("flags")}
    expected = {node: flags for node, flags in bundled.audit_flags().items()}  # the build's own flags
    assert shown == expected and any(f.startswith("repeated-row: ") for flags in shown.values() for f in flags)


def test_the_page_is_titled_by_the_list(built, bundled_path, tmp_path):
    import re

    from pa_graph.lists.read import parse_list_text

    heading = re.search(r"<h1[^>]*>(.*?)</h1>", bundled_path.read_text(encoding="utf-8")).group(1)
    page = (built / "graph.html").read_text(encoding="utf-8")
    assert f"<title>{heading}</title>" in page and f"<h1>{heading}</h1>" in page
    assert parse_list_text("# My *own* list\n\n## A\n", "x.md").title == "My own list"
    assert parse_list_text("## Only sections\n", "x.md").title is None  # the file name stands in


def test_a_focused_view_is_titled_by_the_list_and_its_focus(runner, built, tmp_path):
    from pa_graph.cli import main

    result = runner.invoke(main, ["view", "--graph", str(built / "graph.ttl"), "--category", "RAG",
                                  "--out", str(tmp_path / "v.html")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "v.html").read_text(encoding="utf-8")
    assert "<title>Large Language Models for Personalized Alignment: RAG</title>" in page


def test_papers_not_in_the_list_are_labelled_first_author_year_and_sizes_follow_in_list_citations(fake_citations):
    from pa_graph.export.html import view_data
    from pa_graph.export.store import load_model_json

    model = load_model_json(fake_citations / "graph.json")
    works = [n for n in view_data(model)["nodes"] if n["group"] in ("paper", "survey", "external")]
    external = [n for n in works if n["group"] == "external" and n["authors"] and n["year"]]
    assert external
    for node in external:
        assert node["label"] == f"{node['authors'][0].split()[-1]} {node['year']}"
    assert all(n["label"] for n in works)
    by_citers = sorted(works, key=lambda n: n["inList"])
    assert [n["size"] for n in by_citers] == sorted(n["size"] for n in works)
    assert by_citers[0]["size"] < by_citers[-1]["size"]


def test_the_page_payload_is_compact_and_expands_to_pyvis_nodes_and_edges(fake_enriched):
    from pa_graph.export.html import pyvis_network
    from pa_graph.export.store import load_model_json

    model = load_model_json(fake_enriched / "graph.json")
    external = next(n for n, d in model.nodes(data=True) if d["kind"] == "work" and not d.get("listed"))
    net = pyvis_network(model, suggestions={external: "cited by 9 listed works"})
    sent = page_data(net.generate_html())
    assert [[sent["nodes"][f]["id"], sent["nodes"][t]["id"], sent["relations"][r]] for f, t, r in sent["edges"]] == \
        [[e["from"], e["to"], e["rel"]] for e in net.edges]
    factored = 0
    for full, compact in zip(net.nodes, sent["nodes"], strict=True):
        expanded = {**sent["defaults"][compact["group"]], **compact}
        assert expanded == {k: v for k, v in full.items()
                            if not (v is None or v is False or (isinstance(v, (str, list, dict)) and not v))}
        assert "x" in compact and "y" in compact
        factored += "color" not in compact
    assert factored > len(net.nodes) / 2  # most nodes draw with their group's style, sent once
    assert any(n.get("hidden") for n in sent["nodes"]) and any(n.get("gap") for n in sent["nodes"])


def test_page_weight_stays_within_budget(built, fake_citations):
    """1 MB for the offline bundled build, 3 MB with --citations on the fake-enriched list (1 MB = 10**6 bytes)."""
    assert (built / "graph.html").stat().st_size < 1_000_000
    assert (fake_citations / "graph.html").stat().st_size < 3_000_000


def test_a_page_embeds_at_most_5000_papers_not_in_the_list_and_counts_the_rest():
    import networkx as nx

    from pa_graph.export.html import PAGE_EXTERNALS, page_payload, pyvis_network

    model = nx.MultiDiGraph(lists=[])
    model.add_node("section/s", kind="section", label="S", level=1)
    model.add_node("work/w", kind="work", listed=True, title="The listed work", year=2024)
    model.add_edge("work/w", "section/s", key="listed_in")
    for n in range(PAGE_EXTERNALS + 700):
        model.add_node(f"work/s2/{n}", kind="work", listed=False, title=f"Outside {n}", year=2020)
        model.add_edge(f"work/s2/{n}", "work/w", key="cites")
        model.add_node(f"author/{n}", kind="author", label=f"Author {n}")
        model.add_edge(f"work/s2/{n}", f"author/{n}", key="creator")
    last = sorted(f"work/s2/{n}" for n in range(PAGE_EXTERNALS + 700))[-1]  # ranked last (ties go by id)
    net = pyvis_network(model, suggestions={last: "a suggestion"})
    external = {n["id"] for n in net.nodes if n["group"] == "external"}
    assert len(external) == 50 + PAGE_EXTERNALS + 1 and last in external  # shown, embedded, and the suggestion
    authors = {n["id"] for n in net.nodes if n["group"] == "author"}
    assert authors == {f"author/{n.split('/')[-1]}" for n in external}  # no author of a left-out paper
    ids = {n["id"] for n in net.nodes}
    assert all(e["from"] in ids and e["to"] in ids for e in net.edges)
    payload = json.loads(page_payload(net.nodes, net.edges, net.options))
    assert payload["summarised"] == 700 - 50 - 1 and "paSummarised" not in payload["options"]


def test_a_page_embeds_papers_not_in_the_list_only_while_its_edge_budget_lasts():
    import networkx as nx

    from pa_graph.export.html import PAGE_EDGES, pyvis_network

    model = nx.MultiDiGraph(lists=[])
    model.add_node("section/s", kind="section", label="S", level=1)
    model.add_node("work/w", kind="work", listed=True, title="The listed work", year=2024)
    model.add_edge("work/w", "section/s", key="listed_in")
    for a in range(40):
        model.add_node(f"author/{a}", kind="author", label=f"Author {a}")
    for n in range(2600):  # 41 edges each: 106,600 in all
        model.add_node(f"work/s2/{n}", kind="work", listed=False, title=f"Outside {n}", year=2020)
        model.add_edge(f"work/s2/{n}", "work/w", key="cites")
        for a in range(40):
            model.add_edge(f"work/s2/{n}", f"author/{a}", key="creator")
    net = pyvis_network(model)
    external = [n for n in net.nodes if n["group"] == "external"]
    assert len(net.edges) <= PAGE_EDGES < 106_600
    assert 50 < len(external) < 2600 and PAGE_EDGES - len(net.edges) < 41  # filled up to the budget
