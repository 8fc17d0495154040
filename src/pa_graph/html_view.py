"""HTML export: a self-contained pyvis page of the model graph.

pyvis 0.3.2's ``in_line`` template inlines vis-network but still links Bootstrap from a CDN; those tags are removed
so the page works from ``file://`` with the network cut. Positions are computed here (seeded, so deterministic) and
physics is off, so the browser draws at once instead of simulating. Node data reaches the page through Jinja's
``tojson`` (which escapes ``<``, ``>`` and ``&``) and tooltips are plain-text strings, which vis-network 9 shows
as text: list content is never interpreted as HTML.
"""

from __future__ import annotations

import random
import re

import networkx as nx

__all__ = ["render_html", "NODE_STYLE"]

#: Colour and shape per node type; works split into papers and surveys.
NODE_STYLE = {
    "paper": {"color": "#4e79a7", "shape": "dot"},
    "survey": {"color": "#f28e2b", "shape": "star"},
    "section": {"color": "#59a14f", "shape": "box"},
    "tag": {"color": "#b07aa1", "shape": "diamond"},
    "method": {"color": "#e15759", "shape": "triangle"},
    "venue": {"color": "#9c755f", "shape": "square"},
    "external": {"color": "#bab0ac", "shape": "dot"},
    "author": {"color": "#76b7b2", "shape": "ellipse"},
}
_EXTERNAL_TAG = re.compile(r"""<(?:link|script)\b[^>]*\b(?:href|src)\s*=\s*["']https?://[^>]*>(?:\s*</script>)?""", re.IGNORECASE)
_DEAD_COMMENT = re.compile(r"<!--[^>]*node_modules.*?-->", re.DOTALL)  # pyvis template's commented-out vis.js tags
_LAYOUT_SEED = 7


def render_html(model: nx.MultiDiGraph, title: str = "pa-graph") -> str:
    """The page as a string: one node per work, section, tag, method and venue, coloured by type."""
    from pyvis.network import Network  # imported here: pyvis pulls in IPython (~0.4 s) at import time

    network = Network(height="95vh", width="100%", directed=True, cdn_resources="in_line", bgcolor="#ffffff")
    positions = layout(model)
    for node, data in model.nodes(data=True):
        group = node_group(data)
        x, y = positions[node]
        network.add_node(node, label=_label(data), title=_tooltip(data), x=x, y=y, group=group, **NODE_STYLE[group])
    for source, target, relation in model.edges(keys=True):
        network.add_edge(source, target, title=relation.replace("_", " "), color="#bbbbbb")
    network.set_options(
        '{"physics": {"enabled": false}, "edges": {"smooth": false, "arrows": {"to": {"scaleFactor": 0.4}}},'
        ' "layout": {"improvedLayout": false}, "interaction": {"hideEdgesOnDrag": true, "tooltipDelay": 150}}'
    )
    page = network.generate_html(name=f"{title}.html", notebook=False)
    page = _DEAD_COMMENT.sub("", _EXTERNAL_TAG.sub("", page))
    if re.search(r"""(?:src|href)\s*=\s*["']https?://""", page):
        raise RuntimeError("pyvis template still references a network resource; the page would not work offline")
    return page


def node_group(data: dict) -> str:
    """The legend group of a node: paper, survey, external (a work known only from S2), or its kind."""
    if data["kind"] == "work":
        return data["work_type"] if data.get("listed", True) else "external"
    return data["kind"]


def layout(model: nx.MultiDiGraph, scale: float = 1500.0) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold positions computed by igraph (C, ~0.2 s for 5,000 nodes where networkx takes minutes),
    started from seeded positions so the same graph always gets the same picture."""
    import igraph

    nodes = list(model.nodes)
    if not nodes:
        return {}
    index = {node: position for position, node in enumerate(nodes)}
    edges = {(index[u], index[v]) for u, v in model.edges() if u != v}
    rng = random.Random(_LAYOUT_SEED)
    start = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in nodes]
    coords = igraph.Graph(n=len(nodes), edges=sorted(edges)).layout_fruchterman_reingold(seed=start, niter=300).coords
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    return {node: (round((x - min(xs)) / span * scale, 2), round((y - min(ys)) / span * scale, 2))
            for node, (x, y) in zip(nodes, coords)}


def _label(data: dict) -> str:
    if data["kind"] != "work":
        return data["label"]
    if not data.get("listed", True):
        return ""
    abbreviations = [a for a in data.get("abbreviations", []) if a]
    if abbreviations:
        return abbreviations[0]
    title = data["title"]
    return title if len(title) <= 32 else title[:30] + "…"


def _tooltip(data: dict) -> str:
    """Plain text: vis-network 9 renders a string title as text, never as HTML."""
    if data["kind"] != "work":
        kind = data["kind"]
        extra = f"\nalso: {', '.join(data['alt_labels'])}" if data.get("alt_labels") else ""
        return f"{kind}: {data['label']}{extra}"
    lines = [data["title"], f"{node_group(data)}, {data.get('year') or 'year unknown'}"]
    if data.get("abbreviations"):
        lines.append("abbreviation: " + ", ".join(data["abbreviations"]))
    lines += [f"listed at {source['file']}:{source['line']}" for source in data.get("sources", [])]
    lines += data.get("links", [])
    return "\n".join(lines)
