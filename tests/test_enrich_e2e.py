"""End to end: builds against the fake Semantic Scholar server (real HTTP on a loopback port) with planted data."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import TABLE, oxigraph_rows, row, undeclared_pa_terms, write_list
from fake_s2.server import FakeS2, Faults
from fake_s2.world import EXTRA_TITLES, NO_ARXIV, UNKNOWN_IDS, UNKNOWN_WORKS, WRONG_LINKS, build_world, raw_lines

from pa_graph import BuildOptions, build, bundled_list
from pa_graph.sources.common import EnrichOptions
from pa_graph.sources.s2 import S2Settings
from pa_graph.sources.s2_enrich import PAPER_FIELDS

pytestmark = pytest.mark.slow  # end to end: servers, browsers, whole builds

KEY = "test-key"
REPO = Path(__file__).resolve().parents[1]
LINES_OF_TITLE = {}  # title → list-file lines, read from the raw list
for number, fixed in enumerate(raw_lines(), 1):
    found = re.match(r"\| \[(.+?)\]\(", fixed)
    if found:
        LINES_OF_TITLE.setdefault(found.group(1), []).append(number)


@pytest.fixture(scope="module")
def world():
    return build_world()


def settings(fake: FakeS2, **extra) -> S2Settings:
    return S2Settings(api_url=fake.url, api_key=KEY, **{"rate": 1000.0, **extra})


def options(fake: FakeS2, tmp_path: Path, out: str = "out", **extra) -> BuildOptions:
    extras = extra.pop("extras", EnrichOptions())
    s2 = settings(fake, **extra.pop("s2", {}))
    return BuildOptions(out_dir=tmp_path / out, cache_dir=tmp_path / "cache", s2=s2, extras=extras, **extra)


def assembled(fake: FakeS2, tmp_path: Path, extras: EnrichOptions, **s2):
    """The bundled list assembled against the fake (nothing written), with these client settings."""
    from pa_graph import assemble
    from pa_graph.sources.response_cache import ResponseCache
    from pa_graph.sources.s2 import S2Client

    client = S2Client(settings(fake, **s2), ResponseCache(tmp_path / "cache"))
    try:
        return assemble(client=client, extras=extras)
    finally:
        client.close()


def cites(path: Path) -> set[tuple[str, str]]:
    return set(oxigraph_rows(path, """
        PREFIX cito: <http://purl.org/spar/cito/> PREFIX pa: <https://w3id.org/pa-graph/ontology#>
        SELECT ?a ?b WHERE { ?x cito:cites ?y . ?x pa:s2PaperId ?a . ?y pa:s2PaperId ?b }"""))


@pytest.fixture(scope="module")
def enriched(world, tmp_path_factory):
    """One fault-free build of the bundled list against the fake, and a second one on the same cache."""
    tmp_path = tmp_path_factory.mktemp("enriched")
    with FakeS2(world, Faults(api_key=KEY)) as fake:
        first = build(options=options(fake, tmp_path))
        first_requests = list(fake.log)
        second = build(options=options(fake, tmp_path, out="again"))
        return {"tmp": tmp_path, "first": first, "log": first_requests, "second_requests": len(fake.log) - len(first_requests),
                "second": second}


def test_whole_list_is_enriched_in_at_most_50_requests(enriched):
    log = enriched["log"]
    print(f"requests for the whole bundled list: {len(log)}")
    assert len(log) <= 50
    # the listed arXiv ids in batches of at most 100 (two: they ask for nested references), the ids found by
    # title, and the references of the gap candidates
    arxiv_ids = {re.sub(r"v\d+$", "", i) for w in enriched["first"].graph.works for i in w.listed_arxiv_ids}
    assert 100 < len(arxiv_ids) <= 200
    assert [entry.path for entry in log].count("/graph/v1/paper/batch") == 2 + 1 + 1
    enrichment = enriched["first"].graph.enrichment
    assert len(enrichment.resolved) == 155 and list(enrichment.unresolved) and not enrichment.not_cached


def test_every_request_carries_the_key(enriched):
    assert all(entry.headers.get("x-api-key") == KEY for entry in enriched["log"])


def test_second_build_makes_no_request_and_is_identical(enriched):
    assert enriched["second_requests"] == 0
    tmp = enriched["tmp"]
    assert (tmp / "out" / "graph.ttl").read_bytes() == (tmp / "again" / "graph.ttl").read_bytes()


def test_graph_holds_exactly_the_planted_citations(enriched, world):
    resolved = {pid for pid in world.listed_titles.values()}
    assert cites(enriched["tmp"] / "out" / "graph.ttl") == world.expected_cites(resolved)
    assert world.expected_cites(resolved) > world.planted_cites(resolved)  # candidates' references are there too


def test_works_resolve_to_the_planted_papers(enriched, world):
    model = enriched["first"].graph.model
    for _, data in model.nodes(data=True):
        if data.get("kind") == "work" and data.get("listed") and data.get("s2_paper_id"):
            assert world.listed_titles[data["title"]] == data["s2_paper_id"], data["title"]
    (unresolved,) = [d for _, d in model.nodes(data=True) if d.get("unresolved")]
    assert unresolved["title"] in UNKNOWN_WORKS


def test_audit_flags_exactly_the_planted_wrong_links(enriched):
    checks = enriched["first"].graph.audit.link_checks
    wrong = {check.title: check for check in checks if check.status == "wrong"}
    assert set(wrong) == set(WRONG_LINKS) | set(UNKNOWN_IDS) | NO_ARXIV | UNKNOWN_WORKS
    for title, right in {**WRONG_LINKS, **UNKNOWN_IDS}.items():
        assert wrong[title].correct_id == right
    assert all(wrong[title].correct_id is None for title in NO_ARXIV | UNKNOWN_WORKS)
    (missing,) = [check for check in checks if check.status == "missing"]
    assert (missing.title, missing.correct_id) == ("A Survey on Alignment for Large Language Model Agents", "2502.11111")
    text = (enriched["tmp"] / "out" / "audit.md").read_text(encoding="utf-8")
    assert "## Wrong links and their fixes (14)" in text
    assert "| awesome-personalized-alignment.md:53 | Args: Alignment as reward-guided search | 1912.00180v1 |" in text


def test_audit_fix_corrects_exactly_the_planted_lines(enriched, tmp_path, runner):
    from pa_graph.cli import main

    listed = tmp_path / "awesome-personalized-alignment.md"
    original = bundled_list().read_bytes()
    listed.write_bytes(original)
    cache = str(enriched["tmp"] / "cache")
    findings = json.loads(runner.invoke(main, ["audit", str(listed), "--json", "--cache-dir", cache]).stdout)["findings"]
    venue_lines = {s["line"] for f in findings if f["kind"] == "venue-update" for s in f["sources"]}
    before = original.split(b"\n")
    expected = {line for title in {**WRONG_LINKS, **UNKNOWN_IDS} for line in LINES_OF_TITLE[title]}
    links_only = runner.invoke(main, ["audit", str(listed), "--fix", "--fix-only", "links", "--cache-dir", cache])
    only = listed.read_bytes().split(b"\n")
    assert {n + 1 for n, (a, b) in enumerate(zip(before, only, strict=False)) if a != b} == expected  # no venue
    assert f"{len(expected)} arXiv links (lines {', '.join(map(str, sorted(expected)))})" in links_only.stderr
    assert "venue" not in links_only.stderr
    listed.write_bytes(original)
    result = runner.invoke(main, ["audit", str(listed), "--fix", "--cache-dir", cache])
    assert result.exit_code == 0, result.output
    assert "arXiv links (lines" in result.stderr and "venues (lines" in result.stderr  # what changed, by kind
    fixed = listed.read_bytes().split(b"\n")
    changed = {n + 1 for n, (a, b) in enumerate(zip(before, fixed, strict=False)) if a != b}
    assert len(fixed) == len(before)
    # every planted link fixed; venues written where the row's table has a Source column (the surveys' has none)
    assert expected <= changed <= expected | venue_lines and changed - expected
    for number in changed - expected:  # only the Source cell (the 4th) differs
        old_cells, new_cells = before[number - 1].split(b"|"), fixed[number - 1].split(b"|")
        assert old_cells[:4] + old_cells[5:] == new_cells[:4] + new_cells[5:] and old_cells[4].strip() in (b"arxiv", b"")
    args = fixed[52].decode()
    assert "arxiv.org/abs/2402.01694)" in args and "arxiv.org/pdf/2402.01694.pdf)" in args
    def strip(line: bytes) -> bytes:
        return re.sub(rb"arxiv\.org/(abs|pdf)/\d{4}\.\d{4,5}(v\d+)?", b"ID", line)

    for number in expected - venue_lines:  # only the arXiv ids differ
        assert strip(before[number - 1]) == strip(fixed[number - 1])


def test_no_enrich_build_is_byte_identical_to_the_foundation(built, tmp_path):
    # the foundation: the list-only build (whose bytes test_rdf.py checks against the committed outputs)
    build(options=BuildOptions(out_dir=tmp_path / "offline", offline=True, cache_dir=tmp_path / "empty"))
    assert (tmp_path / "offline" / "graph.ttl").read_bytes() == (built / "graph.ttl").read_bytes()


def test_offline_build_from_the_cache_equals_the_online_one(enriched, tmp_path):
    build(options=BuildOptions(out_dir=tmp_path / "o", offline=True, cache_dir=enriched["tmp"] / "cache"))
    assert (tmp_path / "o" / "graph.ttl").read_bytes() == (enriched["tmp"] / "out" / "graph.ttl").read_bytes()


def test_provenance_and_attribution(enriched):
    rows = oxigraph_rows(enriched["tmp"] / "out" / "graph.ttl", """
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX pa: <https://w3id.org/pa-graph/ontology#>
        SELECT ?request ?time ?who WHERE { ?w pa:s2PaperId ?id ; prov:wasDerivedFrom ?r .
            ?r pa:s2Request ?request ; prov:generatedAtTime ?time ; prov:wasAttributedTo ?who }""")
    assert rows and all(str(who) == "https://www.semanticscholar.org/" for _, _, who in rows)
    assert all(KEY not in str(request) for request, _, _ in rows)
    assert "Semantic Scholar" in (enriched["tmp"] / "out" / "build.json").read_text(encoding="utf-8")


def test_a_429_storm_and_server_errors_are_survived(world, tmp_path):
    with FakeS2(world, Faults(api_key=KEY, rate_limited=3, server_errors=2)) as fake:
        result = build(options=options(fake, tmp_path, s2={"backoff": 0.01}))
        statuses = [entry.status for entry in fake.log]
    assert statuses[:6] == [429, 429, 429, 500, 500, 200]
    assert len(result.graph.enrichment.resolved) == 155
    assert len(statuses) <= 50 + 5


def test_a_storm_beyond_the_budget_ends_the_build_without_spamming(world, tmp_path):
    with FakeS2(world, Faults(api_key=KEY, rate_limited=1000, retry_after="0.01")) as fake:
        result = build(options=options(fake, tmp_path, s2={"max_attempts": 4}))
        sent = len(fake.log)
    # 4 attempts for the batch, 4 for the title match of the one work listed without an arXiv link; the 155
    # works the failed batch could not check are left unverified, not title-matched one by one
    assert sent == 8
    assert result.graph.enrichment.warnings == [
        "Semantic Scholar: POST /paper/batch: HTTP 429; gave up after 4 attempts",
        "Semantic Scholar: GET /paper/search/match: HTTP 429; gave up after 4 attempts"]
    assert len(result.graph.enrichment.not_cached) == len(result.graph.works)


def test_malformed_json_and_slow_answers_are_survived(world, tmp_path):
    with FakeS2(world, Faults(api_key=KEY, malformed_json=1, delay=0.01)) as fake:
        result = build(options=options(fake, tmp_path, s2={"backoff": 0.01}))
    assert len(result.graph.enrichment.resolved) == 155


def test_a_503_in_the_middle_of_pagination_does_not_loop(world, tmp_path):
    extras = EnrichOptions(contexts=True)
    with FakeS2(world, Faults(api_key=KEY, page_503={("references", 10): 100})) as fake:
        kg = assembled(fake, tmp_path, extras, page_size=10, backoff=0.001, max_attempts=3)
        pages = [e for e in fake.log if e.path.endswith("/references")]
    failing = [e for e in pages if e.query["offset"] == ["10"]]
    # every work whose references need a second page meets the 503: 3 attempts each, never more
    works_with_two_pages = sum(1 for p in world.papers.values() if p.listed and len(p.references) > 10)
    assert works_with_two_pages > 10
    assert len(failing) == 3 * works_with_two_pages
    assert not [e for e in pages if int(e.query["offset"][0]) > 10]
    assert any("HTTP 503; gave up after 3 attempts" in w for w in kg.enrichment.warnings)
    assert len(kg.enrichment.resolved) == 155


def test_a_transient_503_mid_pagination_is_retried(world, tmp_path):
    extras = EnrichOptions(contexts=True)
    with FakeS2(world, Faults(api_key=KEY, page_503={("references", 10): 1})) as fake:
        kg = assembled(fake, tmp_path, extras, page_size=10, backoff=0.001)
    graph = kg.to_rdf()
    reified = list(graph.query("""PREFIX cito: <http://purl.org/spar/cito/> PREFIX pa: <https://w3id.org/pa-graph/ontology#>
        SELECT ?c ?intent ?influential WHERE { ?c a cito:Citation ; pa:intent ?intent ; pa:isInfluential ?influential }"""))
    citing = {c for c, _, _ in reified}
    assert len(citing) == len(world.planted_cites(set(world.listed_titles.values())))
    assert undeclared_pa_terms(graph) == set()
    assert {str(intent) for _, intent, _ in reified} == {"background", "methodology"}
    assert not kg.enrichment.warnings


def test_wrong_key_gives_one_clear_warning_and_the_build_completes(world, tmp_path, runner):
    from pa_graph.cli import main

    with FakeS2(world, Faults(api_key="the-right-key")) as fake:
        env = {"S2_API_URL": fake.url, "S2_API_KEY": "a-wrong-key", "PA_GRAPH_CACHE_DIR": str(tmp_path / "c")}
        result = runner.invoke(main, ["build", "--out", str(tmp_path / "out")], env=env)
        assert len(fake.log) == 1
    assert result.exit_code == 0
    assert result.stderr.count("warning: Semantic Scholar: the API refused the request (HTTP 403): check S2_API_KEY") == 1
    assert (tmp_path / "out" / "graph.ttl").is_file()


def test_titles_with_special_characters_are_matched(world, tmp_path):
    rows = "\n".join(f"| {title} | | 2024 | arxiv | t | |" for title in EXTRA_TITLES)
    listed = tmp_path / "special.md"
    listed.write_text(f"## S\n\n| Paper | Abbr. | Year | Source | Tag | PDF |\n|---|---|---|---|---|---|\n{rows}\n",
                      encoding="utf-8")
    with FakeS2(world, Faults(api_key=KEY)) as fake:
        result = build([listed], options(fake, tmp_path))
        queries = [e.query["query"][0] for e in fake.log if e.path.endswith("/match")]
    assert len(result.graph.enrichment.resolved) == 3
    assert queries == ["R D for LLMs Alignment Personalization", "C Code Models Are 100 Personalizable",
                       "Tuning Hashtags Plus Signs at 50 Cost"]


def test_citations_and_embeddings(world, fake_citations):
    from pa_graph.export.store import load_model_json

    model = load_model_json(fake_citations / "graph.json")  # built with --citations --embeddings, 20 a page, cap 30
    works = [n for n, d in model.nodes(data=True) if d["kind"] == "work"]
    assert len(model) >= 5000
    incoming = {p.paper_id: min(len(p.citations), 30) for p in world.papers.values() if p.listed}
    node_of = {d["s2_paper_id"]: n for n, d in model.nodes(data=True) if d.get("s2_paper_id")}
    for paper_id, expected in incoming.items():
        citing = [u for u, _, k in model.in_edges(node_of[paper_id], keys=True) if k == "cites"
                  and not model.nodes[u].get("listed")]
        assert len(citing) >= expected
    embedded = [n for n in works if model.nodes[n].get("embedding")]
    # listed works, and the works not in the list that at least two of them cite (the gap candidates, at most 200)
    cited_twice = {cited for cited, n in Counter(c for _, c in world.planted_cites(set(world.listed_titles.values()))
                                                  ).items() if n >= 2} - set(world.listed_titles.values())
    assert len(embedded) == 155 + min(len(cited_twice), 200) and len(model.nodes[embedded[0]]["embedding"]) == 16
    assert undeclared_pa_terms(fake_citations / "graph.ttl") == set()


def test_progress_is_reported_with_counts(world, tmp_path):
    seen = []
    with FakeS2(world, Faults(api_key=KEY)) as fake:
        build(options=options(fake, tmp_path), progress=lambda stage, done, total: seen.append((stage, done, total)))
    matching = [(done, total) for stage, done, total in seen if stage == "matching titles"]
    assert matching[0] == (0, matching[-1][1]) and matching[-1][0] == matching[-1][1] == len(matching) - 1 > 5
    assert ("resolving arXiv ids", 1, 1) in seen


def test_concurrent_builds_share_one_cache(world, tmp_path):
    with FakeS2(world, Faults(api_key=KEY, delay=0.01)) as fake:
        env = dict(os.environ, S2_API_URL=fake.url, S2_API_KEY=KEY, PA_GRAPH_CACHE_DIR=str(tmp_path / "cache"))
        runs = [subprocess.Popen([sys.executable, "-m", "pa_graph", "build", "--out", str(tmp_path / f"out{n}"),
                                  "--rate", "1000"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for n in range(2)]
        outcomes = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outcomes
    assert all("warning: Semantic Scholar" not in err for _, err in outcomes)
    offline = build(options=BuildOptions(out_dir=tmp_path / "offline", offline=True, cache_dir=tmp_path / "cache"))
    assert len(offline.graph.enrichment.resolved) == 155


def test_cache_command_reports_clears_and_expires(enriched, runner, tmp_path):
    import shutil

    from pa_graph.cli import main

    cache = tmp_path / "cache"
    shutil.copytree(enriched["tmp"] / "cache", cache)
    info = runner.invoke(main, ["cache", "info", "--cache-dir", str(cache), "--json"])
    assert info.exit_code == 0
    counts = json.loads(info.stdout)
    matches = [entry for entry in enriched["log"] if entry.path.endswith("/search/match")]
    assert counts["by_kind"]["match"] == len(matches)  # one cached answer per title asked, 404s included
    assert counts["by_kind"]["paper"] == len({json.dumps(i) for e in enriched["log"] if e.path.endswith("/batch")
                                              and e.query["fields"][0] == PAPER_FIELDS
                                              for i in json.loads(e.body)["ids"]})
    assert runner.invoke(main, ["cache", "expire", "--cache-dir", str(cache), "--older-than", "1"]).stdout == \
        "deleted 0 cached answers older than 1 days\n"
    cleared = runner.invoke(main, ["cache", "clear", "--cache-dir", str(cache)])
    assert cleared.stdout == f"deleted {counts['answers']} cached answers\n"
    assert json.loads(runner.invoke(main, ["cache", "info", "--cache-dir", str(cache), "--json"]).stdout)["answers"] == 0


def test_unreachable_service_warns_fast_and_builds_from_the_cache(tmp_path, runner):
    from pa_graph.cli import main

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    env = {"S2_API_URL": f"http://127.0.0.1:{closed_port}", "PA_GRAPH_CACHE_DIR": str(tmp_path / "c")}
    start = time.monotonic()
    result = runner.invoke(main, ["build", "--out", str(tmp_path / "out")], env=env)
    assert time.monotonic() - start < 10
    assert result.exit_code == 0
    assert result.stderr.count("warning: Semantic Scholar: cannot connect to") == 1
    assert "Traceback" not in result.output


def test_a_host_that_never_answers_is_given_up_after_the_first_answer_timeout(tmp_path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections, never answers
    settings = S2Settings(api_url=f"http://127.0.0.1:{silent.getsockname()[1]}", first_answer_timeout=0.5)
    assert S2Settings().first_answer_timeout == 8.0  # what users get; the test waits less
    try:
        start = time.monotonic()
        result = build(options=BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "c", s2=settings))
        elapsed = time.monotonic() - start
    finally:
        silent.close()
    assert elapsed < 5  # one wait of 0.5 s, then the build goes on without asking again
    assert result.graph.enrichment.mode == "unreachable" and result.graph.enrichment.requests == 1
    assert any("did not answer within 0.5 s" in warning for warning in result.graph.enrichment.warnings)


def test_a_killed_build_resumes_without_repeating_finished_requests(world, tmp_path):
    def signature(entry):
        return entry.method, entry.path, tuple(sorted((k, tuple(v)) for k, v in entry.query.items())), entry.body

    with FakeS2(world, Faults(api_key=KEY, delay=0.1)) as fake:
        env = dict(os.environ, S2_API_URL=fake.url, S2_API_KEY=KEY, PA_GRAPH_CACHE_DIR=str(tmp_path / "cache"))
        command = [sys.executable, "-m", "pa_graph", "build", "--out", str(tmp_path / "out"), "--rate", "1000"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(fake.successful()) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
        finished = fake.successful()[:-1]  # the last answer may not have reached the cache before the kill
        assert len(finished) >= 5
        count = len(fake.log)
        fake.faults.delay = 0  # slow answers were only needed to kill the first build half-way
        subprocess.run(command, env=env, check=True, capture_output=True)
        rerun = fake.log[count:]
    assert not {signature(e) for e in finished} & {signature(e) for e in rerun}
    assert not (tmp_path / "out").exists() or (tmp_path / "out" / "graph.ttl").is_file()
    assert cites(tmp_path / "out" / "graph.ttl") == world.expected_cites(set(world.listed_titles.values()))


def test_nested_batches_that_time_out_are_halved_and_the_whole_list_resolves(world, tmp_path):
    with FakeS2(world, Faults(api_key=KEY, nested_batch_limit=40)) as fake:
        kg = assembled(fake, tmp_path, EnrichOptions())
        batches = [(len(json.loads(e.body)["ids"]), e.status) for e in fake.log if e.path.endswith("/paper/batch")]
        total = len(fake.log)
    print(f"requests with nested batches limited to 40 ids: {total} ({batches})")
    assert len(kg.enrichment.resolved) == 155 and not kg.enrichment.not_cached
    assert total <= 60
    # 100 ids time out, then 50, then 25 work and the size stays there: no batch above 40 after the first failures
    assert [size for size, status in batches if status == 504] == [100, 50]
    assert all(size <= 25 for size, status in batches if status == 200 and size > 0)
    assert not kg.enrichment.warnings


def test_a_strict_limiter_at_one_request_a_second_sends_no_429_at_the_default_rate(world, tmp_path):
    from pa_graph.sources.s2 import S2Settings

    assert S2Settings().rate == 0.9
    # the same proportions, 5 times faster: a limiter at 5/s and pa-graph's default headroom (0.9 of it), on a list
    # whose works need a title match each (one request a work)
    rows = [f"| {title} | 2024 |" for title in sorted(world.listed_titles)[:6]]
    small = tmp_path / "small.md"
    small.write_text("## Papers\n\n| Paper | Year |\n|---|---|\n" + "\n".join(rows) + "\n", encoding="utf-8")
    from pa_graph import assemble
    from pa_graph.sources.response_cache import ResponseCache
    from pa_graph.sources.s2 import S2Client

    with FakeS2(world, Faults(api_key=KEY, min_interval=0.2)) as fake:
        client = S2Client(settings(fake, rate=4.5), ResponseCache(tmp_path / "cache"))
        kg = assemble([small], client=client)
        client.close()
        statuses = [e.status for e in fake.log]
    assert len(statuses) >= 6 and 429 not in statuses and len(kg.enrichment.resolved) >= 5


def test_progress_off_a_terminal_is_plain_lines_and_quiet_silences_it(world, tmp_path):
    with FakeS2(world, Faults(api_key=KEY, delay=0.02)) as fake:
        env = dict(os.environ, S2_API_URL=fake.url, S2_API_KEY=KEY, PA_GRAPH_CACHE_DIR=str(tmp_path / "cache"),
                   PA_GRAPH_PROGRESS_SECONDS="0.05")
        command = [sys.executable, "-m", "pa_graph", "build", "--out", str(tmp_path / "out"), "--rate", "1000"]
        loud = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        # from the warm cache the stages still run (and would report), only faster; in-process, stderr is no terminal
        from click.testing import CliRunner

        from pa_graph.cli import main

        quiet = CliRunner().invoke(main, [*command[3:], "--quiet"], env=env)
        offline = CliRunner().invoke(main, [*command[3:], "--offline"], env=env)
    assert loud.returncode == quiet.exit_code == offline.exit_code == 0
    progress = [line for line in loud.stderr.splitlines() if re.match(r"^[a-zA-Z ]+: \d+/\d+", line)]
    assert all(re.fullmatch(r"[a-zA-Z ]+: \d+/\d+(, \d+ (s|min) left)?", line) for line in progress), progress
    matching = [line for line in progress if line.startswith("matching titles: ")]
    total = int(matching[0].split("/")[1])
    assert matching[0] == f"matching titles: 0/{total}" and matching[-1] == f"matching titles: {total}/{total}"
    assert len(matching) >= 3 and any(line.endswith(" left") for line in matching)  # a line during the stage
    assert "resolving arXiv ids: 0/1" in progress and "resolving arXiv ids: 1/1" in progress
    assert not [line for line in quiet.stderr.splitlines() if re.match(r"^[a-zA-Z ]+: \d+/\d+", line)]
    # offline nothing is asked: no line about resolving or fetching
    assert not [line for line in offline.stderr.splitlines() if re.match(r"^[a-zA-Z ]+: \d+/\d+", line)]


def test_pages_are_cached_as_they_arrive_so_a_failed_pagination_resumes_where_it_stopped(world, tmp_path):
    extras = EnrichOptions(contexts=True)
    with FakeS2(world, Faults(api_key=KEY, page_503={("references", 10): 100})) as fake:
        first = assembled(fake, tmp_path, extras, page_size=10, backoff=0.001, max_attempts=2)
        answered = {(e.path, e.query["offset"][0]) for e in fake.log if e.path.endswith("/references")
                    and e.status == 200}
        count = len(fake.log)
        fake.faults.page_503 = {}
        second = assembled(fake, tmp_path, extras, page_size=10, backoff=0.001)
        rerun = [(e.path, e.query["offset"][0]) for e in fake.log[count:] if e.path.endswith("/references")]
    assert any("gave up after 2 attempts" in w for w in first.enrichment.warnings)
    assert answered and not set(rerun) & answered  # no page answered before is asked again
    assert {offset for _, offset in rerun} == {"10"}  # only the pages that failed
    assert not second.enrichment.warnings


def test_a_drip_fed_answer_ends_within_its_deadline_and_the_build_completes(world, tmp_path):
    with FakeS2(world, Faults(drip=0.05)) as fake:
        start = time.monotonic()
        result = build(options=options(fake, tmp_path, s2={"first_answer_timeout": 1.0, "timeout": 1.0}))
        elapsed = time.monotonic() - start
    assert elapsed < 10  # one deadline of 1 s for the whole answer, then S2 is given up for the build
    assert result.graph.enrichment.mode == "unreachable"
    assert (tmp_path / "out" / "graph.ttl").is_file()


def test_a_gzip_bomb_is_not_inflated_past_the_cap_in_a_memory_capped_build(world, tmp_path):
    import textwrap

    listed = [p for p in world.papers.values() if p.listed and p.arxiv_id][:2]  # a batch of arXiv ids: the bomb
    list_file = write_list(tmp_path, "list.md", TABLE.format(rows="\n".join(
        row(p.title, link=f"https://arxiv.org/abs/{p.arxiv_id}") for p in listed)))
    with FakeS2(world, Faults(gzip_bomb=400_000_000)) as fake:  # 400 MB of JSON in under 2 MB
        script = textwrap.dedent(f"""
            import resource, sys
            resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
            from pa_graph import BuildOptions, build
            from pa_graph.sources.s2 import S2Settings
            result = build([{str(list_file)!r}], BuildOptions(out_dir={str(tmp_path / 'out')!r},
                           cache_dir={str(tmp_path / 'c')!r}, s2=S2Settings(api_url={fake.url!r}, rate=1000.0)))
            print(result.graph.enrichment.warnings[0])
        """)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "the answer is larger than 50,000,000 bytes; not read" in done.stdout
