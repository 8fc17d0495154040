"""Every cookbook query, asserted against answers computed independently: from the raw list (regular expressions)
for the offline build, from the fake world's planted data for the fake-enriched build. Both engines must agree."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest
from fake_s2.world import NO_ARXIV, S2_TITLES, UNKNOWN_IDS, UNKNOWN_WORKS, WRONG_LINKS, build_world, raw_lines, raw_rows

from pa_graph.errors import GraphInputError
from pa_graph.export.sparql import QueryError, cookbook, run_query

pytestmark = pytest.mark.slow  # end to end: servers, browsers, whole builds


def rows_of(result):
    return [tuple(row) for row in result.rows]


@pytest.fixture(scope="module")
def world():
    return build_world()


@pytest.fixture(params=["oxigraph", "rdflib"])
def engine(request):
    return request.param


def test_the_cookbook_documents_every_query_file():
    from importlib import resources

    files = {path.name.removesuffix(".rq") for path in (resources.files("pa_graph") / "queries").iterdir()
             if path.name.endswith(".rq")}
    entries = cookbook()
    assert set(entries) == files and len(files) == 17
    assert all(what for what in entries.values())


def test_works_per_section(built, engine):
    expected = Counter()
    for _title, section in {(t, s) for t, s, _, _ in raw_rows()}:
        expected[section] += 1
    result = run_query(built / "graph.ttl", "works-per-section", engine)
    assert {(section, int(n)) for _, section, n in result.rows} == set(expected.items())
    assert dict((s, t) for t, s, _ in result.rows)["RAG"] == "Test-time Personalized Alignment"


def test_works_per_tag(built, engine):
    # the Tag column of every paper table, read with regular expressions; spellings that differ only in case or
    # punctuation are one tag; a work listed twice under one tag counts once
    works_of_tag: dict[str, set[str]] = defaultdict(set)
    for line in raw_lines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) >= 6 and cells[0] not in ("Paper", "Title"):
            title = re.sub(r"^\[(.+)\]\(\S+\)$", r"\1", cells[0]).casefold()
            for tag in filter(None, (t.strip() for t in re.split(r"[,;]", cells[4]))):
                works_of_tag[re.sub(r"[^\w]", "", tag.casefold())].add(title)
    result = run_query(built / "graph.ttl", "works-per-tag", engine)
    assert {(re.sub(r"[^\w]", "", tag.casefold()), int(n)) for tag, n in result.rows} == {
        (tag, len(titles)) for tag, titles in works_of_tag.items()}
    assert len(result.rows) == len(works_of_tag) == 23


def test_works_per_year(built, engine):
    expected = Counter(year for title, year in {(t, y) for t, _, y, _ in raw_rows()})
    result = run_query(built / "graph.ttl", "works-per-year", engine)
    assert {(int(year), int(n)) for year, n in result.rows} == set(expected.items())


def test_venues(built, engine):
    expected = Counter(venue for title, venue in {(t, v) for t, _, _, v in raw_rows()} if venue)
    result = run_query(built / "graph.ttl", "venues", engine)
    assert {(venue, int(n)) for venue, n in result.rows} == set(expected.items())


def test_method_by_any_spelling(built, engine):
    assert rows_of(run_query(built / "graph.ttl", "method", engine, {"method": "no such method"})) == []
    for spelling in ("UserLLM", "user-llm"):
        result = run_query(built / "graph.ttl", "method", engine, {"method": spelling})
        assert rows_of(result) == [("USER-LLM", "UserLLM", "Efficient llm contextualization with user embeddings")]
    everything = run_query(built / "graph.ttl", "method", engine)
    assert len({row[0] for row in everything.rows}) == 98


def test_uncited_listed_works_offline_is_every_work(built, engine):
    assert len(run_query(built / "graph.ttl", "uncited-listed-works", engine).rows) == len({t.casefold() for t, *_ in raw_rows()})


def test_queries_that_need_s2_data_are_empty_offline(built, engine):
    for name in ("most-cited-in-list", "most-cited-overall", "section-citation-matrix", "top-authors", "wrong-links",
                 "missing-papers", "gap-findings"):
        assert run_query(built / "graph.ttl", name, engine).rows == (), name


def test_survey_citations_offline_lists_every_survey(built, engine):
    result = run_query(built / "graph.ttl", "survey-citations", engine)
    assert len(result.rows) == 16 and {row[1] for row in result.rows} == {"0"}


# ----- on the fake-enriched build (synthetic data planted by tests/fake_s2/world.py) -----

def listed_papers(world):
    return {pid: world.papers[pid] for pid in set(world.listed_titles.values())}


def test_missing_papers(fake_enriched, world, engine):
    listed = listed_papers(world)
    cited_by = Counter(ref for paper in listed.values() for ref in set(paper.references) if ref and ref not in listed)
    for k in (2, 5):
        result = run_query(fake_enriched / "graph.ttl", "missing-papers", engine, {"k": str(k)} if k != 2 else {})
        expected = {(world.papers[pid].title, n) for pid, n in cited_by.items() if n >= k}
        assert {(title, int(n)) for title, _, n in result.rows} == expected
        counts = [int(n) for _, _, n in result.rows]
        assert counts == sorted(counts, reverse=True)


def test_most_cited_in_list(fake_enriched, world, engine):
    listed = listed_papers(world)
    cited_by = Counter(ref for paper in listed.values() for ref in set(paper.references) if ref in listed)
    result = run_query(fake_enriched / "graph.ttl", "most-cited-in-list", engine)
    top = sorted(cited_by.values(), reverse=True)[:20]
    assert [int(n) for _, n in result.rows] == top


def test_most_cited_overall(fake_enriched, world, engine):
    counts = sorted((len(p.citations) for p in listed_papers(world).values()), reverse=True)[:20]
    result = run_query(fake_enriched / "graph.ttl", "most-cited-overall", engine)
    assert [int(n) for _, n in result.rows] == counts


def test_uncited_listed_works(fake_enriched, world, engine):
    listed = listed_papers(world)
    cited = {ref for paper in listed.values() for ref in paper.references if ref in listed}
    result = run_query(fake_enriched / "graph.ttl", "uncited-listed-works", engine)
    # the work S2 does not know is listed too, and nothing can cite it
    assert len(result.rows) == len(listed) - len(cited) + len(UNKNOWN_WORKS)


def test_section_citation_matrix(fake_enriched, world, engine):
    listed = listed_papers(world)
    sections = defaultdict(set)
    for title, section, _, _ in raw_rows():
        pid = world.listed_titles.get(title) or world.listed_titles.get(S2_TITLES.get(title, ""))
        if pid:
            sections[pid].add(section)
    expected = Counter()
    for pid, paper in listed.items():
        for ref in set(paper.references):
            if ref in listed:
                for a in sections[pid]:
                    for b in sections[ref]:
                        expected[(a, b)] += 1
    result = run_query(fake_enriched / "graph.ttl", "section-citation-matrix", engine)
    assert {(a, b, int(n)) for a, b, n in result.rows} == {(a, b, n) for (a, b), n in expected.items()}


def test_survey_citations(fake_enriched, world, engine):
    listed = listed_papers(world)
    result = run_query(fake_enriched / "graph.ttl", "survey-citations", engine)
    by_title = {re.sub(r"\W", "", survey.lower()): int(n) for survey, n, _ in result.rows}
    for paper in listed.values():
        key = re.sub(r"\W", "", paper.title.lower())
        if key in by_title:
            assert by_title[key] == len({ref for ref in paper.references if ref in listed})
    assert len(result.rows) == 16


def test_top_authors(fake_enriched, world, engine):
    counts = Counter(name for paper in listed_papers(world).values() for _, name in paper.authors)
    result = run_query(fake_enriched / "graph.ttl", "top-authors", engine)
    assert [int(n) for _, n in result.rows] == sorted(counts.values(), reverse=True)[:20]
    assert all(counts[name] == int(n) for name, n in result.rows)


def test_wrong_links(fake_enriched, engine):
    result = run_query(fake_enriched / "graph.ttl", "wrong-links", engine)
    assert {title for title, *_ in result.rows} == set(WRONG_LINKS) | set(UNKNOWN_IDS) | NO_ARXIV | UNKNOWN_WORKS
    fixes = {title: correct for title, _, _, correct in result.rows}
    assert all(fixes[title] == right for title, right in WRONG_LINKS.items())


#: Queries checked against an independent answer on the fake-enriched graph with both engines (above).
ORACLE_TESTED = {"missing-papers", "most-cited-in-list", "most-cited-overall", "uncited-listed-works",
                 "section-citation-matrix", "survey-citations", "top-authors", "wrong-links", "gap-findings"}


def test_engines_agree_on_every_other_cookbook_query(fake_enriched):
    for name in sorted(set(cookbook()) - ORACLE_TESTED):
        ours = run_query(fake_enriched / "graph.ttl", name, "oxigraph")
        theirs = run_query(fake_enriched / "graph.ttl", name, "rdflib")
        assert ours.columns == theirs.columns, name
        def value(text):  # engines may write one decimal differently ("5" and "5.0")
            try:
                return f"{float(text):g}"
            except (TypeError, ValueError):
                return sorted((text or "").split(" | "))

        normal = lambda rows: sorted(tuple(str(value(v)) for v in row) for row in rows)  # noqa: E731
        assert normal(ours.rows) == normal(theirs.rows), name


def test_bad_queries_and_graphs_are_clear_errors(built, tmp_path):
    with pytest.raises(QueryError, match="neither a cookbook query"):
        run_query(built / "graph.ttl", "no-such-query")
    with pytest.raises(QueryError, match="SPARQL syntax error"):
        run_query(built / "graph.ttl", "SELECT ?x WHERE { ?x ")
    with pytest.raises(GraphInputError, match="no such graph file"):
        run_query(tmp_path / "none.ttl", "venues")


def test_query_cli_formats(runner, built):
    from pa_graph.cli import main

    table = runner.invoke(main, ["query", "venues", "--graph", str(built / "graph.ttl")])
    assert table.exit_code == 0 and table.stdout.splitlines()[0].split() == ["venue", "works"]
    assert table.stdout.splitlines()[-1] == "(23 rows)"
    tsv = runner.invoke(main, ["query", "venues", "--graph", str(built / "graph.ttl"), "--format", "tsv"]).stdout
    assert tsv.splitlines()[1] == "SIGIR\t10"
    import json

    data = json.loads(runner.invoke(main, ["query", "venues", "--graph", str(built / "graph.ttl"), "--format", "json",
                                           "--engine", "rdflib"]).stdout)
    assert data[0] == {"venue": "SIGIR", "works": "10"}
    listing = runner.invoke(main, ["query", "list"]).stdout
    assert "missing-papers" in listing and "works-per-section" in listing
    bad = runner.invoke(main, ["query", "venues", "--graph", str(built / "graph.ttl"), "--bind", "oops"])
    assert bad.exit_code == 2


def test_gap_findings(fake_enriched, engine):
    import json

    from fake_s2.world import TOPICAL_GAPS

    gaps = json.loads((fake_enriched / "gaps.json").read_text(encoding="utf-8"))
    result = run_query(fake_enriched / "graph.ttl", "gap-findings", engine, {"kind": "missing-paper"})
    assert len(result.rows) == len(gaps["missing_papers"]) == 30
    assert {row[3] for row in result.rows[:3]} == set(TOPICAL_GAPS.values())  # planted by the fake world
    world = build_world()
    for row in result.rows[:3]:  # the evidence: the listed works citing it, counted in the fake world
        gap = next(p for p in world.papers.values() if p.title == row[3])
        assert int(row[4]) == sum(1 for p in world.papers.values() if p.listed and gap.paper_id in p.references)
    every = run_query(fake_enriched / "graph.ttl", "gap-findings", engine)
    assert {row[0] for row in every.rows} == {"missing-paper", "missing-citation", "survey-gap"}
