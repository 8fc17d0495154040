"""Further export formats chosen with ``build --formats``: N-Triples, JSON-LD, TriG, GraphML, BibTeX, CSV.

Every renderer is a pure function of the model (and the RDF graph derived from it) returning text, so the build can
render everything before it writes anything.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
from rdflib import Graph

from pa_graph.export.rdf import Triples, to_dataset, to_ntriples, to_turtle
from pa_graph.text import ARXIV_ID, DOI

__all__ = ["Export", "FORMATS", "render_format", "to_bibtex", "to_csv", "to_graphml", "to_ntriples"]

@dataclass(frozen=True)
class Export:
    """One export format: the file it is written to and how it is rendered from the model, its RDF and the gap
    findings the RDF carries."""

    file: str
    render: Callable[[nx.MultiDiGraph[str], Graph | Triples, str, Sequence[Mapping[str, Any]]], str]


#: The format registry: name (as ``--formats`` takes it) → :class:`Export`.
FORMATS: dict[str, Export] = {
    "ttl": Export("graph.ttl", lambda model, rdf, base, findings: to_turtle(rdf)),
    "nt": Export("graph.nt", lambda model, rdf, base, findings: to_ntriples(rdf)),
    "jsonld": Export("graph.jsonld", lambda model, rdf, base, findings:
                     _graph(rdf).serialize(format="json-ld", indent=1, sort_keys=True)),
    "trig": Export("graph.trig", lambda model, rdf, base, findings:
                   to_dataset(model, base, findings).serialize(format="trig")),
    "graphml": Export("graph.graphml", lambda model, rdf, base, findings: to_graphml(model)),
    "bibtex": Export("works.bib", lambda model, rdf, base, findings: to_bibtex(model)),
    "csv": Export("works.csv", lambda model, rdf, base, findings: to_csv(model)),
}


def _graph(rdf: Graph | Triples) -> Graph:
    return rdf.graph() if isinstance(rdf, Triples) else rdf


def render_format(name: str, model: nx.MultiDiGraph[str], rdf: Graph | Triples, base_iri: str,
                  findings: Sequence[Mapping[str, Any]] = ()) -> str:
    """The text of one export format (``findings``: the gap findings the RDF carries, for TriG)."""
    return FORMATS[name].render(model, rdf, base_iri, findings)


def to_graphml(model: nx.MultiDiGraph[str]) -> str:
    """GraphML for Gephi: list attributes joined with '; ', embeddings and missing values left out."""
    flat: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node, data in model.nodes(data=True):
        flat.add_node(node, **_scalars(data))
    for source, target, key, data in model.edges(keys=True, data=True):
        flat.add_edge(source, target, key=key, relation=key, **_scalars(data))
    return "\n".join(nx.generate_graphml(flat)) + "\n"


def _scalars(data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in data.items():
        if value is None or name in ("embedding", "sources", "link_checks"):
            continue
        if isinstance(value, list):
            value = "; ".join(str(item) for item in value)
        elif isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False)
        out[name] = _XML_INVALID.sub("", value) if isinstance(value, str) else value
    return out


#: Characters XML 1.0 cannot hold, even escaped (control characters, lone surrogates, U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _listed_works(model: nx.MultiDiGraph[str]) -> list[tuple[str, dict[str, Any]]]:
    return [(node, data) for node, data in model.nodes(data=True) if data["kind"] == "work" and data.get("listed")]


def _targets(model: nx.MultiDiGraph[str], node: str, relation: str) -> list[str]:
    return [model.nodes[target]["label"] for _, target, key in model.out_edges(node, keys=True) if key == relation]


def to_csv(model: nx.MultiDiGraph[str]) -> str:
    """One row per listed work: what the lists say and what S2 adds."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "title", "type", "year", "listed_year", "sections", "tags", "methods", "venues",
                     "listed_arxiv_ids", "arxiv_id", "doi", "s2_paper_id", "citation_count", "authors", "sources"])
    for node, data in _listed_works(model):
        writer.writerow(_spreadsheet_safe([
            node, data["title"], data["work_type"], data.get("year") or "", data.get("listed_year") or "",
            "; ".join(_targets(model, node, "listed_in")), "; ".join(_targets(model, node, "has_tag")),
            "; ".join(_targets(model, node, "proposes_method")), "; ".join(_targets(model, node, "published_in")),
            "; ".join(data.get("listed_arxiv_ids", [])), data.get("arxiv_id") or "", data.get("doi") or "",
            data.get("s2_paper_id") or "", "" if data.get("citation_count") is None else data["citation_count"],
            "; ".join(_targets(model, node, "creator")),
            "; ".join(f"{s['file']}:{s['line']}" for s in data.get("sources", [])),
        ]))
    return buffer.getvalue()


def _spreadsheet_safe(cells: list[Any]) -> list[Any]:
    """Cells from a list or a service that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``
    first) start with an apostrophe, as spreadsheets expect for text."""
    return [f"'{cell}" if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") else cell for cell in cells]


_BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")


def _bibtex_text(text: str) -> str:
    text = text.replace("\\", r"\textbackslash{}").replace("~", r"\textasciitilde{}").replace("^", r"\^{}")
    return _BIBTEX_SPECIAL.sub(r"\\\1", text)


def to_bibtex(model: nx.MultiDiGraph[str]) -> str:
    """A BibTeX entry per listed work (``@misc`` with arXiv eprint fields when no venue is known)."""
    entries = []
    for node, data in _listed_works(model):
        key = re.sub(r"[^A-Za-z0-9-]", "", node.removeprefix("work/"))[:60]
        venues = _targets(model, node, "published_in")
        fields = {"title": "{" + _bibtex_text(data["title"]) + "}"}
        authors = _targets(model, node, "creator")
        if authors:
            fields["author"] = " and ".join(_bibtex_text(name) for name in authors)
        if data.get("year"):
            fields["year"] = str(data["year"])
        if venues:
            fields["booktitle"] = _bibtex_text(venues[0])
        arxiv = data.get("arxiv_id") or next(iter(data.get("listed_arxiv_ids", [])), None)
        if arxiv and ARXIV_ID.fullmatch(arxiv):  # ids from a list or a service: only well-formed ones go in
            fields.update(eprint=arxiv, archivePrefix="arXiv")
        if data.get("doi") and DOI.fullmatch(data["doi"]):
            fields["doi"] = _bibtex_text(data["doi"])
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
        entries.append(f"@{'inproceedings' if venues else 'misc'}{{{key},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"
