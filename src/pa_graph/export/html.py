"""HTML export: one self-contained, interactive page of the model graph, built and rendered by pyvis.

The graph is a ``pyvis.network.Network`` (:func:`pyvis_network`, also what ``KnowledgeGraph.to_pyvis`` returns for
notebooks) rendered by its ``generate_html`` through pa-graph's own Jinja template (``view.html``, set with
``set_template_dir``): the template inlines the vis-network and tom-select copies pyvis ships
(``pyvis/templates/lib``) and loads nothing else — pyvis's own template links Bootstrap from a CDN — so the page
makes no request to any host, in a notebook too. Positions are computed in Python (:func:`layout`: a map of the
list's sections, deterministic, or igraph's seeded Fruchterman-Reingold for a graph without sections); physics is
off (a toggle turns it on) and edges are straight above :data:`LARGE_GRAPH` nodes, so the browser draws at once
instead of simulating.

Safety: the graph reaches the page as JSON inside a ``<script type="application/json">`` element with ``<``, ``>``
and ``&`` escaped, and the page's script builds tooltips and panels with ``textContent`` only; links are made only
for ``http(s)`` URLs. List content is never interpreted as HTML or script.
"""

from __future__ import annotations

import functools
import json
import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import ChoiceLoader, Environment, FileSystemLoader

__all__ = ["render_html", "view_data", "pyvis_network", "page_payload", "select_view", "layout", "node_group",
           "NODE_STYLE", "LARGE_GRAPH", "ViewError"]

from pa_graph.errors import ViewError
from pa_graph.model import list_index, lists_of, nodes_of_kind
from pa_graph.options import DEFAULT_CORE_MIN, DEFAULT_TOP_EXTERNAL
from pa_graph.text import short_hash

#: Colour and shape per legend group.
NODE_STYLE = {
    "paper": {"color": "#4e79a7", "shape": "dot", "label": "paper"},
    "survey": {"color": "#f28e2b", "shape": "star", "label": "survey"},
    "external": {"color": "#9d9d9d", "shape": "dot", "label": "paper not in the list"},
    "section": {"color": "#59a14f", "shape": "box", "label": "section"},
    "tag": {"color": "#b07aa1", "shape": "diamond", "label": "tag"},
    "method": {"color": "#e15759", "shape": "triangle", "label": "method"},
    "venue": {"color": "#9c755f", "shape": "square", "label": "venue"},
    "author": {"color": "#76b7b2", "shape": "dot", "label": "author"},
}
LARGE_GRAPH = 400  # nodes; above it edges are straight, hidden while dragging, and HIDDEN_WHEN_LARGE start hidden
# Node types that start hidden (a legend checkbox shows them) above LARGE_GRAPH nodes: on a large graph they
# crowd out the works a reader came for.
HIDDEN_WHEN_LARGE = ("method", "venue", "author")
#: Papers not in the list a page embeds beyond those it shows (the most connected to listed works first), at most
#: PAGE_EXTERNALS and while the page holds at most PAGE_EDGES edges; the rest are counted, not embedded.
PAGE_EXTERNALS = 5_000
PAGE_EDGES = 100_000
_LAYOUT_SEED = 7


def node_group(data: dict[str, Any]) -> str:
    """The legend group of a node: paper, survey, external (a work known only from S2), or its kind."""
    if data["kind"] == "work":
        return str(data.get("work_type", "paper")) if data.get("listed", True) else "external"
    return str(data["kind"])


#: The canvas a layout is packed for: a 1366×768 window beside the sidebar, and a phone held upright (390×844).
LANDSCAPE, PORTRAIT = (1066.0, 768.0), (390.0, 844.0)


def layout(model: nx.MultiDiGraph[str], scale: float | None = None,
           frame: tuple[float, float] = LANDSCAPE) -> dict[str, tuple[float, float]]:
    """Deterministic positions: a map of the list's sections, with papers not in the list around it.

    Each section's listed works sit together around the section's name (the most cited in the middle), the sections
    in the list's order, row after row, in a frame of ``frame``'s proportions (a window, or a phone); tags, methods,
    venues and authors sit next to their works. Papers not in the list sit just outside the section whose works cite
    them most; those no listed work touches (and, without sections, all of them) form a ring around the map, each at
    the angle of the works it is connected to and the closer the more connected. A graph without sections (a
    focused view of one work, say) is laid out by force instead.
    """
    external = [n for n in nodes_of_kind(model, "work") if not model.nodes[n].get("listed", True)]
    outside = set(external)
    positions = _section_map(model, outside, frame)
    if positions is None:
        if len(external) <= len(model) - len(external):
            return _force_layout(model, scale)
        positions = _force_layout(model.subgraph(n for n in model if n not in outside), scale)
        if not positions:
            return _force_layout(model, scale)
        _ring(model, positions, external)
        return positions
    if external:
        _ring(model, positions, _beside_sections(model, positions, external))
    return positions


