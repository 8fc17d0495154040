"""The Semantic Scholar client against respx fakes at the HTTP level, replaying recorded S2 answers where one exists."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx
import yaml

from pa_graph.sources.common import title_query
from pa_graph.sources.response_cache import ResponseCache
from pa_graph.sources.s2 import S2Client, S2Settings
from pa_graph.sources.s2_enrich import _record

API = "https://s2.test"
SAMPLES = Path(__file__).parent / "fixtures" / "s2"


def recorded(name: str) -> list[tuple[str, str]]:
    """(request URI, response body) of each interaction in a recorded cassette."""
    cassette = yaml.safe_load((SAMPLES / name).read_text(encoding="utf-8"))
    return [(i["request"]["uri"], i["response"]["body"]["string"]) for i in cassette["interactions"]]


class Clock:
    """A fake clock and sleep: waits are recorded, not slept."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def make_client(tmp_path, clock):
    def make(**settings) -> S2Client:
        defaults = {"api_url": API, "api_key": "secret", "rate": 1000.0}
        return S2Client(S2Settings(**(defaults | settings)), ResponseCache(tmp_path / "cache"),
                        sleep=clock.sleep, clock=clock)

    return make


@respx.mock
def test_batch_null_item_is_a_negative_answer_and_records_parse(make_client):
    (uri, body), = recorded("test_get_papers_return_not_found.yaml")
    route = respx.post(f"{API}/graph/v1/paper/batch").respond(200, text=body)
    ids = ["CorpusId:211530585", "CorpusId:470667", "10.2139/ssrn.2250500", "0f40b1f08821e22e859c6050916cec3667778613"]
    client = make_client()
    answers = client.papers(ids, "title,authors,externalIds", "paper")
    assert answers["CorpusId:211530585"].value is None
    assert json.loads(route.calls[0].request.content) == {"ids": ids}
    from semanticscholar.Paper import Paper

    record = _record(Paper(answers["CorpusId:470667"].value), answers["CorpusId:470667"])
    assert record.paper_id == "c31c87c591a25c64fbaa82e8ac6a81831b6ac7ce"
    assert record.doi == "10.2139/ssrn.288970" and record.corpus_id == 470667 and record.authors
    assert record.request.startswith(f"POST {API}/graph/v1/paper/batch?fields=")
    # the second ask is answered by the cache, negative answers included
    assert set(client.papers(ids, "title,authors,externalIds", "paper")) == set(ids)
    assert route.call_count == 1 and client.requests_sent == 1


@respx.mock
def test_paper_with_null_fields_is_read():
    from semanticscholar.Paper import Paper

    from pa_graph.sources.response_cache import Cached

    data = json.loads((SAMPLES / "PaperWithNullValues.json").read_text(encoding="utf-8"))
    record = _record(Paper(data), Cached(data, "r", "t"))
    assert (record.paper_id, record.authors, record.title) == ("2d5673caa9e6af3a7b82a43f19ee920992db07ad", (), None)


@respx.mock
def test_the_key_is_sent_on_every_request_including_pagination(make_client):
    pages = recorded("test_get_paper_references.yaml")
    route = respx.get(url__regex=rf"{API}/graph/v1/paper/P1/references.*").mock(
        side_effect=[httpx.Response(200, text=body) for _, body in pages])
    respx.post(f"{API}/graph/v1/paper/batch").respond(200, json=[None])
    respx.get(f"{API}/graph/v1/paper/search/match").respond(404, json={"error": "Title match not found"})
    client = make_client(page_size=50)
    answer = client.connected("P1", "references", "title", cap=9999)
    client.papers(["ARXIV:2401.00001"], "title", "paper")
    client.match_title("Some title", "title")
    assert len(answer.value) == 67  # 50 + 17 over two pages, unresolved references kept for the caller to skip
    assert [call.request.url.params["offset"] for call in route.calls] == ["0", "50"]
    assert all(call.request.headers["x-api-key"] == "secret" for call in respx.calls)
    assert len(respx.calls) == 4


