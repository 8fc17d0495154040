"""OpenAlex as a source: the client against respx at the HTTP level, and whole builds against the fake OpenAlex
(``tests/fake_openalex``, the fake S2 world as OpenAlex would hold it) next to the fake Semantic Scholar."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from conftest import oxigraph_rows
from fake_openalex.server import FakeOpenAlex
from fake_openalex.server import Faults as OAFaults
from fake_openalex.world import PLANTED_KINDS, build_openalex_world
from fake_s2.server import FakeS2
from fake_s2.world import build_world
from rdflib import Graph

from pa_graph import BuildOptions, assemble, build
from pa_graph.export.vocab import PA
from pa_graph.sources.common import EnrichOptions
from pa_graph.sources.openalex import OpenAlexClient, OpenAlexSettings
from pa_graph.sources.response_cache import ResponseCache
from pa_graph.sources.s2 import S2Client, S2Settings

pytestmark = pytest.mark.slow  # end to end: servers, browsers, whole builds

API = "https://openalex.test"


@pytest.fixture(scope="module")
def world():
    return build_world()


def listed_citations(kg) -> set[tuple[str, str]]:
    model = kg.model
    return {(a, b) for a, b, key in model.edges(keys=True)
            if key == "cites" and model.nodes[a].get("listed") and model.nodes[b].get("listed")}


@pytest.fixture(scope="module")
def both_sources(world, tmp_path_factory):
    """The bundled list assembled from each fake alone (sources that agree), with the fakes' request logs."""
    tmp = tmp_path_factory.mktemp("sources")
    with FakeOpenAlex(build_openalex_world(world)) as oa, FakeS2(world) as s2:
        openalex = OpenAlexClient(OpenAlexSettings(api_url=oa.url, rate=1000.0), ResponseCache(tmp / "oa"))
        from_openalex = assemble(client=openalex)
        openalex.close()
        semantic = S2Client(S2Settings(api_url=s2.url, rate=1000.0), ResponseCache(tmp / "s2"))
        from_s2 = assemble(client=semantic)
        semantic.close()
        log = list(oa.log)
        again = OpenAlexClient(OpenAlexSettings(api_url=oa.url, rate=1000.0), ResponseCache(tmp / "oa"))
        rebuilt = assemble(client=again)
        again.close()
        return {"openalex": from_openalex, "s2": from_s2, "log": log, "rebuilt": rebuilt,
                "asked_again": len(oa.log) - len(log)}


# ----- the client, at the HTTP level --------------------------------------------------------------------------

def client(tmp_path, **settings) -> OpenAlexClient:
    waits: list[float] = []
    made = OpenAlexClient(OpenAlexSettings(**({"api_url": API, "rate": 1000.0} | settings)),
                          ResponseCache(tmp_path / "cache"), sleep=waits.append)
    made.waits = waits
    return made


def page_of(results: list[dict], count: int | None = None, cursor: str | None = None) -> dict:
    return {"meta": {"count": len(results) if count is None else count, "per_page": 100, "next_cursor": cursor},
            "results": results}


@respx.mock
def test_dois_are_free_singletons_cached_one_by_one_with_the_key_and_no_mailto_parameter(tmp_path):
    dois = [f"10.1234/x{n}" for n in range(12)]

    def answer(request: httpx.Request) -> httpx.Response:
        doi = request.url.path.removeprefix("/works/doi:")
        if doi.endswith("7"):
            return httpx.Response(404, json={"error": "Not Found", "message": f"doi:{doi} not found"})
        return httpx.Response(200, json={"id": "https://openalex.org/W1" + doi[-1], "doi": f"https://doi.org/{doi}",
                                         "title": doi})

    respx.get(url__regex=rf"{API}/works/doi:.*").mock(side_effect=answer)
    oa = client(tmp_path, mailto="me@example.org", api_key="sekret")
    answers = oa.works_by_doi(dois)
    assert (oa.singletons, oa.list_calls, oa.searches, oa.cost_usd()) == (12, 0, 0, 0.0)
    assert answers["10.1234/x7"].value is None and answers["10.1234/x8"].value["title"] == "10.1234/x8"
    assert "sekret" not in answers["10.1234/x8"].request and "me@example.org" not in answers["10.1234/x8"].request
    request = respx.calls[0].request
    sent = parse_qs(urlsplit(str(request.url)).query)
    assert sent["api_key"] == ["sekret"] and "mailto" not in sent  # mailto is deprecated: a contact in the User-Agent
    assert request.headers["user-agent"].endswith("(mailto:me@example.org)")
    assert oa.works_by_doi(dois[:10]) and len(respx.calls) == 12  # from the cache