def _beside_sections(model: nx.MultiDiGraph[str], positions: dict[str, tuple[float, float]],
                     external: list[str]) -> list[str]:
    """Place each paper not in the list just outside the cluster of the section whose works cite it most (a
    reader looks for a gap beside the topic it belongs to, not on the map's rim): on the side towards its other
    citing works, the closer the more of them; returns the papers no listed work touches, left for the ring."""
    home_of: dict[str, str] = {}
    for n in positions:  # a work listed in two sections sits in the first (as _section_map placed it)
        home = next((v for _, v, k in model.out_edges(n, keys=True) if k == "listed_in"), None)
        if home is not None:
            home_of[n] = home
    rim: dict[str, float] = {}
    for work, section in home_of.items():
        rim[section] = max(rim.get(section, 0.0), math.dist(positions[work], positions[section]))
    clusters = [(*positions[section], radius + 0.2 * _SPACING) for section, radius in rim.items()]
    strength = {n: sum(1 for m in (*model.predecessors(n), *model.successors(n)) if m in home_of) for n in external}
    strongest = max(strength.values(), default=0) or 1
    left = []
    for node in external:
        neighbours = [m for m in (*model.predecessors(node), *model.successors(node)) if m in home_of]
        if not neighbours:
            left.append(node)
            continue
        counts = Counter(home_of[m] for m in neighbours)
        home = min(counts, key=lambda section: (-counts[section], section))
        hx, hy = positions[home]
        ax, ay = (sum(positions[m][i] for m in neighbours) / len(neighbours) for i in (0, 1))
        jitter = int(short_hash(node, 8), 16) / 0xFFFFFFFF
        angle = math.atan2(ay - hy, ax - hx) if math.hypot(ax - hx, ay - hy) > _SPACING else 2 * math.pi * jitter
        angle += (jitter - 0.5) * 1.2
        distance = rim[home] + _SPACING * (0.4 + 0.6 * (1 - strength[node] / strongest) + 0.3 * jitter)
        positions[node] = _free_spot((hx, hy), angle, distance, clusters)
    return left


def _free_spot(centre: tuple[float, float], angle: float, distance: float,
               clusters: list[tuple[float, float, float]]) -> tuple[float, float]:
    """The point at ``angle`` and ``distance`` from ``centre``, turned (then moved out) until it lies in no
    section's cluster (``clusters``: centre x, y and radius), so a paper not in the list is never drawn among the
    works of a section it does not belong to."""
    near = [c for c in clusters if math.hypot(c[0] - centre[0], c[1] - centre[1]) < distance + c[2] + 12 * _SPACING]
    for turns in (_TURNS[:11], _TURNS[11:]):  # out along its own side first, then all the way round
        for out in range(16):
            reach = distance + out * 0.5 * _SPACING
            for turn in turns:
                x, y = centre[0] + reach * math.cos(angle + turn), centre[1] + reach * math.sin(angle + turn)
                if all((x - cx) ** 2 + (y - cy) ** 2 > radius * radius for cx, cy, radius in near):
                    return round(x, 1), round(y, 1)
    return round(x, 1), round(y, 1)  # beyond every cluster near it by now


_TURNS = (0.0, *(sign * step * 0.2 for step in range(1, 16) for sign in (1, -1)))  # nearest first, both ways


_SPACING = 70.0  # canvas units between neighbouring works of a section
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
_NAME_PIXELS_PER_CHAR = 9.0  # a section's name at 15 px, with its box's padding


