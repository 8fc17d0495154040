"""The HTML pages around the map, shared by ``pa-graph serve`` and ``pa-graph site``: a landing page, the gap report
and the audit rendered from their Markdown, and the query page. Every link is relative, so a page works at a
server's root and under a static host's sub-path (a GitHub Pages project site lives under ``/REPO/``). Text from a
list or a service is escaped: the Markdown is rendered with raw HTML off, and every value placed by hand goes through
``html.escape``.

A work, a section or a tag has an address on the map, ``graph.html#<node id>`` (:func:`map_link`); the reports'
rows link there (:func:`report_page`'s ``linker``), and so do the query page's results."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any
from urllib.parse import quote

import networkx as nx
from markdown_it import MarkdownIt
from markdown_it.token import Token

from pa_graph.export.sparql import cookbook, load_query, with_prefixes
from pa_graph.export.vocab import PREFIXES

__all__ = ["page", "report_page", "query_page", "landing_page", "map_link", "map_linker", "QUERY_PREFIXES"]

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")  # list text is untrusted: no raw HTML

#: The prefixes a query may use without declaring them (as ``with_prefixes`` adds them on the server).
QUERY_PREFIXES = {**{prefix: str(namespace) for prefix, namespace in PREFIXES.items()},
                  "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}


def page(title: str, body: str, home: bool = True) -> bytes:
    """A plain page: ``title`` is text, ``body`` is HTML already made safe (a body that opens with its own
    heading keeps it, alone)."""
    back = '<p><a href="./">home</a></p>' if home else ""
    heading = "" if body.lstrip().startswith("<h1") else f"<h1>{html.escape(title)}</h1>"
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
            '<style>body{font:15px/1.45 '
            'system-ui,sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem}table{border-collapse:collapse}'
            'td,th{border:1px solid #ddd;padding:.2rem .4rem}</style></head><body>'
            f'{back}{heading}{body}</body></html>').encode()


def map_link(node: str) -> str:
    """The address of a node on the map, relative to the site.

    >>> map_link("work/a-paper-1f2e3d"), map_link("section/rag & retrieval")
    ('graph.html#work/a-paper-1f2e3d', 'graph.html#section/rag%20%26%20retrieval')
    """
    return "graph.html#" + quote(node, safe="/-_.~:")


def map_linker(model: nx.MultiDiGraph[str]) -> Callable[[str], str | None]:
    """What a report's table cell links to: a work by its title (``Title (2024)`` too), a section or tag by its
    label, a listed row by its place (``README.md:12``, the first of several)."""
    by_text: dict[str, str] = {}
    by_place: dict[tuple[str, int], str] = {}
    for node, data in model.nodes(data=True):
        kind = data.get("kind")
        if kind == "work":
            by_text.setdefault(str(data.get("title", "")), node)
            for source in data.get("sources", []):
                by_place.setdefault((str(source.get("file", "")).rsplit("/", 1)[-1], int(source.get("line", 0))), node)
        elif kind in ("section", "tag"):
            by_text.setdefault(str(data.get("label", "")), node)

    def link(text: str) -> str | None:
        node = by_text.get(text)
        if node is None and text.endswith(")") and " (" in text:  # "Title (2024)"
            node = by_text.get(text.rsplit(" (", 1)[0])
        if node is None:
            place = text.split(",", 1)[0].strip()
            name, _, line = place.rpartition(":")
            if line.isdigit():
                node = by_place.get((name.rsplit("/", 1)[-1], int(line)))
        return map_link(node) if node else None

    return link


def report_page(title: str, markdown_text: str, linker: Callable[[str], str | None] | None = None) -> bytes:
    """A report (``gaps.md``, ``audit.md``) as a page; with ``linker``, a table cell whose text names a node opens
    that node on the map."""
    tokens = _MARKDOWN.parse(markdown_text)
    if linker is not None:
        for before, token in zip(tokens, tokens[1:], strict=False):
            if before.type == "td_open" and token.type == "inline" and token.children:
                href = linker("".join(child.content for child in token.children if child.type == "text"))
                if href:
                    token.children = [Token("link_open", "a", 1, attrs={"href": href}), *token.children,
                                      Token("link_close", "a", -1)]
    return page(title, _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))


def query_page(title: str, config: Mapping[str, Any]) -> bytes:
    """The query page (``export/query.html``): ``config`` says where queries run — ``{"mode": "endpoint",
    "endpoint": URL, "shown": text}`` or ``{"mode": "wasm", "engine": …, "wasm": …, "graph": …, "format": …}`` —
    and the base IRI whose IRIs link to the map."""
    template = (resources.files("pa_graph") / "export" / "query.html").read_text(encoding="utf-8")
    queries = {name: with_prefixes(load_query(name)) for name in cookbook()}
    values = {"title": html.escape(title), "queries": _script_json(queries),
              "config": _script_json({**config, "prefixes": QUERY_PREFIXES})}
    # one pass: a value (a list's title) is never read again as a place to fill
    return re.sub(r"\{\{ (title|queries|config) \}\}", lambda found: values[found.group(1)], template).encode("utf-8")


def landing_page(title: str, links: Sequence[tuple[str, str, str]], facts: Sequence[str] = ()) -> bytes:
    """The front page: ``facts`` (text) and a list of ``(href, label, what)``, hrefs relative."""
    items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(label)}</a> — {html.escape(what)}</li>'
                    for href, label, what in links)
    said = "".join(f"<p>{html.escape(fact)}</p>" for fact in facts)
    return page(title, f"{said}<ul>{items}</ul>", home=False)


def _script_json(value: object) -> str:
    """JSON inside a ``<script>`` element: nothing in it can close the element or open a comment."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