@respx.mock
def test_a_merged_work_is_followed_to_the_work_it_became_within_the_api_host(tmp_path):
    respx.get(f"{API}/works/doi:10.1234/old").mock(return_value=httpx.Response(301, headers={"location": "/works/W9"}))
    respx.get(f"{API}/works/W9").mock(return_value=httpx.Response(200, json={"id": "https://openalex.org/W9",
                                                                                "title": "Merged"}))
    respx.get(f"{API}/works/doi:10.1234/away").mock(
        return_value=httpx.Response(301, headers={"location": "https://elsewhere.test/works/W9"}))
    oa = client(tmp_path)
    assert oa.work_by_doi("10.1234/old").value["title"] == "Merged"
    assert oa.work_by_doi("10.1234/away") is None and "redirected away" in oa.warnings[-1]
    assert [str(call.request.url.host) for call in respx.calls] == ["openalex.test"] * 3


@respx.mock
def test_a_429_that_says_the_allowance_is_spent_stops_every_charged_call_but_not_lookups(tmp_path):
    spent = httpx.Response(429, json={"error": "Too Many Requests", "message": "Daily limit exceeded"},
                           headers={"x-ratelimit-remaining-usd": "0.0000"})
    searches = respx.get(f"{API}/works").mock(return_value=spent)
    lookups = respx.get(url__regex=rf"{API}/works/doi:.*").mock(
        return_value=httpx.Response(200, json={"id": "https://openalex.org/W1", "title": "A"}))
    oa = client(tmp_path)
    assert oa.search_title("one title") is None and oa.search_title("another title") is None
    assert oa.citing("W1", cap=10) is not None  # a partial (empty) list, not an error
    assert searches.call_count == 1 and oa.allowance_spent and oa.waits == []  # no retry of a spent allowance
    assert oa.work_by_doi("10.1234/free").value["title"] == "A" and lookups.call_count == 1
    assert oa.warnings == []  # the enrichment says it once, with what was left undone


@respx.mock
def test_a_bare_429_is_backed_off_once_and_a_second_one_ends_the_charged_calls(tmp_path):
    route = respx.get(f"{API}/works").mock(return_value=httpx.Response(429, json={"error": "Too Many Requests"}))
    oa = client(tmp_path)
    assert oa.search_title("a title") is None
    assert route.call_count == 2 and sum(wait > 0.01 for wait in oa.waits) == 1 and oa.allowance_spent  # one back-off


@respx.mock
def test_a_403_is_a_signal_to_slow_down_and_a_401_ends_the_use_of_the_service(tmp_path):
    route = respx.get(f"{API}/works")
    route.side_effect = [httpx.Response(403, json={"error": "Rate limit exceeded"}),
                         httpx.Response(200, json=page_of([{"id": "https://openalex.org/W1", "title": "A"}]))]
    oa = client(tmp_path)
    assert oa.works_by_id(["W1"])["W1"].value["title"] == "A"
    assert oa.unavailable is None and oa._rate < 1000.0
    route.side_effect = [httpx.Response(401, json={"error": "Invalid API key"})]
    assert oa.works_by_id(["W2"]) == {}
    assert oa.unavailable == "the API refused the request (HTTP 401): set OPENALEX_API_KEY"
    assert oa.works_by_id(["W3"]) == {} and route.call_count == 3  # not asked again


@respx.mock
def test_citations_page_by_number_without_a_key_and_stop_at_the_last_page(tmp_path):
    pages = {1: [{"id": f"https://openalex.org/W{n}"} for n in range(1, 101)],
             2: [{"id": f"https://openalex.org/W{n}"} for n in range(101, 131)]}

    def answer(request: httpx.Request) -> httpx.Response:
        query = parse_qs(urlsplit(str(request.url)).query)
        assert "cursor" not in query
        return httpx.Response(200, json=page_of(pages[int(query["page"][0])], count=130))

    respx.get(f"{API}/works").mock(side_effect=answer)
    answer_ = client(tmp_path).citing("W9", cap=1000)
    assert len(answer_.value) == 130 and len(respx.calls) == 2