def _section_map(model: nx.MultiDiGraph[str], outside: set[str],
                 frame: tuple[float, float] = LANDSCAPE) -> dict[str, tuple[float, float]] | None:
    """Sections as clusters of their works (a sunflower around the section's name, the most cited in the middle),
    packed in rows; the sub-sections of one top section form a band under its name."""
    sections = [n for n, d in model.nodes(data=True) if d["kind"] == "section"]
    members: dict[str, list[str]] = {section: [] for section in sections}
    for node, data in model.nodes(data=True):
        if data["kind"] == "work" and node not in outside:
            home = next((v for _, v, k in model.out_edges(node, keys=True) if k == "listed_in"), None)
            if home is not None:
                members[home].append(node)
    order = {section: i for i, section in enumerate(sections)}
    top_of = {section: next((v for _, v, k in model.out_edges(section, keys=True) if k == "broader"), section)
              for section in sections}
    clusters = sorted(((section, works) for section, works in members.items() if works),
                      key=lambda cluster: (order[top_of[cluster[0]]], order[cluster[0]]))
    if len(clusters) < 2:
        return None
    weight = {n: _listed_citations(model, n) for works in members.values() for n in works}
    radius = {section: _SPACING * (math.sqrt(len(works) + 2.5) + 0.8) for section, works in clusters}
    bands: list[tuple[str, list[str]]] = []
    for section, _ in clusters:
        if not bands or bands[-1][0] != top_of[section]:
            bands.append((top_of[section], []))
        bands[-1][1].append(section)
    # Names keep one size on screen (15 px) whatever the zoom, so how wide a name is in canvas units depends on the
    # zoom of the first fit, which depends on the packing: pack, measure the fit, widen the slots, pack again.
    scale = 45 / _SPACING  # screen pixels per canvas unit: about 45 px between works
    for _ in range(4):
        # a name gets its room up to half again a cluster's width: on a narrow screen a longer one is cut short
        # ("…", the page does), or the map would be as wide as its longest name and fill a phone's width only
        name_room = math.inf if frame[0] >= frame[1] else 1.5
        slot = {section: max(2 * radius[section], min(name_room * 2 * radius[section],
                                                      _NAME_PIXELS_PER_CHAR * len(model.nodes[section]["label"]) / scale))
                for section, _ in clusters}
        for top, band in bands:
            if top not in band:  # a band's first cluster also carries the top section's name above it
                slot[band[0]] = max(slot[band[0]], min(name_room * 2 * radius[band[0]],
                                                       _NAME_PIXELS_PER_CHAR * len(model.nodes[top]["label"]) / scale))
        widths = sorted({max(slot.values()) * k / 4 for k in range(4, 33)} |
                        {sum(slot[c] + _SPACING for c in band) for _, band in bands})
        # the packing the frame shows largest
        positions, (wide, high) = max((_pack(bands, slot, radius, width) for width in widths),
                                      key=lambda packed: min(frame[0] / packed[1][0], frame[1] / packed[1][1]))
        scale = min(frame[0] / wide, frame[1] / high)
    for section, works in clusters:
        cx, cy = positions[section]
        for i, work in enumerate(sorted(works, key=lambda n: (-weight[n], n))):
            distance, angle = _SPACING * math.sqrt(i + 2.5), i * _GOLDEN_ANGLE
            positions[work] = (cx + distance * math.cos(angle), cy + distance * math.sin(angle))
    bottom = max(y for _, y in positions.values()) + 2 * _SPACING
    placed_works = dict(positions)
    for n, node in enumerate(n for n in model if n not in positions and n not in outside):
        anchors = [placed_works[m] for m in (*model.predecessors(node), *model.successors(node)) if m in placed_works]
        angle = 2 * math.pi * int(short_hash(node, 8), 16) / 0xFFFFFFFF
        if anchors:  # beside its works: on one work's rim, or among several
            ax, ay = sum(p[0] for p in anchors) / len(anchors), sum(p[1] for p in anchors) / len(anchors)
            offset = _SPACING * (0.4 if len(anchors) == 1 else 0.25)
            positions[node] = (ax + offset * math.cos(angle), ay + offset * math.sin(angle))
        else:  # connected to nothing placed: a row below the map
            positions[node] = (n * _SPACING / 2, bottom)
    return {node: (round(px, 1), round(py, 1)) for node, (px, py) in positions.items()}