@respx.mock
def test_title_match_sends_a_stripped_escaped_title_and_reads_the_recorded_answer(make_client):
    (_, body), = recorded("test_search_paper_match_title.yaml")
    route = respx.get(f"{API}/graph/v1/paper/search/match").respond(200, text=body)
    client = make_client()
    answer = client.match_title("R&D + C#: mining 100% association rules?", "title,year")
    sent = route.calls[0].request.url
    assert sent.params["query"] == "R D C mining 100 association rules"
    assert "&" not in sent.query.decode().split("query=")[1].split("&fields")[0]
    assert answer.value["paperId"] == "6fe8c5bf8dddaadf10c765133d38dfef5714347f"


def test_title_query_keeps_words_only():
    assert title_query("Tuning #Hashtags & +Plus Signs at 50% Cost") == "Tuning Hashtags Plus Signs at 50 Cost"


@respx.mock
def test_title_not_found_is_cached_as_negative(make_client):
    route = respx.get(f"{API}/graph/v1/paper/search/match").respond(404, json={"error": "Title match not found"})
    client = make_client()
    assert client.match_title("Unknown paper", "title").value is None
    assert client.match_title("Unknown paper", "title").value is None
    assert route.call_count == 1


@respx.mock
def test_a_wrong_api_url_answering_404_everywhere_is_a_failure_of_the_service_not_a_finding(make_client, tmp_path):
    """A 404 that is not S2's documented "Title match not found" (here a proxy's page at a wrong S2_API_URL) stops
    the requests with one warning naming the variable; no work is called unresolved."""
    from conftest import TABLE, row, write_list

    from pa_graph.lists.read import read_list
    from pa_graph.pipeline import assemble_lists
    from pa_graph.sources.driver import Sources

    route = respx.route(url__startswith=API).respond(404, json={"message": "Not Found"})
    listed = write_list(tmp_path, "list.md", TABLE.format(rows="\n".join([
        row("A paper", "AP", "2023", link="https://arxiv.org/abs/2301.00001"),
        row("Another paper without a link", "", "2024")])))
    client = make_client()
    graph = assemble_lists([read_list(listed)], Sources.around(client))
    assert not [f for f in graph.audit.findings if f.kind == "s2-unresolved"]
    assert route.call_count == 1  # nothing more is asked after a 404 the API does not document
    assert any("answered HTTP 404 to POST /paper/batch" in w and "check S2_API_URL" in w
               for w in graph.enrichment.warnings), graph.enrichment.warnings


@respx.mock
def test_a_400_is_a_warning_and_not_cached(make_client):
    route = respx.get(f"{API}/graph/v1/paper/search/match").respond(400, json={"error": "Unacceptable query"})
    client = make_client()
    assert client.match_title("Weird", "title") is None
    assert client.warnings == ["Semantic Scholar: GET /paper/search/match: HTTP 400 Unacceptable query"]
    assert client.match_title("Weird", "title") is None
    assert route.call_count == 2


@respx.mock
def test_429_honours_retry_after_then_succeeds(make_client, clock):
    route = respx.post(f"{API}/graph/v1/paper/batch").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": "3"}, json={"message": "Too Many Requests"}),
        httpx.Response(503, json={"message": "busy"}),
        httpx.Response(200, json=[{"paperId": "abc" + "0" * 37, "title": "T"}]),
    ])
    client = make_client()
    answers = client.papers(["ARXIV:1"], "title", "paper")
    assert answers["ARXIV:1"].value["paperId"] == "abc" + "0" * 37
    assert route.call_count == 3
    assert clock.waits[0] == 3.0  # Retry-After
    assert 1.0 <= clock.waits[1] <= 3.0  # exponential back-off with jitter: 2 s × [0.5, 1.5)


@respx.mock
def test_a_429_storm_ends_within_the_retry_budget(make_client, clock):
    route = respx.post(f"{API}/graph/v1/paper/batch").respond(429, json={"message": "Too Many Requests"})
    client = make_client(max_attempts=5)
    assert client.papers(["ARXIV:1"], "title", "paper") == {}
    assert route.call_count == 5
    assert client.warnings == ["Semantic Scholar: POST /paper/batch: HTTP 429; gave up after 5 attempts"]
    assert sum(clock.waits) <= 120


