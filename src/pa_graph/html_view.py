"""HTML export: a self-contained pyvis page of the model graph.

pyvis 0.3.2's ``in_line`` template inlines vis-network but still links Bootstrap from a CDN; those tags are removed
so the page works from ``file://`` with the network cut. Positions are computed here (seeded, so deterministic) and
physics is off, so the browser draws at once instead of simulating. Node data reaches the page through Jinja's
``tojson`` (which escapes ``<``, ``>`` and ``&``) and tooltips are plain-text strings, which vis-network 9 shows
as text: list content is never interpreted as HTML.
"""

from __future__ import annotations

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
}
_EXTERNAL_TAG = re.compile(r"""<(?:link|script)\b[^>]*\b(?:href|src)\s*=\s*["']https?://[^>]*>(?:\s*</script>)?""", re.IGNORECASE)
_DEAD_COMMENT = re.compile(r"<!--[^>]*node_modules.*?-->", re.DOTALL)  # pyvis template's commented-out vis.js tags
_LAYOUT_SEED = 7


def render_html(model: nx.MultiDiGraph, title: str = "pa-graph") -> str:
    """The page as a string: one node per work, section, tag, method and venue, coloured by type."""
    from pyvis.network import Network  # imported here: pyvis pulls in IPython (~0.4 s) at import time

    network = Network(height="95vh", width="100%", directed=True, cdn_resources="in_line", bgcolor="#ffffff")
    positions = nx.spring_layout(nx.Graph(model.to_undirected(as_view=True)), seed=_LAYOUT_SEED, scale=1200)
    for node, data in model.nodes(data=True):
        style = NODE_STYLE[data.get("work_type", data["kind"])]
        x, y = positions[node]
        network.add_node(
            node,
            label=_label(data),
            title=_tooltip(data),
            x=float(x),
            y=float(y),
            group=data.get("work_type", data["kind"]),
            **style,
        )
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


def _label(data: dict) -> str:
    if data["kind"] != "work":
        return data["label"]
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
    lines = [data["title"], f"{data['work_type']}, {data.get('year') or 'year unknown'}"]
    if data.get("abbreviations"):
        lines.append("abbreviation: " + ", ".join(data["abbreviations"]))
    lines += [f"listed at {source['file']}:{source['line']}" for source in data.get("sources", [])]
    lines += data.get("links", [])
    return "\n".join(lines)
