from __future__ import annotations

import pytest
from conftest import FIXTURES, undeclared_pa_terms
from fake_s2.world import bundled_counts
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, OWL

from pa_graph import BuildOptions, build
from pa_graph.export.vocab import PA

ONTOLOGY = __import__("pathlib").Path(__file__).parent.parent / "ontology" / "pa.ttl"
PREFIXES = """
PREFIX pa: <https://w3id.org/pa-graph/ontology#>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


@pytest.fixture(scope="module")
def turtle(built) -> Graph:
    return Graph().parse(built / "graph.ttl", format="turtle")


def count(graph: Graph, query: str) -> int:
    return int(next(iter(graph.query(PREFIXES + query)))[0])


def test_every_listed_work_is_listed_in_a_section(turtle):
    assert count(turtle, "SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w pa:listedIn ?c }") == bundled_counts()["works"]


def test_surveys_are_review_articles_and_every_work_has_a_title(turtle):
    raw = bundled_counts()
    assert count(turtle, "SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w a fabio:ReviewArticle }") == raw["surveys"]
    titled = "SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w a fabio:Expression ; dcterms:title ?t }"
    assert count(turtle, titled) == raw["works"]


def test_surveys_are_listed_in_the_related_surveys_section(turtle):
    labels = {str(row[0]) for row in turtle.query(PREFIXES + """
        SELECT DISTINCT ?label WHERE { ?w a fabio:ReviewArticle ; pa:listedIn ?s . ?s skos:prefLabel ?label }""")}
    assert labels == {"Related Surveys"}


def test_sub_categories_are_broader_than_top_sections_in_one_scheme(turtle):
    assert count(turtle, """SELECT (COUNT(*) AS ?n) WHERE {
        ?sub skos:broader ?top . ?sub skos:inScheme ?scheme . ?top skos:inScheme ?scheme .
        ?top skos:topConceptOf ?scheme }""") == 9


def test_years_and_identifiers_as_contract(turtle):
    rows = list(turtle.query(PREFIXES + """
        SELECT ?year ?listed ?id WHERE { ?w dcterms:title "Args: Alignment as reward-guided search" ;
            fabio:hasPublicationYear ?year ; pa:listedYear ?listed ; pa:listedArxivId ?id }"""))
    assert [(str(y), str(listed), str(i)) for y, listed, i in rows] == [("2024", "2024", "1912.00180v1")]
    assert str(rows[0][0].datatype) == "http://www.w3.org/2001/XMLSchema#gYear"
    assert count(turtle, "SELECT (COUNT(*) AS ?n) WHERE { ?w <http://purl.org/spar/fabio/hasArXivId> ?id }") == 0


def test_provenance_names_file_and_line(turtle):
    rows = list(turtle.query(PREFIXES + """
        SELECT ?line ?file WHERE { ?w dcterms:title "Voyager: An open-ended embodied agent with large language models" ;
            prov:wasDerivedFrom ?row . ?row pa:sourceLine ?line ; prov:hadPrimarySource ?list . ?list pa:listFile ?file ;
            dcterms:title ?title . ?w pa:inList ?list }"""))
    assert [(int(line), str(file)) for line, file in rows] == [(148, "awesome-personalized-alignment.md")]


def test_every_contract_prefix_is_bound(built):
    text = (built / "graph.ttl").read_text(encoding="utf-8")
    for prefix, iri in {
        "pa": "https://w3id.org/pa-graph/ontology#", "fabio": "http://purl.org/spar/fabio/",
        "cito": "http://purl.org/spar/cito/", "dcterms": "http://purl.org/dc/terms/",
        "skos": "http://www.w3.org/2004/02/skos/core#", "prov": "http://www.w3.org/ns/prov#",
        "foaf": "http://xmlns.com/foaf/0.1/", "prism": "http://prismstandard.org/namespaces/basic/2.0/",
        "schema": "https://schema.org/",
    }.items():
        assert f"@prefix {prefix}: <{iri}> ." in text


def test_no_blank_nodes(turtle):
    assert not any(isinstance(term, BNode) for triple in turtle for term in triple)


def test_every_pa_term_used_is_declared_with_label_and_comment(turtle):
    ontology = Graph().parse(ONTOLOGY, format="turtle")
    assert (URIRef("https://w3id.org/pa-graph/ontology"), RDF.type, OWL.Ontology) in ontology
    assert undeclared_pa_terms(turtle) == set()


def test_builds_in_processes_with_different_hash_seeds_give_identical_bytes(built, tmp_path):
    import os
    import subprocess
    import sys

    runs = [subprocess.Popen([sys.executable, "-m", "pa_graph", "build", "--no-enrich", "--out", str(tmp_path / seed)],
                             env={**os.environ, "PYTHONHASHSEED": seed}, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL) for seed in ("1", "2")]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    for name in ("graph.ttl", "graph.json", "gaps.json"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes() == \
            (built / name).read_bytes(), name


def test_the_oxigraph_serialiser_wrote_the_same_graph_as_the_rdflib_one(built):
    from rdflib.compare import isomorphic

    before = Graph().parse(FIXTURES / "graph-before-oxigraph-serialiser.ttl")  # outputs/graph.ttl as rdflib wrote it
    now = Graph().parse(built / "graph.ttl")
    lists = set(now.subjects(RDF.type, PA.CuratedList))
    for graph in (before, now):  # what the lists say of themselves came later (the atlas): set aside, both sides
        for predicate in (PA.inList, PA.hasSection, PA.listFile, PA.listSource):
            graph.remove((None, predicate, None))
        for listed in lists:
            graph.remove((listed, DCTERMS.title, None))
    assert isomorphic(before, now)


def test_base_iri_is_configurable(tmp_path):
    build(options=BuildOptions(out_dir=tmp_path, base_iri="http://example.org/kg/", enrich=False))
    text = (tmp_path / "graph.ttl").read_text(encoding="utf-8")
    assert "<http://example.org/kg/section/related-surveys>" in text
    assert "w3id.org/pa-graph/id/" not in text


def test_committed_outputs_match_a_fresh_build(built):
    committed = ONTOLOGY.parent.parent / "outputs" / "graph.ttl"
    assert committed.read_bytes() == (built / "graph.ttl").read_bytes(), "run 'pa-graph build' and commit outputs/"