def _pack(bands: list[tuple[str, list[str]]], slot: dict[str, float], radius: dict[str, float],
          width: float) -> tuple[dict[str, tuple[float, float]], tuple[float, float]]:
    """Cluster centres in rows at most ``width`` wide, in the list's order; a top section's name sits above the
    first cluster of its sub-sections. Returns the positions and the size of the whole."""
    rows: list[list[str]] = [[]]
    named: dict[str, str] = {}  # first cluster of a band → the top section named above it
    x = 0.0
    for top, band in bands:
        for section in band:
            if rows[-1] and x + slot[section] > width:
                rows.append([])
                x = 0.0
            rows[-1].append(section)
            x += slot[section] + _SPACING
        if top not in band:
            named[band[0]] = top
    positions: dict[str, tuple[float, float]] = {}
    y = right = 0.0
    for row in rows:
        if any(section in named for section in row):
            y += _SPACING * 0.7  # room for the names of the top sections starting in this row
        height, x = max(2 * radius[s] for s in row), 0.0
        for section in row:
            positions[section] = (x + slot[section] / 2, y + height / 2)
            if section in named:
                positions[named[section]] = (x + slot[section] / 2, y - _SPACING * 0.35)
            x += slot[section] + _SPACING
        right, y = max(right, x - _SPACING), y + height + _SPACING
    return positions, (max(right, 1.0), max(y - _SPACING, 1.0))


def _ring(model: nx.MultiDiGraph[str], positions: dict[str, tuple[float, float]], external: list[str]) -> None:
    """Place papers not in the list around the laid-out core (see :func:`layout`)."""
    if not external:
        return
    placing = set(external)
    core = {n: p for n, p in positions.items() if n not in placing}
    cx = sum(x for x, _ in core.values()) / len(core)
    cy = sum(y for _, y in core.values()) / len(core)
    distances = sorted(math.hypot(x - cx, y - cy) for x, y in core.values())
    reach = distances[int(0.9 * (len(distances) - 1))] or 1.0  # most of the core; a few outliers may sit in the ring
    strength = {n: len(set(model.predecessors(n)) | set(model.successors(n))) for n in external}
    strongest = max(strength.values()) or 1
    for node in external:
        anchors = [core[m] for m in (*model.predecessors(node), *model.successors(node)) if m in core]
        jitter = int(short_hash(node, 8), 16) / 0xFFFFFFFF
        if anchors:
            angle = math.atan2(sum(y for _, y in anchors) / len(anchors) - cy, sum(x for x, _ in anchors) / len(anchors) - cx)
        else:
            angle = 2 * math.pi * jitter
        angle += (jitter - 0.5) * 0.35
        radius = reach * (1.1 + 0.5 * (1 - strength[node] / strongest) + 0.2 * jitter)
        positions[node] = (round(cx + radius * math.cos(angle), 1), round(cy + radius * math.sin(angle), 1))


def _force_layout(model: nx.MultiDiGraph[str], scale: float | None = None) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold positions computed by igraph (C: ~0.3 s for 6,000 nodes), scaled to the graph's size."""
    import igraph

    nodes = list(model.nodes)
    if not nodes:
        return {}
    scale = scale or 250.0 * math.sqrt(len(nodes))
    index = {node: position for position, node in enumerate(nodes)}
    edges = sorted({(index[u], index[v]) for u, v in model.edges() if u != v})
    # igraph draws its start positions and jitter from the RNG it is given: a seeded one makes the picture stable
    igraph.set_random_number_generator(random.Random(_LAYOUT_SEED))
    try:
        coords = igraph.Graph(n=len(nodes), edges=edges).layout_fruchterman_reingold(niter=300).coords
    finally:
        igraph.set_random_number_generator(random)
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    left, top = min(xs), min(ys)
    span = max(max(xs) - left, max(ys) - top) or 1.0
    return {node: (round((x - left) / span * scale, 1), round((y - top) / span * scale, 1))
            for node, (x, y) in zip(nodes, coords, strict=False)}


def _listed_citations(model: nx.MultiDiGraph[str], node: str) -> int:
    """How many listed works cite this work or are cited by it."""
    neighbours = {u for u, _, k in model.in_edges(node, keys=True) if k == "cites"}
    neighbours |= {v for _, v, k in model.out_edges(node, keys=True) if k == "cites"}
    return sum(1 for other in neighbours if model.nodes[other].get("listed"))


def _all_listed_citations(model: nx.MultiDiGraph[str]) -> dict[str, int]:
    """:func:`_listed_citations` of every node, in one pass over the edges."""
    listed = {n for n, d in model.nodes(data=True) if d.get("listed")}
    neighbours: dict[str, set[str]] = {}
    for u, v, k in model.edges(keys=True):
        if k == "cites":
            if v in listed:
                neighbours.setdefault(u, set()).add(v)
            if u in listed:
                neighbours.setdefault(v, set()).add(u)
    return {node: len(found) for node, found in neighbours.items()}