@respx.mock
def test_the_retry_budget_is_shared_by_all_requests(make_client, clock):
    respx.post(f"{API}/graph/v1/paper/batch").respond(503, headers={"Retry-After": "10"})
    client = make_client(retry_budget=25, max_attempts=10)
    client.papers(["ARXIV:1"], "title", "paper")
    client.papers(["ARXIV:2"], "title", "paper")
    assert sum(clock.waits) <= 25
    assert client.requests_sent == 4  # 3 attempts (2 waits of 10 s), then 1 more: the budget is spent


@respx.mock
def test_a_503_that_persists_mid_pagination_ends_pagination(make_client):
    first = {"offset": 0, "next": 2, "data": [{"citedPaper": {"paperId": "a"}}, {"citedPaper": {"paperId": "b"}}]}
    route = respx.get(url__regex=rf"{API}/graph/v1/paper/P/references.*").mock(
        side_effect=lambda request: httpx.Response(200, json=first) if request.url.params["offset"] == "0"
        else httpx.Response(503, json={"message": "Service Unavailable"}))
    client = make_client(page_size=2, max_attempts=3)
    answer = client.connected("P", "references", "title", cap=9999)
    assert [item["citedPaper"]["paperId"] for item in answer.value] == ["a", "b"]
    assert route.call_count == 1 + 3
    assert client.cache.get("references:9999:P") is None, "a partial list is not cached"


@respx.mock
def test_pagination_stops_at_the_cap_and_on_a_page_that_does_not_advance(make_client):
    looping = {"offset": 0, "next": 0, "data": [{"citingPaper": {"paperId": "x"}}]}
    route = respx.get(url__regex=rf"{API}/graph/v1/paper/L/citations.*").respond(200, json=looping)
    client = make_client()
    assert len(client.connected("L", "citations", "title", cap=100).value) == 1
    assert route.call_count == 1
    many = {"offset": 0, "next": 3, "data": [{"citingPaper": {"paperId": str(n)}} for n in range(3)]}
    capped = respx.get(url__regex=rf"{API}/graph/v1/paper/C/citations.*").respond(200, json=many)
    assert len(client.connected("C", "citations", "title", cap=5).value) == 5
    assert [call.request.url.params["limit"] for call in capped.calls] == ["5", "2"]


@respx.mock
def test_malformed_json_is_retried(make_client):
    route = respx.post(f"{API}/graph/v1/paper/batch").mock(side_effect=[
        httpx.Response(200, text='[{"paperId": "tru'), httpx.Response(200, json=[{"paperId": "0" * 40, "title": "T"}])])
    client = make_client()
    assert client.papers(["ARXIV:1"], "title", "paper")["ARXIV:1"].value["paperId"] == "0" * 40
    assert route.call_count == 2


@respx.mock
def test_a_malformed_item_affects_only_its_own_id(make_client):
    respx.post(f"{API}/graph/v1/paper/batch").respond(200, json=[
        {"title": "no id"}, {"paperId": "b" * 40}, {"paperId": "not-an-s2-id\n>"}])
    client = make_client()
    answers = client.papers(["A", "B", "C"], "title", "paper")
    assert set(answers) == {"B"}
    assert client.warnings[0].startswith("Semantic Scholar: malformed item for A in POST")
    assert client.warnings[1].startswith("Semantic Scholar: malformed item for C in POST")


@respx.mock
def test_403_stops_asking_with_an_actionable_message(make_client):
    route = respx.post(f"{API}/graph/v1/paper/batch").respond(403, json={"message": "Forbidden"})
    client = make_client()
    client.papers(["A"], "title", "paper")
    client.papers(["B"], "title", "paper")
    assert route.call_count == 1
    assert client.unavailable == "the API refused the request (HTTP 403): check S2_API_KEY"


@respx.mock
def test_connection_refused_fails_fast_without_retries(make_client, clock):
    route = respx.post(f"{API}/graph/v1/paper/batch").mock(side_effect=httpx.ConnectError("Connection refused"))
    client = make_client()
    assert client.papers(["A"], "title", "paper") == {}
    assert client.match_title("T", "title") is None
    assert route.call_count == 1 and clock.waits == []
    assert client.warnings == [f"Semantic Scholar: cannot connect to {API} (Connection refused)"]