@respx.mock
def test_a_401_on_cursor_paging_falls_back_to_page_paging(tmp_path):
    def answer(request: httpx.Request) -> httpx.Response:
        query = parse_qs(urlsplit(str(request.url)).query)
        if "cursor" in query:
            return httpx.Response(401, json={"error": "API key required for cursor paging"})
        return httpx.Response(200, json=page_of([{"id": "https://openalex.org/W5"}], count=1))

    respx.get(f"{API}/works").mock(side_effect=answer)
    oa = client(tmp_path, api_key="k")
    assert [item["id"] for item in oa.citing("W9", cap=50).value] == ["https://openalex.org/W5"]
    assert oa.cursor_refused and oa.unavailable is None
    assert oa.citing("W10", cap=50) is not None and len(respx.calls) == 3  # no cursor asked for the second work
    assert sum("cursor paging refused" in w for w in oa.warnings) == 1


# ----- whole builds against the fakes ----------------------------------------------------------------------------

def test_openalex_alone_resolves_the_list_and_finds_the_same_citations_as_semantic_scholar(both_sources):
    from_openalex, from_s2 = both_sources["openalex"], both_sources["s2"]
    enrichment = from_openalex.enrichment
    assert enrichment.source == "openalex" and enrichment.warnings == []
    assert set(enrichment.resolved) == set(from_s2.enrichment.resolved)
    assert listed_citations(from_openalex) == listed_citations(from_s2) != set()
    calls = enrichment.calls["openalex"]
    assert calls["singletons"] + calls["list_calls"] + calls["searches"] == enrichment.requests == len(both_sources["log"])
    priced = [entry for entry in both_sources["log"] if entry.path == "/works"]
    assert calls["list_calls"] + calls["searches"] == len(priced)  # every DOI a free singleton, nothing else
    assert calls["cost_usd"] == round(calls["list_calls"] * 0.0001 + calls["searches"] * 0.001, 6)
    assert calls["list_calls"] <= 5 and calls["searches"] <= 85  # measured: 2 list calls, 81 searches
    top = from_openalex.gap_report.suggestions[0]  # the gap analysis runs on OpenAlex's citations too
    assert re.fullmatch(r"https://openalex\.org/W\d+", top.links["openalex"]) and "semantic_scholar" not in top.links


def test_the_client_keeps_to_the_limits_the_fake_enforces(both_sources):
    log = both_sources["log"]
    assert all(entry.status == 200 or (entry.status == 404 and entry.path.startswith("/works/doi:")) for entry in log)
    for entry in (entry for entry in log if entry.path == "/works"):
        per_page = int((entry.query.get("per_page") or entry.query.get("per-page"))[0])
        assert per_page <= 100
        for clause in entry.query.get("filter", [""])[0].split(","):
            assert len(clause.split("|")) <= 100
        assert "cursor" not in entry.query  # no key: page paging only


def test_both_sources_merge_into_one_graph_and_the_audit_names_each_planted_disagreement(world, tmp_path):
    planted = build_openalex_world(world, plant=True)
    with FakeOpenAlex(planted) as oa, FakeS2(world) as s2:
        result = build(options=BuildOptions(
            out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", source="both",
            s2=S2Settings(api_url=s2.url, rate=1000.0), openalex=OpenAlexSettings(api_url=oa.url, rate=1000.0)))
    audit = json.loads((tmp_path / "out" / "audit.json").read_text(encoding="utf-8"))
    found = [f for f in audit["findings"] if f["kind"] == "source-disagreement"]
    title_of = {pid: world.papers[pid].title for pid in planted.planted.values()}
    expected = {(kind, title_of[pid].casefold()) for kind, pid in planted.planted.items()}
    got = set()
    for finding in found:
        assert "OpenAlex" in finding["message"]
        kind = finding["id"].split(":")[1]
        got |= {(kind, t.casefold()) for t in title_of.values() if t.casefold() in finding["message"].casefold()}
    assert len(found) == len(PLANTED_KINDS) and got == expected

    turtle = tmp_path / "out" / "graph.ttl"
    merged = {o for (o,) in oxigraph_rows(turtle, f"SELECT ?o WHERE {{ ?w <{PA.openAlexId}> ?o }}")}
    assert len(merged) >= 150  # listed works and references, merged by DOI or arXiv id
    works_with_both = oxigraph_rows(turtle, f"SELECT DISTINCT ?w WHERE {{ ?w <{PA.openAlexId}> ?a ; <{PA.s2PaperId}> ?b }}")
    assert len(works_with_both) >= 150
    dois = [o for (o,) in oxigraph_rows(turtle, "SELECT ?o WHERE { ?w <http://prismstandard.org/namespaces/basic/2.0/doi> ?o }")]
    assert len(dois) == len({d.lower() for d in dois}), "a work known to both sources appears once"
    record = json.loads((tmp_path / "out" / "build.json").read_text(encoding="utf-8"))["enrichment"]
    assert set(record["calls"]) == {"s2", "openalex"} and "OpenAlex" in record["source"]
    assert result.graph.enrichment.source == "s2+openalex"


