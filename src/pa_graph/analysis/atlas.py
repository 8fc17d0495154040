"""The field atlas: a build of several lists seen list by list — which list holds which work, how much two lists
share, the consensus core (the works at least K lists hold) and each list's exclusives (the works no other list
holds).

The atlas reads the model the build made, so it matches works exactly as the graph does (the resolver's arXiv ids,
normalised and near-duplicate titles): a work two lists hold is one node, and the atlas counts it once. The merges a
reader should check are told apart: a work whose rows from different lists share no arXiv id and no normalised title
— they were joined on a near-duplicate title alone. The core is the works at least K lists hold (all of them, when
fewer than K lists are given).
"""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import networkx as nx

from pa_graph.model import list_index, lists_of
from pa_graph.options import DEFAULT_CORE_MIN
from pa_graph.text import arxiv_base_id, counted, normalize_title
from pa_graph.text import markdown_text as cell

__all__ = ["Atlas", "ListCover", "Shared", "CoreWork", "atlas", "atlas_files", "warm_up", "DEFAULT_CORE_MIN",
           "ATLAS_SCHEMA"]

ATLAS_SCHEMA = "https://w3id.org/pa-graph/atlas/v1"
_SHOWN = 50  # exclusives listed per list in atlas.md (the count is complete)


@dataclass(frozen=True, kw_only=True)
class ListCover:
    id: str
    source: str
    title: str
    works: int
    exclusive: tuple[str, ...]  # node ids of the works no other list holds


@dataclass(frozen=True)
class Shared:
    a: str
    b: str
    shared: int
    jaccard: float


@dataclass(frozen=True, kw_only=True)
class CoreWork:
    node: str
    title: str
    arxiv: str | None
    doi: str | None
    lists: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Atlas:
    lists: tuple[ListCover, ...]
    pairs: tuple[Shared, ...]
    core: tuple[CoreWork, ...]  # most lists first
    core_min: int
    doubtful: tuple[CoreWork, ...]  # works whose rows from different lists were joined on a near-duplicate title


def atlas(model: nx.MultiDiGraph[str], core_min: int = DEFAULT_CORE_MIN) -> Atlas:
    """The atlas of a build's lists (see the module docstring)."""
    listed = model.graph.get("lists", [])
    ids_by_name = list_index(model)
    core_min = min(core_min, max(len(listed), 1))  # fewer lists than K: the core is what all of them hold
    holders: dict[str, list[str]] = {}  # work node → ids of the lists holding it, in the lists' order
    for node, data in model.nodes(data=True):
        if data.get("kind") == "work" and data.get("listed", True):
            holders[node] = lists_of(data, ids_by_name)
    held: dict[str, set[str]] = {list_id: set() for list_id in ids_by_name.values()}
    for node, ids in holders.items():
        for list_id in ids:
            held[list_id].add(node)
    covers = tuple(ListCover(id=ids_by_name[item["name"]], source=str(item.get("source") or item["name"]),
                             title=str(item.get("title") or item["name"]), works=len(held[ids_by_name[item["name"]]]),
                             exclusive=tuple(n for n in holders if holders[n] == [ids_by_name[item["name"]]]))
                   for item in listed)
    pairs = tuple(Shared(a, b, len(held[a] & held[b]),
                         round(len(held[a] & held[b]) / len(held[a] | held[b]), 4) if held[a] | held[b] else 0.0)
                  for a, b in combinations(list(ids_by_name.values()), 2))
    order = {node: position for position, node in enumerate(holders)}
    core = tuple(_core_work(model, node, holders[node])
                 for node in sorted((n for n in holders if len(holders[n]) >= core_min),
                                    key=lambda n: (-len(holders[n]), order[n])))
    doubtful = tuple(_core_work(model, node, ids) for node, ids in holders.items()
                     if len(ids) >= 2 and _joined_on_a_near_title(model.nodes[node]))
    return Atlas(lists=covers, pairs=pairs, core=core, core_min=core_min, doubtful=doubtful)