@respx.mock
def test_no_first_answer_means_unreachable(make_client):
    respx.post(f"{API}/graph/v1/paper/batch").mock(side_effect=httpx.ReadTimeout("timed out"))
    client = make_client()
    client.papers(["A"], "title", "paper")
    assert client.unavailable == f"{API} did not answer within 8 s"


@respx.mock
def test_throttle_spaces_requests(make_client, clock):
    respx.get(f"{API}/graph/v1/paper/search/match").respond(404, json={"error": "Title match not found"})
    client = make_client(rate=2.0)
    for title in ("a", "b", "c"):
        client.match_title(title, "title")
    assert clock.waits == [0.5, 0.5]


@respx.mock
def test_refresh_asks_again_once(tmp_path, clock):
    route = respx.get(f"{API}/graph/v1/paper/search/match").respond(404, json={"error": "Title match not found"})
    cache = ResponseCache(tmp_path)
    settings = S2Settings(api_url=API, rate=1000)
    S2Client(settings, cache, sleep=clock.sleep, clock=clock).match_title("t", "title")
    fresh = S2Client(settings, cache, refresh=True, sleep=clock.sleep, clock=clock)
    fresh.match_title("t", "title")
    fresh.match_title("t", "title")
    assert route.call_count == 2


def test_offline_client_never_sends(make_client, tmp_path):
    client = S2Client(S2Settings(api_url="http://127.0.0.1:9"), ResponseCache(tmp_path), offline=True)
    assert client.papers(["A"], "title", "paper") == {}
    assert client.match_title("T", "title") is None
    assert client.requests_sent == 0


def test_settings_from_environment():
    settings = S2Settings.from_environment({"S2_API_KEY": "k", "S2_API_URL": "http://mirror"}, rate=3.0)
    assert (settings.api_key, settings.api_url, settings.rate) == ("k", "http://mirror", 3.0)
    assert S2Settings.from_environment({}).api_url == "https://api.semanticscholar.org"


@respx.mock
def test_a_429_slows_the_throttle_for_the_rest_of_the_build(make_client, clock):
    respx.get(f"{API}/graph/v1/paper/search/match").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": "0"}, json={"message": "Too Many Requests"}),
        *[httpx.Response(404, json={"error": "Title match not found"})] * 3])
    client = make_client(rate=2.0)
    for title in ("a", "b", "c"):
        client.match_title(title, "title")
    # Retry-After 0, then the retry waits for the slot booked at 2/s (0.5 s); from then on the rate is
    # 2 × 0.8 = 1.6/s: 0.625 s between requests
    assert clock.waits == [0.0, 0.5, 0.625, 0.625]


@respx.mock
def test_a_compressed_answer_cannot_inflate_past_the_cap(make_client):
    import gzip

    bomb = gzip.compress(b"[" + b" " * 20_000_000 + b"]")  # 20 MB of JSON in 20 kB
    respx.post(f"{API}/graph/v1/paper/batch").respond(200, content=bomb, headers={"Content-Encoding": "gzip"})
    client = make_client(max_answer_bytes=1_000_000)
    assert client.papers(["ARXIV:1"], "title", "paper") == {}
    assert client.warnings == ["Semantic Scholar: POST /paper/batch: the answer is larger than 1,000,000 bytes; "
                               "not read"]


@respx.mock
def test_pages_that_always_say_next_end(make_client):
    route = respx.get(f"{API}/graph/v1/paper/x/citations").mock(
        side_effect=lambda request: httpx.Response(200, json={
            "offset": int(request.url.params["offset"]), "next": int(request.url.params["offset"]) + 1,
            "data": [{"citingPaper": {"paperId": "c" * 40}}]}))
    client = make_client(page_size=100)
    answer = client.connected("x", "citations", "title", cap=1000)
    assert route.call_count == 2 * 10 + 2 and len(answer.value) == 22  # not 1000 requests