def test_an_unreachable_semantic_scholar_falls_back_to_openalex_with_one_warning(world, tmp_path, runner):
    from pa_graph.cli import main

    with FakeOpenAlex(build_openalex_world(world)) as oa:
        env = {"S2_API_URL": "http://127.0.0.1:9", "OPENALEX_API_URL": oa.url,
               "PA_GRAPH_CACHE_DIR": str(tmp_path / "cache")}
        result = runner.invoke(main, ["build", "--out", str(tmp_path / "out"), "--rate", "1000"], env=env)
        offline = runner.invoke(main, ["build", "--offline", "--out", str(tmp_path / "again")], env=env)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines()
                if line.startswith("warning:") and re.search("Semantic Scholar|OpenAlex", line)]
    assert len(warnings) == 1 and re.fullmatch(
        r"warning: Semantic Scholar: cannot connect to .*; enriched from OpenAlex instead", warnings[0]), warnings
    assert "OpenAlex (online): 155 works resolved" in result.stdout
    assert offline.exit_code == 0 and "OpenAlex (offline): 155 works resolved" in offline.stdout
    for name in ("graph.ttl", "gaps.json"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "again" / name).read_bytes()


def test_the_key_and_mailto_never_reach_an_output_or_the_cache(world, tmp_path):
    with FakeOpenAlex(build_openalex_world(world), OAFaults(api_key="oa-secret-key")) as oa:
        build(options=BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", source="openalex",
                                   extras=EnrichOptions(citations=True, max_citations=5),
                                   openalex=OpenAlexSettings(api_url=oa.url, rate=1000.0, api_key="oa-secret-key",
                                                             mailto="maintainer@example.org")))
        assert any("cursor" in entry.query for entry in oa.log), "with a key, citations use cursor paging"
        assert all(entry.status == 200 or (entry.status == 404 and entry.path.startswith("/works/doi:"))
                   for entry in oa.log)
    for path in [*(tmp_path / "out").rglob("*"), *(tmp_path / "cache").rglob("*")]:
        data = path.read_bytes() if path.is_file() else b""
        assert b"oa-secret-key" not in data and b"maintainer@example.org" not in data, path
    assert oxigraph_rows(tmp_path / "out" / "graph.ttl", f"SELECT ?r WHERE {{ ?s <{PA.openAlexRequest}> ?r }} LIMIT 1")
    described = (tmp_path / "out" / "dataset.ttl").read_text(encoding="utf-8")
    assert "creativecommons.org/publicdomain/zero" in described and "openalex.org" in described


def test_a_second_build_asks_openalex_nothing(both_sources):
    assert both_sources["asked_again"] == 0 and both_sources["rebuilt"].enrichment.requests == 0
    first, again = both_sources["openalex"], both_sources["rebuilt"]
    assert listed_citations(first) == listed_citations(again)
    assert first.enrichment.resolved == again.enrichment.resolved


