"""Hostile values never reach a store, a query, a user's file or an output: graph names and base IRIs are checked,
query parameters are substituted once as RDF terms, SERVICE is refused, redirects are not taken for success,
credentials in a service URL are stored nowhere, ids from a service are written only when well formed."""

from __future__ import annotations

import json
import re
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import respx
from loopback import serve_in_background

from pa_graph.cli import main
from pa_graph.errors import InvalidIRIError
from pa_graph.export.sparql import QueryError, bind, run_query
from pa_graph.export.triplestore import PushError, push_graph_store, push_update
from pa_graph.records import LinkCheck, SourceRef

EVIL_GRAPH = "urn:x>; DROP ALL; DROP SILENT GRAPH <urn:z"


@pytest.mark.parametrize("name", [EVIL_GRAPH, "not an iri", "relative/path", "https://example.org/a b",
                                  'https://example.org/"x"'])
def test_a_graph_name_that_is_not_a_safe_absolute_iri_is_refused_before_any_request(built, name):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route().respond(204)
        for push in (push_update, push_graph_store):
            with pytest.raises(InvalidIRIError, match="not an absolute IRI"):
                push(built / "graph.ttl", "http://store.example/update", name)
        assert not route.called


def test_the_cli_refuses_bad_iris_with_exit_2(runner, built, tmp_path):
    pushed = runner.invoke(main, ["push", str(built / "graph.ttl"), "--update-endpoint", "http://127.0.0.1:9/u",
                                  "--named-graph", EVIL_GRAPH])
    assert pushed.exit_code == 2 and "not an absolute IRI" in pushed.stderr and "Traceback" not in pushed.output
    built_bad = runner.invoke(main, ["build", "--no-enrich", "--out", str(tmp_path), "--base-iri", "not an iri"])
    assert built_bad.exit_code == 2 and "--base-iri 'not an iri': not an absolute IRI" in built_bad.stderr


@respx.mock
def test_each_update_push_stages_into_its_own_graph_and_cleans_up_on_failure(built):
    sent: list[str] = []

    def answer(request):
        sent.append(request.content.decode())
        return httpx.Response(500 if request.content.startswith(b"MOVE") else 204)

    respx.post("http://store.example/update").mock(side_effect=answer)
    respx.post("http://store.example/query").respond(404)  # no count to read: the push is not verified
    with pytest.raises(PushError, match="HTTP 500"):
        push_update(built / "graph.ttl", "http://store.example/update", "https://example.org/g")
    staging = {line.split("<", 1)[1].split(">", 1)[0] for line in sent if line.startswith(("INSERT", "DROP"))}
    assert len(staging) == 1 and next(iter(staging)).startswith("https://example.org/g/staging-")
    assert sent[-1].startswith("DROP SILENT GRAPH <https://example.org/g/staging-")  # dropped after the failure
    sent.clear()
    respx.post("http://store.example/update").mock(side_effect=lambda r: (sent.append(r.content.decode()),
                                                                          httpx.Response(204))[1])
    push_update(built / "graph.ttl", "http://store.example/update", "https://example.org/g")
    second = {line.split("<", 1)[1].split(">", 1)[0] for line in sent if line.startswith("INSERT")}
    assert second and second.isdisjoint(staging)


@respx.mock
def test_a_redirect_is_not_a_successful_push(built):
    respx.put("http://store.example/store").respond(307, headers={"Location": "http://elsewhere.example/store"})
    with pytest.raises(PushError, match="HTTP 307 .a redirect to http://elsewhere.example/store.; nothing was stored"):
        push_graph_store(built / "graph.ttl", "http://store.example/store", "https://example.org/g")


def test_query_parameters_are_substituted_once_as_terms():
    assert bind("SELECT * WHERE { ?s ?p $a . FILTER(?o = $b) }", {"a": "$b", "b": "1"}) == \
        'SELECT * WHERE { ?s ?p "$b" . FILTER(?o = 1) }'
    assert bind("FILTER(?x = $m)", {"m": '" } ; DROP ALL ; #'}) == 'FILTER(?x = "\\" } ; DROP ALL ; #")'
    with pytest.raises(QueryError, match="not an absolute IRI"):
        bind("?s ?p $g", {"g": "<x> } DROP ALL { <y>"})


