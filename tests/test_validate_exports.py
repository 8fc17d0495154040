from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest
from fake_s2.world import bundled_counts
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from pa_graph import BuildOptions, build
from pa_graph.cli import main
from pa_graph.export.validate import validate_graph
from pa_graph.export.vocab import FABIO, PA

pytestmark = pytest.mark.slow  # end to end: servers, browsers, whole builds

WORK = URIRef("https://w3id.org/pa-graph/id/work/x")


def test_bundled_and_enriched_builds_conform(built, fake_enriched):
    # the enriched build holds every kind of node and statement (a --citations build only holds more of them)
    for folder in (built, fake_enriched):
        report = validate_graph(Graph().parse(folder / "graph.ttl"))
        assert report.conforms, report.violations[:5]


def test_a_broken_graph_yields_the_expected_violations(built):
    graph = Graph().parse(built / "graph.ttl")
    graph.add((WORK, RDF.type, FABIO.Expression))  # no title
    graph.add((WORK, FABIO.hasPublicationYear, Literal("2023")))  # a string, not an xsd:gYear
    graph.add((WORK, PA.listedIn, URIRef("https://w3id.org/pa-graph/id/tag/rag")))  # a tag, not a category
    graph.add((WORK, PA.s2PaperId, Literal("not-a-sha")))
    concept = URIRef("https://w3id.org/pa-graph/id/tag/rag")
    graph.add((concept, SKOS.prefLabel, Literal("second label")))
    report = validate_graph(graph)
    assert not report.conforms
    found = {(v.focus, v.path) for v in report.violations}
    assert found == {
        (str(WORK), "dcterms:title"),
        (str(WORK), "fabio:hasPublicationYear"),
        (str(WORK), "pa:listedIn"),
        (str(WORK), "pa:s2PaperId"),
        (str(WORK), "prov:wasDerivedFrom"),
        (str(WORK), "pa:inList"),  # a listed work names the lists that hold it
        (str(concept), "skos:prefLabel"),
    }


def test_validate_command_and_build_validate(runner, built, tmp_path):
    assert runner.invoke(main, ["validate", str(built / "graph.ttl")]).stdout.endswith("conforms to the SHACL shapes\n")
    broken = tmp_path / "broken.ttl"
    graph = Graph().parse(built / "graph.ttl")
    graph.remove((None, DCTERMS.title, None))
    graph.serialize(broken, format="turtle")
    result = runner.invoke(main, ["validate", str(broken)])
    assert result.exit_code == 1
    # every work lost its title, and so did the curated list entity
    assert result.stderr.splitlines()[-1] == f"{broken}: {bundled_counts()['works'] + 1} SHACL violations"
    assert "violation: https://w3id.org/pa-graph/id/work/" in result.stderr
    ok = runner.invoke(main, ["build", "--no-enrich", "--out", str(tmp_path / "o"), "--validate"])
    assert ok.exit_code == 0 and "conforms to the SHACL shapes" in ok.stdout


@pytest.fixture(scope="module")
def every_format(tmp_path_factory):
    out = tmp_path_factory.mktemp("formats")
    build(options=BuildOptions(out_dir=out, enrich=False, formats=("nt", "jsonld", "trig", "graphml", "bibtex", "csv")))
    return out


def test_rdf_formats_hold_the_same_triples(every_format):
    from rdflib.compare import isomorphic

    turtle = Graph().parse(every_format / "graph.ttl")
    for name, fmt in (("graph.nt", "nt"), ("graph.jsonld", "json-ld")):
        assert isomorphic(Graph().parse(every_format / name, format=fmt), turtle), name
    lines = (every_format / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)


def test_trig_separates_list_and_s2_statements(every_format, fake_enriched, tmp_path):
    """Read back by pyoxigraph's parser (not rdflib's, which wrote it): statements per named graph."""
    def per_graph(path: Path) -> Counter:
        return Counter(str(quad.graph_name) for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TRIG))

    def triples(path: Path) -> int:
        return sum(1 for _ in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))

    lists_graph, s2_graph = "<https://w3id.org/pa-graph/id/graph/lists>", "<https://w3id.org/pa-graph/id/graph/semantic-scholar>"
    assert per_graph(every_format / "graph.trig")[lists_graph] > 0
    build(options=BuildOptions(out_dir=tmp_path, offline=True, cache_dir=fake_enriched.parent / "cache",
                               formats=("trig",)))
    enriched = per_graph(tmp_path / "graph.trig")
    assert enriched[s2_graph] > 1000 and enriched[lists_graph] == triples(every_format / "graph.ttl")
    assert enriched[s2_graph] + enriched[lists_graph] == triples(tmp_path / "graph.ttl")


def test_graphml_opens_in_networkx(every_format, bundled):
    graph = nx.read_graphml(every_format / "graph.graphml")
    assert graph.number_of_nodes() == bundled.model.number_of_nodes()  # every node, none added or lost
    kinds = {data["kind"] for _, data in graph.nodes(data=True)}
    assert kinds == {"work", "section", "tag", "method", "venue"}


def test_csv_and_bibtex_have_one_entry_per_listed_work(every_format):
    rows = list(csv.DictReader(io.StringIO((every_format / "works.csv").read_text(encoding="utf-8"))))
    assert len(rows) == bundled_counts()["works"]
    lamp = next(row for row in rows if row["title"].startswith("Lamp:"))
    assert (lamp["sections"], lamp["tags"], lamp["methods"], lamp["listed_arxiv_ids"]) == (
        "RAG", "RAG", "Lamp", "2304.11406v4")
    bib = (every_format / "works.bib").read_text(encoding="utf-8")
    assert bib.count("\n@") + 1 == bundled_counts()["works"]
    assert "title = {{Don’t throw away your value model" in bib
    assert "booktitle = {SIGIR}" in bib


def test_dataset_description(every_format):
    from rdflib.namespace import VOID

    description = Graph().parse(every_format / "dataset.ttl")
    dataset = URIRef("https://w3id.org/pa-graph/id/dataset")
    assert int(description.value(dataset, VOID.triples)) == len(Graph().parse(every_format / "graph.ttl"))
    assert (dataset, VOID.vocabulary, URIRef("http://purl.org/spar/cito/")) in description
    assert json.loads((every_format / "build.json").read_text())["version"] == "0.1.0"


def test_unknown_format_is_refused(runner, tmp_path):
    result = runner.invoke(main, ["build", "--no-enrich", "--out", str(tmp_path), "--formats", "ttl,docx"])
    assert result.exit_code == 2  # bad usage, refused before any list is read or request sent
    assert not tmp_path.joinpath("graph.ttl").exists()
    assert result.stderr == "Error: unknown export format docx; choose from ttl, nt, jsonld, trig, graphml, bibtex, csv\n"