def test_server_trouble_on_openalex_is_retried_within_the_budget(world, tmp_path):
    """A bare 429 (backed off once), a 500 and two 403s ("slow down") cost nothing but time."""
    with FakeOpenAlex(build_openalex_world(world), OAFaults(rate_limited=1, server_errors=1, forbidden=2)) as oa:
        oa_client = OpenAlexClient(OpenAlexSettings(api_url=oa.url, rate=1000.0, backoff=0.01),
                                   ResponseCache(tmp_path / "cache"))
        enrichment = assemble(client=oa_client).enrichment
        oa_client.close()
    assert len(enrichment.resolved) == 155 and enrichment.warnings == []


def test_works_not_in_the_list_merge_by_doi_arxiv_id_or_title_and_year():
    from pa_graph.records import CitationLink, Enrichment, SourceRecord
    from pa_graph.sources.merge import merge_sources

    s2_id = "a" * 40
    s2 = Enrichment(mode="online", api_url=API, externals={
        s2_id: SourceRecord(s2_id, title="A Study of Citing Papers at Length", year=2024),
        "b" * 40: SourceRecord("b" * 40, title="Another", year=2020, doi="10.1/X"),
        "c" * 40: SourceRecord("c" * 40, title="Third", year=2021, arxiv_id="2101.00001")})
    openalex = Enrichment(mode="online", api_url=API, source="openalex", externals={
        "W1": SourceRecord("W1", title="A study of citing papers at length", year=2024, source="openalex", openalex_id="W1"),
        "W2": SourceRecord("W2", title="another one", year=2020, doi="10.1/x", source="openalex", openalex_id="W2"),
        "W3": SourceRecord("W3", title="Third", year=2021, arxiv_id="2101.00001v2", source="openalex", openalex_id="W3"),
        "W4": SourceRecord("W4", title="A Study of Citing Papers at Length", year=2023, source="openalex", openalex_id="W4")},
        citations=[CitationLink("W1", "W2", source="openalex"), CitationLink("W4", "W3", source="openalex")])
    merged = merge_sources([], [s2, openalex])
    assert set(merged.externals) == {s2_id, "b" * 40, "c" * 40, "W4"}  # another year: another work
    assert [merged.externals[k].openalex_id for k in (s2_id, "b" * 40, "c" * 40)] == ["W1", "W2", "W3"]
    assert {(link.citing, link.cited, link.source) for link in merged.citations} == {
        (s2_id, "b" * 40, "openalex"), ("W4", "c" * 40, "openalex")}


def test_a_build_cut_short_resumes_without_repeating_an_answered_request(world, tmp_path):
    def signature(entry):
        return entry.path, tuple(sorted((k, tuple(v)) for k, v in entry.query.items()))

    with FakeOpenAlex(build_openalex_world(world), OAFaults(refuse_after=30)) as oa:
        settings = OpenAlexSettings(api_url=oa.url, rate=1000.0)
        cut_short = OpenAlexClient(settings, ResponseCache(tmp_path / "cache"))
        first = assemble(client=cut_short).enrichment
        cut_short.close()
        answered = [entry for entry in oa.log if entry.status in (200, 404)]  # a 404 is an answer: no such DOI
        count = len(oa.log)
        oa.faults.refuse_after = None
        resumed = OpenAlexClient(settings, ResponseCache(tmp_path / "cache"))
        second = assemble(client=resumed).enrichment
        resumed.close()
        rerun = oa.log[count:]
        fresh = OpenAlexClient(settings, ResponseCache(tmp_path / "fresh"))
        whole = assemble(client=fresh).enrichment.requests  # what one uninterrupted build asks
        fresh.close()
    assert len(answered) == 30 and first.not_cached and "refused" in " ".join(first.warnings)
    assert not {signature(e) for e in answered} & {signature(e) for e in rerun}
    assert len(second.resolved) == 155 and len(rerun) == whole - 30