def test_service_and_load_are_refused_unless_allowed(built, runner):
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    for engine in ("oxigraph", "rdflib"):
        with pytest.raises(QueryError, match="SERVICE or LOAD"):
            run_query(built / "graph.ttl", text, engine)
    # the word inside a string or an IRI is not the keyword
    assert run_query(built / "graph.ttl", 'SELECT ?t WHERE { ?w ?p "SERVICE desk" } LIMIT 1').rows == ()
    refused = runner.invoke(main, ["query", text, "--graph", str(built / "graph.ttl")])
    assert refused.exit_code == 2 and "--allow-service" in refused.stderr


def test_credentials_in_the_s2_url_are_stored_nowhere(tmp_path):
    from pa_graph import BuildOptions, build
    from pa_graph.sources.s2 import S2Settings

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serve_in_background(server)
    try:
        url = f"http://pa-user-7f3a:s3cret-9b1c@127.0.0.1:{server.server_address[1]}"
        build(options=BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache",
                                   s2=S2Settings(api_url=url, rate=1000.0, max_attempts=1, backoff=0.001)))
    finally:
        server.shutdown()
        server.server_close()
    every_file = [path for path in [*(tmp_path / "out").rglob("*"), *(tmp_path / "cache").rglob("*")] if path.is_file()]
    leaked = [path.name for path in every_file
              if b"s3cret-9b1c" in path.read_bytes() or b"pa-user-7f3a" in path.read_bytes()]
    assert leaked == []


def test_audit_fix_writes_only_well_formed_arxiv_ids():
    from pa_graph.lists.write import fix_links

    line = b"| [A paper](https://arxiv.org/abs/2401.00001) | | 2024 | arxiv | | [PDF](https://arxiv.org/pdf/2401.00001) |"
    source = (SourceRef("list.md", 1),)
    evil = LinkCheck("k", "A paper", "wrong", listed_id="2401.00001", points_to="Other",
                     correct_id="2402.00002) [x](javascript:alert(1)", sources=source, by="Semantic Scholar")
    good = LinkCheck("k", "A paper", "wrong", listed_id="2401.00001", points_to="Other", correct_id="2402.00002",
                     sources=source, by="Semantic Scholar")
    assert fix_links(line, "list.md", [evil]) == (line, [])
    fixed, changed = fix_links(line, "list.md", [good])
    assert changed == [1] and fixed.count(b"2402.00002") == 2


def test_bibtex_keeps_only_well_formed_identifiers():
    import networkx as nx

    from pa_graph.export.formats import to_bibtex

    model = nx.MultiDiGraph()
    model.add_node("work/a", kind="work", listed=True, title="A {paper}", year=2024,
                   arxiv_id="2401.00001}, title = {INJECTED", doi="10.1/x}, x = {\\input{/etc/passwd}}")
    text = to_bibtex(model)
    assert "INJECTED" not in text and "\\input" not in text and "eprint" not in text and "doi" not in text
    model.nodes["work/a"].update(arxiv_id="2401.00001", doi="10.1234/a_b%c")
    text = to_bibtex(model)
    assert "eprint = {2401.00001}" in text and "doi = {10.1234/a\\_b\\%c}" in text


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_cr_crlf_and_lf_read_alike_with_right_line_numbers(tmp_path, ending):
    from pa_graph.lists.read import read_list

    text = ending.join(["## Papers", "", "| Paper | Year |", "|---|---|", "| Alpha paper on alignment | 2024 |",
                        "| Beta paper on retrieval | 2023 |", ""])
    path = tmp_path / "list.md"
    path.write_bytes(text.encode())
    rows = read_list(path).rows
    assert [(row.title, row.source.line) for row in rows] == [("Alpha paper on alignment", 5),
                                                              ("Beta paper on retrieval", 6)]