def _find_work(model: nx.MultiDiGraph[str], wanted: str) -> str:
    if wanted in model and model.nodes[wanted]["kind"] == "work":
        return wanted
    needle = wanted.casefold()
    exact, partial = [], []
    for node, data in model.nodes(data=True):
        if data["kind"] != "work" or not data.get("listed"):
            continue
        names = [data["title"], *data.get("abbreviations", []), *data.get("alternative_titles", [])]
        if any(name.casefold() == needle for name in names):
            exact.append(node)
        elif any(needle in name.casefold() for name in names):
            partial.append(node)
    found = exact or partial
    if len(found) == 1:
        return found[0]
    if not found:
        raise ViewError(f"ego {wanted!r}: no listed work has this title or abbreviation", parameter="ego")
    titles = "; ".join(model.nodes[node]["title"] for node in found[:5])
    more = "; …" if len(found) > 5 else ""
    raise ViewError(f"ego {wanted!r} matches {len(found)} works ({titles}{more}); be more precise", parameter="ego")


def select_view(model: nx.MultiDiGraph[str], category: str | None = None, ego: str | None = None,
                min_citers: int = 1) -> nx.MultiDiGraph[str]:
    """The part of the graph a focused page shows: one section's works, or one work's neighbourhood, with the
    concepts, authors and papers around them; papers not in the list only when at least ``min_citers`` listed works
    cite them or are cited by them."""
    keep = set(model.nodes)
    if category:
        wanted = category.casefold()
        sections = {n for n, d in model.nodes(data=True) if d["kind"] == "section" and d["label"].casefold() == wanted}
        if not sections:
            labels = sorted({d["label"] for _, d in model.nodes(data=True) if d["kind"] == "section"})
            raise ViewError(f"category {category!r}: no such section; sections: {', '.join(labels)}", parameter="category")
        sections |= {u for u, v, k in model.edges(keys=True) if k == "broader" and v in sections}
        works = {u for u, v, k in model.edges(keys=True) if k == "listed_in" and v in sections}
        keep = works | sections | {v for w in works for v in model.successors(w)} | \
            {u for w in works for u in model.predecessors(w)}
        keep |= {v for s in sections for v in model.successors(s)}
    if ego:
        centre = _find_work(model, ego)
        keep &= {centre} | set(model.successors(centre)) | set(model.predecessors(centre))
        keep |= {centre}
    view = model.subgraph(keep).copy()
    drop = [n for n, d in view.nodes(data=True)
            if d["kind"] == "work" and not d.get("listed") and _listed_citations(view, n) < min_citers]
    view.remove_nodes_from(drop)
    view.remove_nodes_from([n for n in list(view) if view.degree(n) == 0 and view.nodes[n]["kind"] not in ("work", "section")])
    return view


def _links(data: dict[str, Any]) -> dict[str, str]:
    links = {}
    if data.get("s2_paper_id"):
        links["Semantic Scholar"] = f"https://www.semanticscholar.org/paper/{data['s2_paper_id']}"
    if data.get("openalex_id"):
        links["OpenAlex"] = f"https://openalex.org/{data['openalex_id']}"
    arxiv = data.get("arxiv_id") or next(iter(data.get("listed_arxiv_ids", [])), None)
    if arxiv:
        links["arXiv" if data.get("arxiv_id") else "arXiv (as listed, unverified)"] = f"https://arxiv.org/abs/{arxiv}"
    if data.get("doi"):
        links["DOI"] = f"https://doi.org/{data['doi']}"
    return links


def _flags(data: dict[str, Any], audit_flags: list[str]) -> list[str]:
    flags = list(audit_flags)
    for check in data.get("link_checks", []):
        if check["status"] == "wrong":
            right = f" → {check['correct_id']}" if check.get("correct_id") else ""
            flags.append(f"wrong arXiv link {check['listed_id']}{right}")
        else:
            flags.append(f"missing arXiv link → {check['correct_id']}")
    if data.get("unresolved"):
        flags.append(f"unresolved: {data['unresolved']}")
    return flags