@respx.mock
def test_hostile_openalex_values_are_left_out_and_every_output_parses(tmp_path):
    import pyoxigraph

    listed = tmp_path / "list.md"
    listed.write_text("## Papers\n\n| Paper | Year | PDF |\n|---|---|---|\n"
                      "| [A hostile paper](https://arxiv.org/abs/2401.00001) | 2024 | |\n"
                      "| [Numbers for titles](https://arxiv.org/abs/2401.00002) | 2024 | |\n", encoding="utf-8")
    hostile = {
        "id": "https://openalex.org/W77", "doi": "https://doi.org/10.48550/arxiv.2401.00001",
        "title": "A Hostile Paper", "publication_year": "2024", "cited_by_count": -1,
        "authorships": [{"author": {"id": "A1>\n", "display_name": "Ann \ud800 Author"}}, {"author": None}, 7],
        "primary_location": {"source": ["not", "a", "dict"]},
        "locations": [{"landing_page_url": "https://arxiv.org/abs/2401.00001\n<x>"}, "x"],
        "referenced_works": ["https://evil.example/W1", 5, "https://openalex.org/W78", "W0"],
    }
    numbers = {"id": "https://openalex.org/W79", "doi": "https://doi.org/10.48550/arxiv.2401.00002", "title": 12}
    respx.get(f"{API}/works", params={"filter": "openalex:W78"}).respond(
        200, json=page_of([{"id": "https://openalex.org/W78", "title": ["x"], "publication_year": True,
                            "doi": "10.1/x y", "referenced_works": "W77"}]))
    respx.get(f"{API}/works").respond(200, text=json.dumps(page_of([hostile, numbers, {"id": "no id"}, "junk"])),
                                      headers={"Content-Type": "application/json"})
    respx.get(f"{API}/works/doi:10.48550/arxiv.2401.00001").respond(200, text=json.dumps(hostile),
                                                                    headers={"Content-Type": "application/json"})
    respx.get(f"{API}/works/doi:10.48550/arxiv.2401.00002").respond(200, json=numbers)
    result = build([listed], BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", source="openalex",
                                          openalex=OpenAlexSettings(api_url=API, rate=1000.0)))
    enrichment = result.graph.enrichment
    work = enrichment.resolved[next(k for k in enrichment.resolved if "hostile" in k)]
    assert (work.year, work.citation_count, work.venue) == (None, None, None)
    assert work.arxiv_id == "2401.00001" and work.doi == "10.48550/arxiv.2401.00001"
    assert [a for a, _ in work.authors] == [None] and "\ud800" not in work.authors[0][1]
    assert len(enrichment.resolved) == 1  # a title that is a number matches nothing
    external = enrichment.externals["W78"]
    assert (external.title, external.year, external.doi, external.reference_count) == (None, None, None, None)
    for name in ("graph.ttl", "dataset.ttl"):
        Graph().parse(tmp_path / "out" / name)
        pyoxigraph.Store().load(path=str(tmp_path / "out" / name), format=pyoxigraph.RdfFormat.TURTLE)
    json.loads((tmp_path / "out" / "graph.json").read_text(encoding="utf-8"))


@respx.mock
def test_citation_pages_are_cached_as_they_arrive(tmp_path):
    broken = {"page 3": True}

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(parse_qs(urlsplit(str(request.url)).query)["page"][0])
        if page == 3 and broken["page 3"]:
            return httpx.Response(500, json={"error": "boom"})
        return httpx.Response(200, json=page_of([{"id": f"https://openalex.org/W{page * 1000 + n}"}
                                                 for n in range(100 if page < 3 else 5)], count=205))

    respx.get(f"{API}/works").mock(side_effect=answer)
    failing = client(tmp_path, max_attempts=2, backoff=0.0)
    assert len(failing.citing("W9", cap=1000).value) == 200  # pages 1-2, then page 3 fails for good
    failing.close()
    broken["page 3"] = False
    before = len(respx.calls)
    resumed = client(tmp_path)
    assert len(resumed.citing("W9", cap=1000).value) == 205
    pages = [parse_qs(urlsplit(str(call.request.url)).query)["page"] for call in respx.calls[before:]]
    assert pages == [["3"]]  # pages 1 and 2 came from the cache