def _core_work(model: nx.MultiDiGraph[str], node: str, ids: list[str]) -> CoreWork:
    data = model.nodes[node]
    listed = data.get("listed_arxiv_ids") or []
    arxiv = data.get("arxiv_id") or (arxiv_base_id(listed[0]) if listed else None)
    return CoreWork(node=node, title=str(data.get("title", node)), arxiv=arxiv, doi=data.get("doi"), lists=tuple(ids))


def _joined_on_a_near_title(data: dict[str, Any]) -> bool:
    """Whether some two lists' rows behind one work share neither an arXiv id nor a normalised title: the resolver
    joined them on a near-duplicate title alone."""
    keys: dict[str, set[str]] = {}  # list file → its rows' arXiv ids and normalised titles
    for source in data.get("sources", []):
        found = keys.setdefault(str(source.get("file")), set())
        found.add("title:" + normalize_title(str(source.get("title", ""))))
        if source.get("arxiv"):
            found.add("arxiv:" + str(source["arxiv"]))
    return any(not keys[a] & keys[b] for a, b in combinations(keys, 2))


# ----- the files ------------------------------------------------------------------------------------------------

def render_json(found: Atlas, model: nx.MultiDiGraph[str]) -> str:
    """``atlas.json``: lists (id, source, title, works, exclusive), pairs (a, b, shared, jaccard), the core."""
    title = {node: model.nodes[node].get("title", node) for cover in found.lists for node in cover.exclusive}
    document = {
        "schema": ATLAS_SCHEMA,
        "core_min": found.core_min,
        "lists": [{"id": c.id, "source": c.source, "title": c.title, "works": c.works, "exclusive": len(c.exclusive),
                   "exclusive_works": [title[node] for node in c.exclusive]} for c in found.lists],
        "pairs": [{"a": p.a, "b": p.b, "shared": p.shared, "jaccard": p.jaccard} for p in found.pairs],
        "core": [_work_json(w) for w in found.core],
        "doubtful_merges": [_work_json(w) for w in found.doubtful],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _work_json(work: CoreWork) -> dict[str, Any]:
    return {"title": work.title, "arxiv": work.arxiv, "doi": work.doi, "lists": list(work.lists), "node": work.node}


def render_markdown(found: Atlas, model: nx.MultiDiGraph[str]) -> str:
    """``atlas.md``: the coverage matrix, the core, each list's exclusives, the merges to check."""
    ids = [c.id for c in found.lists]
    shared = {(p.a, p.b): p.shared for p in found.pairs} | {(p.b, p.a): p.shared for p in found.pairs}
    size = {c.id: c.works for c in found.lists}
    lines = ["# Field atlas", "",
             f"{counted(len(found.lists), 'list')}; the works two lists share (the diagonal: each list's works).", "",
             "| list | " + " | ".join(f"`{i}`" for i in ids) + " |", "|---" * (len(ids) + 1) + "|"]
    for a in ids:
        lines.append(f"| `{a}` | " + " | ".join(str(size[a] if a == b else shared[(a, b)]) for b in ids) + " |")
    lines += ["", "| id | title | source | works | exclusive |", "|---|---|---|---|---|"]
    lines += [f"| `{c.id}` | {cell(c.title)} | {cell(c.source)} | {c.works} | {len(c.exclusive)} |"
              for c in found.lists]
    lines += ["", f"## The consensus core ({counted(len(found.core), 'work')} in at least {found.core_min} lists)", ""]
    if found.core:
        lines += ["| work | arXiv | lists |", "|---|---|---|"]
        lines += [f"| {cell(w.title)} | {w.arxiv or ''} | {', '.join(f'`{i}`' for i in w.lists)} |" for w in found.core]
    else:
        lines.append(f"No work is in {found.core_min} lists or more (`--core-min` lowers the bar).")
    for c in found.lists:
        lines += ["", f"## Only in `{c.id}` ({len(c.exclusive)})", ""]
        lines += [f"- {cell(str(model.nodes[node].get('title', node)))}" for node in c.exclusive[:_SHOWN]]
        if len(c.exclusive) > _SHOWN:
            lines.append(f"- … and {len(c.exclusive) - _SHOWN} more (atlas.json lists them all)")
    lines += ["", f"## Merges to check ({len(found.doubtful)})", "",
              "Works whose rows in different lists share no arXiv id and no normalised title: they were joined on a "
              "near-duplicate title alone.", ""]
    for w in found.doubtful:
        titles = [model.nodes[w.node].get("title", ""), *model.nodes[w.node].get("alternative_titles", [])]
        lines.append(f"- {' / '.join(cell(str(t)) for t in titles)} ({', '.join(f'`{i}`' for i in w.lists)})")
    return "\n".join(lines) + "\n"


def render_html(found: Atlas, title: str) -> str:
    """``atlas.html``: the overlap matrix as a heatmap and each list's works and exclusives as bars (Vega-Lite,
    rendered by vl-convert with every script inlined: the page asks nothing of any host)."""
    import vl_convert

    cells = [{"a": a.id, "b": b.id, "shared": a.works if a.id == b.id else next(
        (p.shared for p in found.pairs if {p.a, p.b} == {a.id, b.id}), 0)} for a in found.lists for b in found.lists]
    bars = [{"list": c.id, "kind": kind, "works": count} for c in found.lists
            for kind, count in (("shared with another list", c.works - len(c.exclusive)),
                                ("only in this list", len(c.exclusive)))]
    order = [c.id for c in found.lists]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json", "title": "Field atlas",
        "resolve": {"scale": {"color": "independent"}, "legend": {"color": "independent"}},
        "vconcat": [
            {"title": "Works two lists share", "data": {"values": cells}, "width": 60 * len(order),
             "height": 60 * len(order), "layer": [
                 {"mark": "rect", "encoding": {
                     "x": {"field": "b", "type": "nominal", "sort": order, "title": None},
                     "y": {"field": "a", "type": "nominal", "sort": order, "title": None},
                     "color": {"field": "shared", "type": "quantitative", "title": "works"},
                     "tooltip": [{"field": "a"}, {"field": "b"}, {"field": "shared"}]}},
                 {"mark": {"type": "text", "baseline": "middle"}, "encoding": {
                     "x": {"field": "b", "type": "nominal", "sort": order},
                     "y": {"field": "a", "type": "nominal", "sort": order},
                     "text": {"field": "shared", "type": "quantitative"}}}]},
            {"title": "Each list's works, and those only it holds", "data": {"values": bars}, "mark": "bar",
             "encoding": {"y": {"field": "list", "type": "nominal", "sort": order, "title": None},
                          "x": {"field": "works", "type": "quantitative", "stack": True},
                          "color": {"field": "kind", "type": "nominal", "title": None,
                                    "scale": {"range": ["#4e79a7", "#f28e2b"]}},
                          "tooltip": [{"field": "list"}, {"field": "kind"}, {"field": "works"}]}},
        ],
    }
    page = str(vl_convert.vegalite_to_html(spec, bundle=True, renderer="svg"))
    return page.replace("<title>Chart</title>", f"<title>{html.escape(title)}</title>", 1)


def warm_up() -> threading.Thread:
    """Start Vega-Lite's renderer on a thread while the rest of a build runs (its first page takes about a second
    to load; it runs outside the GIL), so the atlas's charts cost what they cost, not the renderer's start."""
    def start() -> None:
        import vl_convert

        vl_convert.vegalite_to_html({"mark": "point", "data": {"values": [{"a": 1}]}}, bundle=True, renderer="svg")

    thread = threading.Thread(target=start, name="pa-graph chart renderer", daemon=True)
    thread.start()
    return thread


def atlas_files(model: nx.MultiDiGraph[str], core_min: int = DEFAULT_CORE_MIN) -> dict[str, str]:
    """atlas.json, atlas.md and atlas.html of a build of two lists or more (nothing for one list)."""
    if len(model.graph.get("lists", [])) < 2:
        return {}
    found = atlas(model, core_min)
    title = " + ".join(c.title for c in found.lists)
    return {"atlas.json": render_json(found, model), "atlas.md": render_markdown(found, model),
            "atlas.html": render_html(found, f"Field atlas: {title}")}
