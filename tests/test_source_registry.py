"""A source is one class and one registry entry: a stub registered here, in a test module, is driven, merged with
another source, cross-checked and exported with no change anywhere else in pa-graph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from conftest import TABLE, row, write_list
from fake_arxiv.server import FakeArxiv, Paper

import pa_graph
from pa_graph.records import LinkCheck, SourceRecord, Work
from pa_graph.sources.arxiv import ArxivSettings
from pa_graph.sources.common import Progress
from pa_graph.sources.registry import SOURCES, SourceEntry
from pa_graph.sources.service import ServiceClient, ServiceSettings
from pa_graph.sources.source import Draft, Source

#: What the stub "service" knows: title → year (it never sends a request).
KNOWN = {"Personalized Soups: Personalized Large Language Model Alignment": 2024}


@dataclass
class StubClient(ServiceClient):
    SERVICE: ClassVar[str] = "Stub"

    def _describe(self, method: str, path: str, params: dict[str, Any]) -> str:
        return f"{method} {self.settings.api_url}{path}"


class StubSource(Source):
    NAME = "stub"
    CLIENT = StubClient
    SETTINGS = ServiceSettings

    def resolve(self, works: Sequence[Work], draft: Draft, report: Progress) -> list[Work]:
        report("asking the stub", 0, 1)
        for work in works:
            if work.title in KNOWN:
                draft.resolved[work.key] = SourceRecord(
                    paper_id=f"stub-{len(draft.resolved) + 1}", title=work.title, year=KNOWN[work.title],
                    request="GET https://stub.example/works", retrieved_at="2026-12-06T00:00:00+00:00", source="stub")
            else:
                draft.unresolved[work.key] = "the stub knows no such work"
        return []

    def check_links(self, works: Sequence[Work], draft: Draft) -> list[LinkCheck]:
        return []


@pytest.fixture()
def stub_registered(monkeypatch):
    monkeypatch.setitem(SOURCES, "stub", SourceEntry(
        label="Stub", api="Stub API", credit="Data: the stub", graph="stub", source=lambda: StubSource,
        organization="https://stub.example/", organization_title="The Stub"))


def test_a_registered_source_is_driven_merged_and_exported(tmp_path, stub_registered, monkeypatch):
    listed = write_list(tmp_path, "list.md", TABLE.format(rows="\n".join([
        row("Personalized Soups: Personalized Large Language Model Alignment", "P-Soups", "2023",
            link="https://arxiv.org/abs/2305.11451"),
        row("Another Paper Only arXiv Knows", "", "2024", link="https://arxiv.org/abs/2402.05133")])))
    monkeypatch.setenv("ARXIV_API_URL", "http://127.0.0.1:9")
    alone = pa_graph.assemble([listed], source="stub", cache_dir=tmp_path / "cache")
    assert alone.enrichment.source == "stub" and len(alone.enrichment.resolved) == 1
    assert alone.model.graph["enrichment"]["source"] == "Stub API"

    papers = {"2305.11451": Paper("Personalized Soups: Personalized Large Language Model Alignment", ["J. Jang"],
                                  "2023-10-17"),
              "2402.05133": Paper("Another Paper Only arXiv Knows", ["A. Author"], "2024-02-06")}
    with FakeArxiv(papers) as fake, pa_graph.Session(tmp_path / "cache2", services={
            "arxiv": ArxivSettings(api_url=fake.url, rate=1000.0)}) as session:
        merged = session.assemble([listed], source="arxiv+stub")
    enrichment = merged.enrichment
    assert enrichment.source == "arxiv+stub" and set(enrichment.calls) == {"arxiv", "stub"}
    assert len(enrichment.resolved) == 2  # the primary's records; the stub's answer is kept as provenance
    disagreements = {(d.kind, d.message) for d in enrichment.disagreements}
    assert ("year", "Stub gives 2024 as the year of 'Personalized Soups: Personalized Large Language Model "
                    "Alignment', arXiv 2023") in disagreements
    assert ("only-arxiv", "Stub does not know 'Another Paper Only arXiv Knows' (the stub knows no such work); "
                          "arXiv does") in disagreements
    assert {f.kind for f in merged.audit.findings} >= {"source-disagreement"}
    soups = next(data for _, data in merged.model.nodes(data=True) if data.get("arxiv_id") == "2305.11451")
    assert soups["stub_request"] == "GET https://stub.example/works" and soups["arxiv_request"].startswith("GET ")
    dataset = pa_graph.KnowledgeGraph.to_rdf(merged).serialize(format="nt")
    assert "<https://w3id.org/pa-graph/id/stub/response/" in dataset
    assert "<https://w3id.org/pa-graph/ontology#SourceResponse>" in dataset


def test_the_merge_keeps_every_sources_verdicts_and_joins_records_whoever_was_first():
    """Merged N ways: a link verdict only the second source gave is kept (primary first, one per link); a work two
    later sources share by DOI is one work even when a third source came first."""
    from pa_graph.records import Enrichment, LinkCheck, SourceRef
    from pa_graph.sources.merge import merge_sources

    where = (SourceRef("list.md", 3),)
    s2 = Enrichment(mode="online", api_url="s2", resolved={"k": SourceRecord("S2", title="A", year=2023)},
                    externals={"S2X": SourceRecord("S2X", title="Cited work", doi="10.1/x")})
    arxiv = Enrichment(mode="online", api_url="arxiv", source="arxiv", link_checks=[LinkCheck(
        "k", "A", "wrong", listed_id="2401.00001", points_to="B", correct_id=None, sources=where, by="arXiv")])
    merged = merge_sources([], [s2, arxiv])
    assert [check.by for check in merged.link_checks] == ["arXiv"]
    openalex = Enrichment(mode="online", api_url="oa", source="openalex",
                          externals={"W9": SourceRecord("W9", title="Cited work", doi="10.1/X", source="openalex",
                                                        openalex_id="W9")})
    three = merge_sources([], [arxiv, s2, openalex])
    assert three.source == "arxiv+s2+openalex" and sorted(three.externals) == ["S2X"]
    assert three.externals["S2X"].openalex_id == "W9"