def view_data(model: nx.MultiDiGraph[str], top_external: int | None = DEFAULT_TOP_EXTERNAL,
              suggestions: Mapping[str, str] | None = None, flags: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    """What the page shows of each node and edge, before pyvis's drawing fields are added. Papers not in the list
    beyond the ``top_external`` most connected to listed works are included but hidden (``None``: all shown), up to
    :data:`PAGE_EXTERNALS` of them and :data:`PAGE_EDGES` edges in all; the rest — and authors of nothing else — are
    left out of the page and counted
    (``summarised``): the full graph is in graph.ttl and graph.json. ``suggestions`` (node → note) are the
    missing-paper suggestions ringed in red; no other node is."""
    suggestions, flags = suggestions or {}, flags or {}
    external = [n for n in nodes_of_kind(model, "work") if not model.nodes[n].get("listed")]
    in_list_of = _all_listed_citations(model)
    ids_by_name = list_index(model)
    ranked = sorted(external, key=lambda n: (-in_list_of.get(n, 0), n))
    shown_external = set(ranked if top_external is None else ranked[:top_external])
    always = shown_external | set(suggestions)
    optional = set(external) - always
    budget = PAGE_EDGES - sum(1 for u, v in model.edges() if u not in optional and v not in optional)
    embedded: set[str] = set()
    for node in ranked:  # the most connected first, while the page's edge budget lasts
        if node in optional:
            if len(embedded) >= PAGE_EXTERNALS or model.degree(node) > budget:
                break
            budget -= model.degree(node)
            embedded.add(node)
    left_out = optional - embedded
    summarised = len(left_out)
    if left_out:
        left_out |= {n for n, d in model.nodes(data=True) if d["kind"] == "author"
                     and all(u in left_out for u, _, k in model.in_edges(n, keys=True) if k == "creator")}
        model = model.subgraph(n for n in model if n not in left_out).copy()  # a view would filter every access
    positions = layout(model)
    # a phone held upright gets the map packed for its screen (a graph without sections is laid out by force, the
    # same either way)
    sections = {v for _, v, k in model.edges(keys=True) if k == "listed_in"}
    upright = layout(model, frame=PORTRAIT) if len(sections) >= 2 else positions
    repacked = upright != positions
    targets: dict[str, dict[str, list[str]]] = {}  # node → relation → labels of the nodes it points to
    for u, v, k in model.edges(keys=True):
        if k in ("creator", "listed_in", "has_tag", "published_in"):
            targets.setdefault(u, {}).setdefault(k, []).append(model.nodes[v]["label"])
    def labels_of(node: str, relation: str) -> list[Any]:
        return targets.get(node, {}).get(relation, [])
    has_citations = any(k == "cites" for _, _, k in model.edges(keys=True))
    nodes = []
    for node, data in model.nodes(data=True):
        group = node_group(data)
        record = {"id": node, "group": group, "x": positions[node][0], "y": positions[node][1]}
        if repacked:
            record.update(px=upright[node][0], py=upright[node][1])
        if data["kind"] == "work":
            in_list, authors = in_list_of.get(node, 0), labels_of(node, "creator")
            # size: citations from listed works when the graph has citations, else the global count if known
            weight = in_list if has_citations else data.get("citation_count") or 0
            record.update(
                title=data["title"], year=data.get("year"), label=_work_label(data, authors),
                abbreviations=data.get("abbreviations", []), sections=labels_of(node, "listed_in"),
                tags=labels_of(node, "has_tag"), venues=labels_of(node, "published_in"),
                authors=authors, links=_links(data), flags=_flags(data, flags.get(node, [])),
                size=round(8 + 3 * math.log1p(weight), 1),
                inList=in_list, gap=suggestions.get(node) if not data.get("listed") else None,
                lists=lists_of(data, ids_by_name) if len(ids_by_name) > 1 else [],
            )
            if group == "external":
                record["topExternal"] = node in shown_external
        else:
            record.update(label=data["label"], title=data["label"], altLabels=data.get("alt_labels", []),
                          size=14 if group == "section" else 9 if group == "author" else 11)
        nodes.append(record)
    edges = [{"from": u, "to": v, "rel": k} for u, v, k in model.edges(keys=True)]
    lists = [{"id": ids_by_name[item["name"]], "title": item.get("title") or item["name"]}
             for item in model.graph.get("lists", [])] if len(ids_by_name) > 1 else []
    return {"nodes": nodes, "edges": edges, "summarised": summarised, "lists": lists,
            "core_min": min(int(model.graph.get("core_min", DEFAULT_CORE_MIN)), max(len(lists), 1)),
            "hiddenGroups": list(HIDDEN_WHEN_LARGE) if len(nodes) > LARGE_GRAPH else []}


def _work_label(data: dict[str, Any], authors: list[str]) -> str:
    """A label short enough to draw at the initial fit: a listed work's abbreviation, else its short title; a paper
    not in the list as "First-author Year", as a reader cites it."""
    abbreviations = data.get("abbreviations") or []
    if data.get("listed", True) and abbreviations:
        return str(abbreviations[0])
    if not data.get("listed", True) and authors:
        surname = authors[0].split()[-1] if authors[0].split() else authors[0]
        return f"{surname} {data['year']}" if data.get("year") else surname
    title = str(data["title"])
    return title if len(title) <= 32 else title[:30] + "…"


_TEMPLATE_DIR = Path(__file__).parent  # view.html
#: A node's drawing fields; those its whole group shares are sent once per group.
_DRAWING = ("shape", "color", "borderWidth")
_CREDITS = {"Semantic Scholar": "Semantic Scholar Academic Graph API (semanticscholar.org)",
            "OpenAlex": "OpenAlex (openalex.org, CC0)"}


def _json_for_script(value: object) -> str:
    """JSON that cannot end its ``<script>`` element or open a comment, whatever the strings hold."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _empty(value: object) -> bool:
    """Nothing worth sending: None, False, "" or an empty list/dict (but 0 and 0.0 are kept: coordinates)."""
    return value is None or value is False or (isinstance(value, (str, list, dict)) and not value)


def _group_defaults(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per group, the value of each drawing field most of its nodes share."""
    values: dict[str, dict[str, Counter[str]]] = {}
    for node in nodes:
        fields = values.setdefault(node["group"], {field: Counter() for field in _DRAWING})
        for field in _DRAWING:
            fields[field][json.dumps(node.get(field), sort_keys=True)] += 1
    return {group: {field: json.loads(counts.most_common(1)[0][0]) for field, counts in fields.items()}
            for group, fields in values.items()}


def page_payload(nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]], options: str | dict[str, Any]) -> str:
    """The page's data, from a pyvis Network's nodes, edges and options (a Jinja filter of the template), as JSON
    safe inside ``<script>``. Compact: no empty fields, drawing fields shared by a group sent once
    (``defaults``), edges as ``[from, to, relation]`` indexes — ids repeat in every edge, and papers not in the list
    have mostly empty fields; the page expands it. The legend, filter values and credits are read off the nodes."""
    nodes, edges = list(nodes), list(edges)
    options = json.loads(options) if isinstance(options, str) else dict(options)
    summarised = options.pop("paSummarised", 0)  # pa-graph's, not vis-network's: taken out before vis sees them
    lists = options.pop("paLists", [])
    core_min = options.pop("paCoreMin", DEFAULT_CORE_MIN)
    defaults = _group_defaults(nodes)
    index = {node["id"]: i for i, node in enumerate(nodes)}
    relations = sorted({edge["rel"] for edge in edges})
    rel_index = {rel: i for i, rel in enumerate(relations)}
    groups = Counter(node["group"] for node in nodes)
    years = [node["year"] for node in nodes if node.get("year")]
    links = {name for node in nodes for name in (node.get("links") or {})}
    payload = {
        "nodes": [{key: value for key, value in node.items()
                   if not _empty(value) and not (key in _DRAWING and defaults[node["group"]][key] == value)}
                  for node in nodes],
        "defaults": defaults,
        "edges": [[index[edge["from"]], index[edge["to"]], rel_index[edge["rel"]]] for edge in edges],
        "relations": relations,
        "options": options,
        "legend": [{"group": g, **NODE_STYLE[g], "count": groups[g]} for g in NODE_STYLE if groups[g]],
        "hiddenGroups": [g for g in HIDDEN_WHEN_LARGE
                         if groups[g] and all(node.get("hidden") for node in nodes if node["group"] == g)],
        "sections": sorted({s for node in nodes for s in node.get("sections") or []}),
        "tags": sorted({t for node in nodes for t in node.get("tags") or []}, key=str.casefold),
        "years": [min(years), max(years)] if years else [None, None],
        "credits": [credit for name, credit in _CREDITS.items() if name in links],
        "summarised": summarised,
        "lists": lists,  # a build of several lists: each list (id, title); a work's "lists" are the ids holding it
        "coreMin": core_min,
    }
    return _json_for_script(payload)


