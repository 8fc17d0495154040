"""arXiv as a third source, added through the registry alone, tested against a fake arXiv API that answers as
arXiv's manual documents (Atom feeds, errors as entries, no entry for an unknown id, 10 results unless asked)."""

from __future__ import annotations

import json

import pytest
from conftest import TABLE, row, write_list
from fake_arxiv.server import FakeArxiv, Faults, Paper

from pa_graph.cli import main
from pa_graph.lists.read import read_list
from pa_graph.pipeline import assemble_lists
from pa_graph.session import Session
from pa_graph.sources.arxiv import ID_LIST_LIMIT, ArxivSettings, parse_feed


class Clock:
    """A clock the throttle waits on without waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


PAPERS = {
    "2305.11451": Paper("Personalized Soups: Personalized Large Language Model Alignment", ["Joel Jang", "Seungone Kim"],
                        "2023-10-17", version=2, doi="10.1000/soups", journal_ref="NeurIPS 2024"),
    "2402.05133": Paper("Personalized Language Modeling from Personalized Human Feedback", ["Xinyu Li"], "2024-02-06"),
    "2310.11564": Paper("A Paper the List Does Not Mean", ["Someone Else"], "2023-10-17"),
}


def _list(tmp_path):
    return write_list(tmp_path, "list.md", TABLE.format(rows="\n".join([
        row("Personalized Soups: Personalized Large Language Model Alignment", "P-Soups", "2023",
            link="https://arxiv.org/abs/2305.11451v1"),
        row("Personalized Language Modeling from Personalized Human Feedback", "P-RLHF", "2024",
            link="https://arxiv.org/abs/2402.05133"),
        row("Aligning to Thousands of Preferences", "", "2023", link="https://arxiv.org/abs/2310.11564"),
        row("A Paper arXiv Never Had", "", "2024", link="https://arxiv.org/abs/2401.99999"),
        row("A Workshop Paper Without Any Link", "", "2024")])))


def _assemble(path, url, clock=None, offline=False, cache="cache"):
    settings = ArxivSettings(api_url=url, rate=1000.0) if clock is None else ArxivSettings(api_url=url)
    with Session(path.parent / cache, offline=offline, services={"arxiv": settings}) as session:
        sources = session.sources("arxiv")
        if clock is not None:
            client = sources["arxiv"].client
            client.sleep, client.clock = clock.sleep, clock
        return assemble_lists([read_list(path)], sources)


def test_arxiv_resolves_listed_links_and_verifies_them_with_no_other_source(tmp_path):
    with FakeArxiv(dict(PAPERS)) as fake:
        graph = _assemble(_list(tmp_path), fake.url)
    assert len(fake.log) == 1 and fake.log[0].max_results == 4  # one call, every id, as many results as ids
    enrichment = graph.enrichment
    assert enrichment.source == "arxiv" and enrichment.mode == "online" and enrichment.calls == {"arxiv": {"requests": 1}}
    soups = next(record for record in enrichment.resolved.values() if record.arxiv_id == "2305.11451")
    assert (soups.title, soups.year, soups.doi, soups.venue, [name for _, name in soups.authors]) == (
        "Personalized Soups: Personalized Large Language Model Alignment", 2023, "10.1000/soups", "NeurIPS 2024",
        ["Joel Jang", "Seungone Kim"])
    assert soups.request.startswith(f"GET {fake.url}/api/query?id_list=")
    wrong = {finding.id.split(":")[0]: finding.message for finding in graph.audit.findings
             if finding.kind == "wrong-arxiv-link"}
    messages = sorted(finding.message for finding in graph.audit.findings if finding.kind == "wrong-arxiv-link")
    assert len(messages) == 2, graph.audit.findings
    assert "'A Paper the List Does Not Mean'" in messages[0] and "2310.11564" in messages[0]
    assert "2401.99999" in messages[1] and "is unknown" in messages[1]
    assert wrong
    venue = [finding.message for finding in graph.audit.findings if finding.kind == "venue-update"]
    assert venue == [] or all("(arXiv)" in message for message in venue)
    node = graph.model.nodes[next(n for n, d in graph.model.nodes(data=True) if d.get("arxiv_id") == "2305.11451")]
    assert node["arxiv_request"] == soups.request and node["year"] == 2023


def test_ids_go_a_hundred_to_a_call_three_seconds_apart(tmp_path):
    papers = {f"2401.{n:05d}": Paper(f"Generated paper number {n}", ["A. Author"], "2024-01-15")
              for n in range(1, 251)}
    listed = write_list(tmp_path, "list.md", TABLE.format(rows="\n".join(
        row(paper.title, link=f"https://arxiv.org/abs/{arxiv_id}") for arxiv_id, paper in papers.items())))
    clock = Clock()
    with FakeArxiv(papers) as fake:
        graph = _assemble(listed, fake.url, clock)
    assert [len(call.ids) for call in fake.log] == [ID_LIST_LIMIT, ID_LIST_LIMIT, 50]
    assert [call.max_results for call in fake.log] == [ID_LIST_LIMIT, ID_LIST_LIMIT, 50]
    assert [round(wait, 6) for wait in clock.slept] == [3.0, 3.0]  # "one request every three seconds"
    assert len(graph.enrichment.resolved) == 250


def test_answers_are_cached_and_offline_asks_nothing(tmp_path):
    listed = _list(tmp_path)
    with FakeArxiv(dict(PAPERS)) as fake:
        first = _assemble(listed, fake.url)
        again = _assemble(listed, fake.url, offline=True)
    assert len(fake.log) == 1
    assert again.enrichment.mode == "offline" and again.enrichment.requests == 0
    assert set(again.enrichment.resolved) == set(first.enrichment.resolved)
    assert {f.id for f in again.audit.findings} == {f.id for f in first.audit.findings}


def test_an_error_entry_and_rate_exceeded_are_failures_of_arxiv_not_findings(tmp_path):
    listed = _list(tmp_path)
    with FakeArxiv(dict(PAPERS), Faults(rate_exceeded=1)) as fake:
        graph = _assemble(listed, fake.url)
    assert [call.status for call in fake.log] == [503, 200]  # backed off and asked again
    assert len(graph.enrichment.resolved) == 2
    error = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/api/errors#incorrect_id_format'
             b'</id><title>Error</title><summary>incorrect id format for 1234.1234</summary></entry></feed>')
    with pytest.raises(ValueError, match="incorrect id format for 1234.1234"):
        parse_feed(error)
    with FakeArxiv(dict(PAPERS)) as fake:
        fake.feed = lambda ids, most: (400, error.decode())  # type: ignore[method-assign]
        failed = _assemble(listed, fake.url, cache="another cache")
    assert len(fake.log) == 1
    assert any(w.startswith("arXiv: could not read the request: incorrect id format") for w in failed.enrichment.warnings)
    assert not [f for f in failed.audit.findings if f.kind in ("wrong-arxiv-link", "s2-unresolved")]


def test_a_hostile_feed_is_refused(tmp_path):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00001v1</id>'
            b'<title>&b;</title></entry></feed>')
    with pytest.raises(ValueError):
        parse_feed(bomb)


def test_build_source_arxiv_from_the_command_line(tmp_path, runner, monkeypatch):
    listed = _list(tmp_path)
    with FakeArxiv(dict(PAPERS)) as fake:
        monkeypatch.setenv("ARXIV_API_URL", fake.url)
        result = runner.invoke(main, ["build", str(listed), "--source", "arxiv", "--out", str(tmp_path / "out"),
                                      "--cache-dir", str(tmp_path / "cache"), "--quiet", "--validate"])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "build.json").read_text())
    assert record["enrichment"]["calls"] == {"arxiv": {"requests": 1}}
    assert "arXiv API" in record["enrichment"]["source"] and record["enrichment"]["resolved"] == 2
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert sum(f["kind"] == "wrong-arxiv-link" for f in audit["findings"]) == 2
    turtle = (tmp_path / "out" / "graph.ttl").read_text()
    assert "pa:SourceResponse" in turtle and "pa:sourceRequest" in turtle
    wrong = runner.invoke(main, ["build", str(listed), "--source", "arxiv+nothing", "--out", str(tmp_path / "x")])
    assert wrong.exit_code == 2 and "unknown source 'nothing'" in wrong.output


def test_rate_never_asks_arxiv_faster_than_once_in_three_seconds(tmp_path):
    """``--rate`` speeds up the sources that allow it; arXiv asks for one request every three seconds, and gets it."""
    papers = {f"2401.{n:05d}": Paper(f"Generated paper number {n}", ["A. Author"], "2024-01-15") for n in range(1, 202)}
    listed = write_list(tmp_path, "list.md", TABLE.format(rows="\n".join(
        row(paper.title, link=f"https://arxiv.org/abs/{arxiv_id}") for arxiv_id, paper in papers.items())))
    clock = Clock()
    with FakeArxiv(papers) as fake, Session(tmp_path / "cache", services={"arxiv": ArxivSettings(api_url=fake.url)},
                                            rate=10.0) as session:
        sources = session.sources("arxiv")
        client = sources["arxiv"].client
        client.sleep, client.clock = clock.sleep, clock
        assemble_lists([read_list(listed)], sources)
    assert len(fake.log) == 3 and [round(wait, 6) for wait in clock.slept] == [3.0, 3.0]


def test_audit_verifies_links_with_the_sources_the_build_asked(tmp_path, runner, monkeypatch):
    """The check a list's CI runs reads the answers of the build's ``--source``: a build from arXiv alone, then
    ``audit --source arxiv`` offline, finds the same wrong links — and credits arXiv, not Semantic Scholar."""
    listed = _list(tmp_path)
    with FakeArxiv(dict(PAPERS)) as fake:
        monkeypatch.setenv("ARXIV_API_URL", fake.url)
        built = runner.invoke(main, ["build", str(listed), "--source", "arxiv", "--out", str(tmp_path / "out"),
                                     "--cache-dir", str(tmp_path / "cache"), "--quiet"])
        assert built.exit_code == 0, built.output
        asked = len(fake.log)
    audited = runner.invoke(main, ["audit", str(listed), "--source", "arxiv", "--cache-dir", str(tmp_path / "cache"),
                                   "--json"])
    assert len(fake.log) == asked  # offline: nothing more was asked
    findings = json.loads(audited.stdout)["findings"]
    assert sum(f["kind"] == "wrong-arxiv-link" for f in findings) == 2
    assert not [f for f in findings if f["kind"] == "s2-unresolved"]  # a wrong link is told once
    audit_md = (tmp_path / "out" / "audit.md").read_text()
    assert "Link verification data: arXiv." in audit_md and "Semantic Scholar" not in audit_md
    assert "search arXiv for its title" in audit_md