def test_title_and_year_never_merge_works_with_ids_and_both_cases_are_reported():
    from pa_graph.analysis.audit import audit
    from pa_graph.records import CitationLink, Enrichment, SourceRecord
    from pa_graph.sources.merge import merge_sources

    s2_id, other_s2 = "a" * 40, "b" * 40
    conflicting = "Personal reward models with sparse user feedback"
    split = "Aligning language models to thousands of users"
    s2 = Enrichment(mode="online", api_url="s2", externals={
        s2_id: SourceRecord(s2_id, title=conflicting, year=2023, doi="10.1000/s2.version"),
        other_s2: SourceRecord(other_s2, title=split, year=2021, arxiv_id="2105.00001")})
    openalex = Enrichment(mode="online", api_url="oa", source="openalex", externals={
        "W1": SourceRecord("W1", title=conflicting, year=2023, doi="10.1000/other.paper", source="openalex"),
        "W2": SourceRecord("W2", title=split, year=2022, doi="10.1000/published", source="openalex")},
        citations=[CitationLink("W1", "W2", source="openalex")])
    merged = merge_sources([], [s2, openalex])
    assert set(merged.externals) == {s2_id, other_s2, "W1", "W2"}  # nothing merged on title and year alone
    assert merged.externals[s2_id].doi == "10.1000/s2.version" and merged.externals["W1"].doi == "10.1000/other.paper"
    assert [(link.citing, link.cited) for link in merged.citations] == [("W1", "W2")]  # citations did not move
    found = {d.kind: d.message for d in merged.disagreements}
    assert set(found) == {"conflicting-ids", "split-work"}
    assert conflicting in found["conflicting-ids"] and "10.1000/s2.version" in found["conflicting-ids"] \
        and "10.1000/other.paper" in found["conflicting-ids"]
    assert split in found["split-work"] and "2105.00001" in found["split-work"] and "10.1000/published" in \
        found["split-work"] and "2021" in found["split-work"] and "2022" in found["split-work"]
    report = audit([], [], merged)
    assert {f.kind for f in report.findings} == {"source-disagreement"} and len(report.findings) == 2


def test_without_a_key_free_lookups_resolve_what_they_can_and_a_spent_allowance_stops_charged_calls(world, tmp_path):
    """OpenAlex as priced since February 2026, no key ($0.01 a day): DOIs are free singletons, searches are dear."""
    oa_world = build_openalex_world(world)
    with FakeOpenAlex(oa_world, OAFaults(allowance_usd=0.01)) as oa:
        result = build(options=BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", source="openalex",
                                            openalex=OpenAlexSettings(api_url=oa.url, rate=1000.0)))
        log = list(oa.log)
    enrichment = result.graph.enrichment
    # what a free lookup can resolve, worked out from the fake's own records: a listed arXiv link whose arXiv DOI is
    # the DOI OpenAlex holds for a work of the same title
    by_doi = {work.doi: work for work in oa_world.works.values() if work.doi}
    expected = {}
    for work in result.graph.works:
        for arxiv in work.listed_arxiv_ids:
            found = by_doi.get(f"10.48550/arxiv.{arxiv.split('v')[0]}".lower())
            if found is not None and found.title.casefold() == work.title.casefold():
                expected[work.key] = found.work_id
    assert len(expected) > 50
    assert {key: enrichment.resolved[key].paper_id for key in expected if key in enrichment.resolved} == expected
    refused = [n for n, entry in enumerate(log) if entry.status == 429]
    assert refused, "the keyless allowance runs out on this list"
    assert len([entry for entry in log[refused[0] + 1:] if entry.path == "/works"]) <= 2
    spent = [warning for warning in enrichment.warnings if "OPENALEX_API_KEY" in warning]
    assert len(spent) == 1 and "listed works left unresolved" in spent[0]
    calls = json.loads((tmp_path / "out" / "build.json").read_text(encoding="utf-8"))["enrichment"]["calls"]["openalex"]
    charged = [entry for entry in log if entry.charged]
    assert calls["singletons"] == sum(entry.price == "singleton" for entry in log)
    assert calls["cost_usd"] >= round(sum(entry.charged for entry in charged), 6) > 0


def test_offline_openalex_counts_and_prices_no_call_and_warns_nothing(tmp_path, runner):
    """Offline nothing is sent: build.json counts no singleton, list call or search and prices nothing, and no
    "offline" warning repeats what the build already says."""
    from pa_graph.cli import main

    result = runner.invoke(main, ["build", "--source", "openalex", "--offline", "--out", str(tmp_path / "out"),
                                  "--cache-dir", str(tmp_path / "cache"), "--quiet"])
    assert result.exit_code == 0, result.output
    calls = json.loads((tmp_path / "out" / "build.json").read_text())["enrichment"]["calls"]["openalex"]
    assert calls == {"requests": 0, "singletons": 0, "list_calls": 0, "searches": 0, "cost_usd": 0.0}
    assert "offline: only the cache is read" not in result.output