def render_html(model: nx.MultiDiGraph[str], title: str = "pa-graph", top_external: int | None = DEFAULT_TOP_EXTERNAL,
                suggestions: Mapping[str, str] | None = None, flags: Mapping[str, list[str]] | None = None) -> str:
    """The whole page as a string — :func:`pyvis_network`'s ``generate_html`` — with ``suggestions`` (node → note)
    ringed as missing papers and ``flags`` (node → audit flags) shown with the works."""
    page: str = pyvis_network(model, top_external, suggestions, flags, title).generate_html()
    return page


def pyvis_network(model: nx.MultiDiGraph[str], top_external: int | None = DEFAULT_TOP_EXTERNAL,
                  suggestions: Mapping[str, str] | None = None, flags: Mapping[str, list[str]] | None = None,
                  title: str = "pa-graph") -> Any:  # a pyvis Network (pyvis publishes no types)
    """The graph the page draws as a ``pyvis.network.Network`` with pa-graph's offline template set:
    ``net.generate_html()`` is the page, and ``net.show("graph.html")`` works in Jupyter. Nodes carry positions,
    styles and initial visibility (physics off: the layout is the picture) plus what the page's panels
    show. The lists are filled directly (pyvis's ``add_node``/``add_edge`` check membership in a list, quadratic at
    this size)."""
    import pyvis  # here, not at the top: pyvis brings IPython, 0.25 s that commands without a page need not pay
    from pyvis.network import Network

    data = view_data(model, top_external, suggestions, flags)
    net = Network(height="100%", width="100%", directed=True, heading=title, cdn_resources="in_line")
    for node in data["nodes"]:
        style = NODE_STYLE[node["group"]]
        border = "#d62728" if node.get("gap") else style["color"]
        drawn = {**node, "shape": style["shape"],
                 "color": {"background": style["color"], "border": border,
                           "highlight": {"background": style["color"], "border": "#000"}},
                 "borderWidth": 4 if node.get("gap") else 1,
                 "hidden": node["group"] in data["hiddenGroups"] or
                 (node["group"] == "external" and not (node.get("topExternal") or node.get("gap")))}
        net.nodes.append(drawn)
        net.node_ids.append(node["id"])
        net.node_map[node["id"]] = drawn
    for edge in data["edges"]:
        net.edges.append({**edge, "arrows": "to" if edge["rel"] == "cites" else ""})
    large = len(data["nodes"]) > LARGE_GRAPH
    net.options = {
        "physics": {"enabled": False, "stabilization": {"iterations": 150},  # the layout is the picture
                    "barnesHut": {"gravitationalConstant": -3000}},
        "layout": {"improvedLayout": False},
        "edges": {"smooth": False if large else {"type": "continuous"}, "width": 0.6, "selectionWidth": 1.5,
                  "color": {"color": "#c4c4c4", "highlight": "#333", "hover": "#777", "inherit": False},
                  "arrows": {"to": {"scaleFactor": 0.35}}},
        "nodes": {"borderWidth": 1},
        "interaction": {"hover": True, "hideEdgesOnDrag": large, "tooltipDelay": 100, "zoomView": True,
                        "dragView": True},
        "paSummarised": data["summarised"],  # papers not in the list left out of the page (see view_data)
        "paLists": data["lists"],
        "paCoreMin": data["core_min"],
    }
    net.set_template_dir(str(_TEMPLATE_DIR), "view.html")
    net.templateEnv = _template_environment(Path(pyvis.__file__).parent / "templates")
    net.prep_notebook()  # the template for show(), which renders in notebook mode
    return net


@functools.cache
def _template_environment(pyvis_templates: Path) -> Environment:
    """The Jinja environment of every page, made once: ``view.html`` beside this module, and pyvis's templates
    folder for the vis-network and tom-select copies it inlines (``lib/``). pyvis makes a new environment for each
    Network, which compiled the template again on every page (about 70 ms); Jinja keeps compiled templates per
    environment, and reloads one whose file changed."""
    environment = Environment(loader=ChoiceLoader([FileSystemLoader(str(_TEMPLATE_DIR)),
                                                   FileSystemLoader(str(pyvis_templates))]))
    environment.filters["pa_payload"] = page_payload
    return environment