def test_a_lone_cr_does_not_shift_later_lines_and_fix_rewrites_the_right_row(tmp_path):
    from pa_graph.lists.read import read_list
    from pa_graph.lists.write import fix_links

    data = (b"## Papers\n\n| Paper | Year | PDF |\n|---|---|---|\n| Alpha paper on alignment\rwith a break | 2024 | |\n"
            b"| [Beta paper](https://arxiv.org/abs/2401.00001) | 2024 | |\n")
    path = tmp_path / "list.md"
    path.write_bytes(data)
    beta = next(row for row in read_list(path).rows if row.title == "Beta paper")
    lines = data.split(b"\n")  # as Git and GitHub number lines: a CR inside a line is no break
    assert b"Beta paper" in lines[beta.source.line - 1]  # the line number the reader gives is the file's line
    check = LinkCheck("k", "Beta paper", "wrong", listed_id="2401.00001", points_to="Other", correct_id="2402.00002",
                      sources=(beta.source,), by="Semantic Scholar")
    fixed, changed = fix_links(data, "list.md", [check])
    assert changed == [beta.source.line] and fixed == data.replace(b"2401.00001", b"2402.00002")


def test_an_endless_file_as_a_list_exits_2_at_once(runner, tmp_path):
    import time

    start = time.monotonic()
    result = runner.invoke(main, ["build", "/dev/zero", "--no-enrich", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "/dev/zero: not a regular file" in result.stderr
    big = tmp_path / "big.md"
    big.write_bytes(b"| a |\n" * 2_000_000)
    result = runner.invoke(main, ["build", str(big), "--no-enrich", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "larger than 10,000,000 bytes; not read" in result.stderr
    allow = runner.invoke(main, ["audit", "--allow", "/dev/zero"])
    assert allow.exit_code == 2 and "larger than 1,000,000 bytes" in allow.stderr
    compare = runner.invoke(main, ["gaps", "--compare", "/dev/zero", "--graph", str(tmp_path / "none.ttl")])
    assert compare.exit_code == 2
    assert time.monotonic() - start < 10


@respx.mock
def test_hostile_semantic_scholar_values_are_left_out_and_every_output_parses(tmp_path):
    import json

    import pyoxigraph
    from rdflib import Graph

    from pa_graph import BuildOptions, build
    from pa_graph.sources.s2 import S2Settings

    listed = tmp_path / "list.md"
    listed.write_text("## Papers\n\n| Paper | Year | PDF |\n|---|---|---|\n"
                      "| [A hostile paper](https://arxiv.org/abs/2401.00001) | 2024 | |\n", encoding="utf-8")
    hostile = {
        "paperId": "a" * 40, "title": "A Hostile Paper", "year": "2024\n", "citationCount": -5, "venue": ["x"],
        "externalIds": {"ArXiv": "2401.00001\n<x>", "DOI": "10.1/x y", "CorpusId": "NaN"},
        "authors": [{"authorId": "1>\n", "name": "Ann \ud800 Author"}, {"authorId": None, "name": None}],
        "references": [{"paperId": "bad id\n", "title": "x"}, {"paperId": "c" * 40, "title": "Lone \ud800 surrogate",
                                                             "year": float("inf"), "citationCount": float("nan")}],
    }
    body = json.dumps([hostile]).replace('"Infinity"', "Infinity")
    respx.post("http://s2.example/graph/v1/paper/batch").respond(200, text=body,
                                                                 headers={"Content-Type": "application/json"})
    respx.get(url__regex=r"http://s2\.example/.*").respond(404, json={"error": "Title match not found"})
    result = build([listed], BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache",
                                          s2=S2Settings(api_url="http://s2.example", rate=1000.0)))
    work = next(iter(result.graph.enrichment.resolved.values()))
    assert (work.year, work.citation_count, work.arxiv_id, work.doi, work.corpus_id) == (None, None, None, None, None)
    assert [author_id for author_id, _ in work.authors] == [None]  # "1>\n" is no author id; the nameless one left out
    assert "\ud800" not in work.authors[0][1]
    assert set(result.graph.enrichment.externals) == {"c" * 40}  # the bad reference id is dropped
    for name in ("graph.ttl", "dataset.ttl"):
        Graph().parse(tmp_path / "out" / name)
        pyoxigraph.Store().load(path=str(tmp_path / "out" / name), format=pyoxigraph.RdfFormat.TURTLE)
    json.loads((tmp_path / "out" / "graph.json").read_text(encoding="utf-8"))
    # the hostile answer sits in the cache as S2 sent it; an offline rebuild reads it through the same checks
    again = build([listed], BuildOptions(out_dir=tmp_path / "again", cache_dir=tmp_path / "cache", offline=True))
    assert again.graph.enrichment.resolved == result.graph.enrichment.resolved
    assert (tmp_path / "again" / "graph.ttl").read_bytes() == (tmp_path / "out" / "graph.ttl").read_bytes()


def test_graphml_is_well_formed_xml_and_csv_cells_are_not_formulas(tmp_path):
    import xml.etree.ElementTree as ElementTree

    import networkx as nx

    from pa_graph.export.formats import to_csv, to_graphml

    model = nx.MultiDiGraph()
    model.add_node("work/a", kind="work", listed=True, work_type="paper", title="=HYPERLINK(\"x\")\x01\x0b bell\x07",
                   sources=[])
    ElementTree.fromstring(to_graphml(model))  # control characters would make it unreadable XML
    assert "\x07" not in to_graphml(model)
    assert "'=HYPERLINK" in to_csv(model)


def test_small_things_exit_cleanly(runner, built, tmp_path):
    import subprocess
    import sys

    stats = subprocess.run(f"{sys.executable} -m pa_graph stats --graph {built / 'graph.ttl'} | head -1",
                           shell=True, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in stats.stderr and "internal error" not in stats.stderr and stats.stdout
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    view = runner.invoke(main, ["view", "--graph", str(built / "graph.ttl"), "--out", str(blocker / "v.html")])
    assert view.exit_code == 1 and "cannot write outputs" in view.stderr
    push = runner.invoke(main, ["push", str(built / "graph.ttl"), "--endpoint", "not a url"])
    assert push.exit_code == 2 and "is not an http(s) URL" in push.output
    damaged = tmp_path / "cache"
    damaged.mkdir()
    (damaged / "s2.sqlite3").write_bytes(b"this is not a database" * 100)
    cache = runner.invoke(main, ["build", "--offline", "--out", str(tmp_path / "o"), "--cache-dir", str(damaged)])
    assert cache.exit_code == 1 and "s2.sqlite3: the cache file is damaged" in cache.stderr
    assert "internal error" not in cache.stderr


def test_bad_usage_and_unusable_input_exit_2_with_one_line(runner, built, tmp_path):
    graph = str(built / "graph.ttl")
    broken = tmp_path / "graph.json"
    broken.write_text("{not json", encoding="utf-8")
    cases = [
        (["query", "nosuchquery", "--graph", graph], "neither a cookbook query"),
        (["query", "SELECT ?x WHERE { ?x ", "--graph", graph], "SPARQL syntax error"),
        (["query", str(tmp_path / "missing.rq"), "--graph", graph], "missing.rq"),
        (["query", "venues", "--graph", graph, "--bind", "bad name=1"], "a parameter name is letters"),
        (["view", "--graph", str(broken), "--out", str(tmp_path / "v.html")], "not a graph.json a build writes"),
        (["gaps", "--graph", str(broken), "--out", str(tmp_path / "g")], "not a graph.json a build writes"),
    ]
    for arguments, message in cases:
        result = runner.invoke(main, arguments)
        assert result.exit_code == 2, (arguments, result.output)
        assert message in result.stderr and "Traceback" not in result.output and "internal error" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_build_that_fails_while_writing_leaves_the_previous_outputs_and_no_temporary_files(tmp_path):
    import os
    import resource
    import signal
    import subprocess
    import sys

    from pa_graph import BuildOptions, build

    out = tmp_path / "out"
    build(options=BuildOptions(out_dir=out, enrich=False))
    (out / "view.html").write_text("a page of the view command", encoding="utf-8")
    before = {path.name: path.read_bytes() for path in out.iterdir()}

    def full_disk():  # files may not grow past 200 kB: graph.html (about 1 MB) cannot be written
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    other = tmp_path / "other.md"
    other.write_text("## Papers\n\n| Paper | Year |\n|---|---|\n| A different list entirely | 2024 |\n", encoding="utf-8")
    failed = subprocess.run([sys.executable, "-m", "pa_graph", "build", str(other), "--no-enrich", "--out", str(out)],
                            capture_output=True, text=True, preexec_fn=full_disk, env=os.environ)
    assert failed.returncode == 1 and "the previous outputs are unchanged" in failed.stderr
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert not [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")]
    build([other], BuildOptions(out_dir=out, enrich=False))
    assert b"A different list" in (out / "graph.ttl").read_bytes()
    assert (out / "view.html").read_text(encoding="utf-8") == "a page of the view command"  # other files stay


def _one_row_list(folder: Path) -> Path:
    listed = folder / "list.md"
    listed.write_text("## Papers\n\n| Paper | Year | PDF |\n|---|---|---|\n"
                      "| [A hostile paper](https://arxiv.org/abs/2401.00001) | 2024 | |\n", encoding="utf-8")
    return listed


@pytest.mark.parametrize("references", [{"paperId": "c" * 40}, ["c" * 40, 7, None, True], "not a list"],
                         ids=["object", "list-of-scalars", "string"])
@respx.mock
def test_references_of_the_wrong_shape_are_skipped_and_the_build_ends(tmp_path, references):
    from pa_graph import BuildOptions, build
    from pa_graph.sources.s2 import S2Settings

    item = {"paperId": "a" * 40, "title": "A Hostile Paper", "externalIds": {"ArXiv": "2401.00001"},
            "references": references, "authors": {"name": "not a list"}}
    respx.post("http://s2.example/graph/v1/paper/batch").respond(200, json=[item])
    respx.get(url__regex=r"http://s2\.example/.*").respond(404, json={"error": "Title match not found"})
    listed = _one_row_list(tmp_path)
    result = build([listed], BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache",
                                          s2=S2Settings(api_url="http://s2.example", rate=1000.0)))
    assert len(result.graph.enrichment.resolved) == 1 and result.graph.enrichment.citations == []
    again = build([listed], BuildOptions(out_dir=tmp_path / "again", cache_dir=tmp_path / "cache", offline=True))
    assert again.graph.enrichment.resolved == result.graph.enrichment.resolved


@respx.mock
def test_json_nested_200000_deep_is_a_malformed_answer_not_a_crash(tmp_path):
    from pa_graph import BuildOptions, build
    from pa_graph.sources.s2 import S2Settings

    respx.post("http://s2.example/graph/v1/paper/batch").respond(
        200, text="[" * 200_000 + "]" * 200_000, headers={"Content-Type": "application/json"})
    respx.get(url__regex=r"http://s2\.example/.*").respond(404, json={"error": "Title match not found"})
    result = build([_one_row_list(tmp_path)], BuildOptions(
        out_dir=tmp_path / "out", cache_dir=tmp_path / "cache",
        s2=S2Settings(api_url="http://s2.example", rate=1000.0, max_attempts=1)))
    assert result.graph.enrichment.resolved == {}
    assert any("malformed JSON" in warning for warning in result.graph.enrichment.warnings)


@pytest.mark.parametrize("stored", ['"a string"', "42", "[" * 100_000 + "]" * 100_000, "{not json"],
                         ids=["string", "number", "100000-deep", "not-json"])
def test_a_damaged_cache_entry_is_dropped_with_a_warning(tmp_path, stored):
    import sqlite3

    from pa_graph import BuildOptions, build
    from pa_graph.sources.response_cache import ResponseCache

    ResponseCache(tmp_path / "cache").put("paper:ARXIV:2401.00001", {"paperId": "a" * 40, "title": "x"}, "GET x")
    with sqlite3.connect(tmp_path / "cache" / ResponseCache.FILE_NAME) as db:
        db.execute("UPDATE answers SET value = ? WHERE key = ?", (stored, "paper:ARXIV:2401.00001"))
    result = build([_one_row_list(tmp_path)], BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache",
                                                          offline=True))
    assert result.graph.enrichment.resolved == {}
    damaged = [w for w in result.graph.enrichment.warnings if "damaged" in w]
    assert len(damaged) == 1 and "paper:ARXIV:2401.00001" in damaged[0]


def runner_commands(output: str) -> list[str]:
    """The workflow commands the Actions runner would execute in ``output``: ``::`` at a line's start (after
    whitespace), ``##[`` anywhere in a line."""
    lines = output.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line for line in lines if line.lstrip().startswith("::") or "##[" in line]


@pytest.mark.parametrize("ci", [{"GITHUB_ACTIONS": "true"}, {"GITHUB_ACTIONS": None, "CI": None}],
                         ids=["on-a-runner", "--github-alone"])
def test_list_titles_cannot_forge_workflow_commands_in_audit_github(runner, tmp_path, ci):
    """Under --github only the annotations are workflow commands: the plain finding lines, the notes and the error
    messages before and after them are inert, whether or not the runner's variables are set."""
    from pa_graph.cli import main

    hostile = "Forged ##[stop-commands]tok ##[error]fake %0A::error::x"
    listed = tmp_path / "README.md"
    listed.write_text("# ##[stop-commands]tok\n\n## Papers\n\n| Paper | Year | PDF |\n|---|---|---|\n"
                      f"| [{hostile}](https://arxiv.org/abs/2401.00001) | 2024 | |\n"
                      f"| [{hostile}](https://arxiv.org/abs/2401.00001) | 2024 | |\n"
                      "::warning::a line of its own\n", encoding="utf-8")
    result = runner.invoke(main, ["audit", str(listed), "--github", "--cache-dir", str(tmp_path / "cache")], env=ci)
    commands = runner_commands(result.stdout + result.stderr)
    assert commands and all(line.startswith(("::error ", "::notice ")) for line in commands), commands
    assert not any("##[" in line for line in commands)
    assert any("Forged" in line for line in commands)  # the finding is still annotated, its title inert
    assert any("Forged" in line for line in result.stdout.splitlines() if not line.startswith("::"))  # and printed
    failed = runner.invoke(main, ["audit", str(listed), "--github", "--since", "##[stop-commands]x", "--cache-dir",
                                  str(tmp_path / "cache")], env=ci)
    assert failed.exit_code == 2 and "names no commit" in failed.stderr
    assert runner_commands(failed.stdout + failed.stderr) == []


@respx.mock
def test_a_service_title_with_a_line_break_cannot_forge_a_command_in_gaps_output(runner, tmp_path, monkeypatch):
    import json

    from pa_graph import BuildOptions, build
    from pa_graph.cli import main
    from pa_graph.sources.s2 import S2Settings

    listed = tmp_path / "list.md"
    listed.write_text("## Papers\n\n| Paper | Year | PDF |\n|---|---|---|\n"
                      "| [First paper](https://arxiv.org/abs/2401.00001) | 2024 | |\n"
                      "| [Second paper](https://arxiv.org/abs/2401.00002) | 2024 | |\n", encoding="utf-8")
    forged = {"paperId": "c" * 40, "title": "Good title\n::error file=README.md,line=1::forged ##[stop-commands]t",
              "year": 2020}
    items = [{"paperId": pid * 40, "title": title, "externalIds": {"ArXiv": arxiv}, "references": [forged]}
             for pid, title, arxiv in (("a", "First paper", "2401.00001"), ("b", "Second paper", "2401.00002"))]
    respx.post("http://s2.example/graph/v1/paper/batch").mock(side_effect=lambda request: httpx.Response(
        200, json=items if "references.paperId" in request.url.params.get("fields", "") else [None]))
    respx.get(url__regex=r"http://s2\.example/.*").respond(
        400, json={"error": "bad query\n::error file=README.md::forged by the service"})
    build([listed], BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache",
                                 s2=S2Settings(api_url="http://s2.example", rate=1000.0, max_attempts=1)))
    gaps = json.loads((tmp_path / "out" / "gaps.json").read_text(encoding="utf-8"))
    assert gaps["missing_papers"][0]["title"].startswith("Good title ::error")  # one line at the boundary
    result = runner.invoke(main, ["gaps", "--graph", str(tmp_path / "out" / "graph.ttl")],
                           env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 0, result.output
    assert "Good title" in result.stdout and runner_commands(result.output) == []


class _DripStore(BaseHTTPRequestHandler):
    """A store that takes the push, then answers one byte every 0.2 s (for at most 30 s)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "150")
        self.end_headers()
        try:
            for _ in range(150):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass  # the client gave up: what the test wants


def test_a_drip_feeding_store_ends_push_at_its_deadline(built, runner):
    from pa_graph.cli import main

    server = ThreadingHTTPServer(("127.0.0.1", 0), _DripStore)
    server.daemon_threads = True
    serve_in_background(server)
    try:
        result = runner.invoke(main, ["push", str(built / "graph.ttl"), "--endpoint",
                                      f"http://127.0.0.1:{server.server_address[1]}/store", "--timeout", "0.6"])
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 1 and "did not finish within 0.6 s" in result.stderr, result.output


@respx.mock
def test_an_offline_build_reads_a_cache_in_a_folder_it_cannot_write_to(tmp_path):
    import json
    import os
    import shutil
    import subprocess
    import sys

    from pa_graph import BuildOptions, build
    from pa_graph.sources.s2 import S2Settings

    item = {"paperId": "a" * 40, "title": "A hostile paper", "year": 2024, "externalIds": {"ArXiv": "2401.00001"}}
    respx.post("http://s2.example/graph/v1/paper/batch").respond(200, json=[item])
    respx.get(url__regex=r"http://s2\.example/.*").respond(404, json={"error": "Title match not found"})
    listed = _one_row_list(tmp_path)
    cache = tmp_path / "cache"
    build([listed], BuildOptions(out_dir=tmp_path / "online", cache_dir=cache,
                                 s2=S2Settings(api_url="http://s2.example", rate=1000.0)))
    assert (cache / "s2.sqlite3").is_file()
    command = [sys.executable, "-m", "pa_graph", "build", str(listed), "--offline", "--cache-dir", str(cache),
               "--out", str(tmp_path / "offline"), "--quiet"]
    if os.geteuid() == 0:  # root writes anywhere: make the folder read-only for real, in a mount namespace
        if shutil.which("unshare") is None:
            pytest.fail("this test needs unshare (util-linux) when run as root")
        shell = f"mount --bind {cache} {cache} && mount -o remount,bind,ro {cache} && exec \"$@\""
        command = ["unshare", "-m", "sh", "-c", shell, "sh", *command]
    else:
        cache.chmod(0o555)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        cache.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert "damaged" not in done.stderr
    graph = json.loads((tmp_path / "offline" / "graph.json").read_text(encoding="utf-8"))
    assert "a" * 40 in json.dumps(graph)  # the work was resolved from the cache


def test_an_ad_hoc_query_needs_no_prefix_lines_and_an_unused_bind_is_an_error(built, runner):
    from pa_graph.cli import main

    query = "SELECT (COUNT(?w) AS ?n) WHERE { ?w a fabio:Expression ; dcterms:title ?t }"
    result = runner.invoke(main, ["query", query, "--graph", str(built / "graph.ttl"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert int(json.loads(result.stdout)[0]["n"]) > 0
    declared = "PREFIX fabio: <http://example.org/other#>\n" + query  # a declaration of the user's own wins
    assert runner.invoke(main, ["query", declared, "--graph", str(built / "graph.ttl")]).exit_code == 0
    unused = runner.invoke(main, ["query", query, "--graph", str(built / "graph.ttl"), "--bind", "foo=3"])
    assert unused.exit_code == 2 and "the query has no $foo (its parameters: none)" in unused.stderr


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_syntax_error_is_one_line_placed_in_the_query_as_written(built, runner, engine):
    from pa_graph.cli import main

    query = "SELECT ?w\nWHERE { ?w pa:listedIn }"  # the object is missing; pa: is declared by pa-graph, not here
    result = runner.invoke(main, ["query", query, "--graph", str(built / "graph.ttl"), "--engine", engine])
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert "\n" not in message and len(message) < 300, message
    assert re.search(r"at line 2, column \d+: ", message), message  # line 2 of the query the user wrote


def test_audit_fix_writes_a_venue_with_backslashes_as_it_is():
    """The venue is text for the list, not a replacement template (where ``\\\\`` would become ``\\``)."""
    from pa_graph.lists.write import fix_venues
    from pa_graph.records import VenueUpdate
    from pa_graph.text import markdown_text

    data = b"## Papers\n\n+ **\\[2024 Arxiv-2411\\]** A Title. ([Paper](https://arxiv.org/abs/2411.00001))\n"
    venue = r"Proc. A\B \1 Workshop"
    update = VenueUpdate("k", "A Title", venue, year=2024, sources=(SourceRef("list.md", 3),), by="Semantic Scholar")
    fixed, changed = fix_venues(data, "list.md", [update])
    assert changed == [3] and markdown_text(venue).encode() in fixed.split(b"\n")[2]


def test_four_thousand_rows_on_one_arxiv_link_give_a_page_under_ten_megabytes(tmp_path):
    """A finding naming every row is told on each work in a short form, so the page grows with the rows, not with
    their square (this input once gave a 571 MB page)."""
    import random

    from pa_graph import assemble

    words = "alignment preference persona reward model user memory agent retrieval decoding tuning feedback".split()
    chosen = random.Random(7)
    rows = "\n".join(f"| [{' '.join(chosen.sample(words, 6)).title()} {n}](https://arxiv.org/abs/2401.00001) | 2024 | |"
                     for n in range(4000))
    listed = tmp_path / "list.md"
    listed.write_text("## Papers\n\n| Paper | Year | PDF |\n|---|---|---|\n" + rows + "\n", encoding="utf-8")
    graph = assemble([listed])
    shared = [f for f in graph.audit.findings if f.kind == "shared-arxiv-id"]
    assert len(shared) == 1 and len(shared[0].instances) == 4000
    page = graph.to_html()  # the page a build writes as graph.html
    assert len(page.encode()) < 10_000_000
    assert "shared-arxiv-id: shares arXiv 2401.00001 with 3,999 other rows (audit.md names them)" in page


@pytest.mark.parametrize("opening", ["<h1>x ", "<h2>x ", "<h2 ", "## <!-- x ", "<!-- <h3>x ", "](", "[x]("])
def test_a_megabyte_of_unclosed_html_or_broken_links_is_read(opening):
    """Unclosed headings and comments read in one pass, in process: a lazy pattern scanning to the end for each tag
    took minutes on a megabyte (benchmarks/bench_hostile.py shows the time growing linearly)."""
    from pa_graph.lists.read import parse_list_text

    head = "# T\n\n## S\n\n- **A real paper title here** [[paper](https://arxiv.org/abs/2401.00001)]\n\n"
    size = 100_000 if "(" in opening else 1_000_000  # links cost markdown-it more: a tenth is still minutes if quadratic
    parsed = parse_list_text(head + opening * (size // len(opening)) + "\n", "list.md")
    assert [row.title for row in parsed.rows] == ["A real paper title here"] and parsed.title == "T"


@pytest.mark.parametrize("query", [
    "SELECT ?x WHERE { FILTER(1<2)SERVICE<http://127.0.0.1:9/lt>{?x ?p ?o} }",  # a less-than that is no IRI
    "SELECT * WHERE { # c\rSERVICE <http://127.0.0.1:9/cr> { ?s ?p ?o } }",  # a comment ended by CR
    'SELECT * WHERE { BIND("""a"b""" AS ?x) SERVICE <http://127.0.0.1:9/tq> {?s ?p ?o} BIND("c" AS ?y) }',
    "SELECT * WHERE { BIND('''it's''' AS ?x) SERVICE <http://127.0.0.1:9/sq> {?s ?p ?o} BIND('c' AS ?y) }",
    "SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "select * { sErViCe <http://x/> { } }",
    "LOAD <http://127.0.0.1:9/>"], ids=["less-than", "cr-comment", "triple-double", "triple-single", "escape",
                                        "case", "load"])
def test_no_spelling_of_service_passes_the_check(query):
    from pa_graph.export.sparql import QueryError, refuse_federation

    with pytest.raises(QueryError, match="SERVICE or LOAD"):
        refuse_federation(query)


def test_a_variable_or_a_name_that_spells_service_is_no_keyword_and_the_check_is_linear():
    from pa_graph.export.sparql import refuse_federation, with_prefixes

    refuse_federation("SELECT ?service WHERE { ?x a schema:Service ; dcterms:title 'SERVICE' }")
    hostile = "SELECT * WHERE { ?s ?p ?o } " + "<" * 200_000 + " a-" * 200_000  # quadratic once: hours
    refuse_federation(hostile)
    assert with_prefixes("SELECT ?t { ?w dcterms:title ?t }").startswith("PREFIX dcterms:")
