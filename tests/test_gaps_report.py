"""The gap report on the fake-enriched bundled list (tests/fake_s2/world.py plants three topical gaps and 150
classics with large global citation counts), and ``gaps --apply`` on a user's copy of the list."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest
from conftest import oxigraph_rows
from fake_s2.world import GENERAL_CLASSICS, TOPICAL_GAP_VENUE, TOPICAL_GAPS

from pa_graph.analysis.gaps.report import GAPS_SCHEMA
from pa_graph.cli import main

SCHEMA = Path(__file__).parents[1] / "docs" / "gaps.schema.json"


@pytest.fixture(scope="module")
def gaps_json(fake_enriched) -> dict:
    return json.loads((fake_enriched / "gaps.json").read_text(encoding="utf-8"))


def test_planted_topical_gaps_rank_first_and_general_classics_stay_out_of_the_top_10(gaps_json, fake_enriched):
    from pa_graph.analysis.gaps import CitationIndex, missing_papers
    from pa_graph.export.store import load_model_json

    titles = [paper["title"] for paper in gaps_json["missing_papers"]]
    assert set(titles[:3]) == set(TOPICAL_GAPS.values())
    assert not GENERAL_CLASSICS & set(titles[:10])
    # by in-degree alone (how Local Citation Network ranks) the general classics would be the first four
    model = load_model_json(fake_enriched / "graph.json")
    index = CitationIndex.of(model)
    by_citers = sorted(missing_papers(model, top=None).suggestions, key=lambda s: -len(index.listed_citers(s.node)))
    assert {s.title for s in by_citers[:4]} == GENERAL_CLASSICS
    sections = {paper["title"]: paper["section"] for paper in gaps_json["missing_papers"][:3]}
    assert sections == {title: section for section, title in TOPICAL_GAPS.items()}


def test_a_suggestion_row_takes_the_venue_and_year_of_the_source_record(gaps_json):
    # the fake S2 serves the topical gaps as NeurIPS 2023 papers (with an arXiv id): the Source cell says NeurIPS
    for paper in gaps_json["missing_papers"][:3]:
        assert paper["venue"] == TOPICAL_GAP_VENUE and paper["year"] == 2023
        cells = [cell.strip() for cell in paper["row"].strip("|").split("|")]
        assert cells[2:4] == ["2023", TOPICAL_GAP_VENUE], paper["row"]


def test_gaps_json_and_citations_json_follow_the_schema(fake_enriched, gaps_json):
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(gaps_json, schema)
    citations = json.loads((fake_enriched / "citations.json").read_text(encoding="utf-8"))
    jsonschema.validate(citations, {**schema["$defs"]["citations"], "$defs": schema["$defs"]})
    assert gaps_json["schema"] == GAPS_SCHEMA and len(gaps_json["missing_papers"]) == gaps_json["top"] == 30
    assert citations["count"] == gaps_json["missing_citations"]["count"] > 0


def test_gaps_md_leads_with_missing_papers_each_with_evidence_and_links(fake_enriched, gaps_json):
    text = (fake_enriched / "gaps.md").read_text(encoding="utf-8")
    tables = re.findall(r"(?m)^(\| # \| paper .*\n\|---.*\n(?:\|.*\n)*)", text)
    first_table = text.index("\n|")
    assert tables and text.index(tables[0]) == first_table + 1  # the first table is the missing papers
    rows = tables[0].splitlines()[2:]
    assert len(rows) == 30
    for rank, (row, paper) in enumerate(zip(rows, gaps_json["missing_papers"], strict=False), 1):
        cells = [re.sub(r"\\(.)", r"\1", cell.strip()) for cell in re.split(r"(?<!\\)\|", row)[1:-1]]
        assert cells[0] == str(rank)
        assert cells[1] == f"{paper['title']} ({paper['year']})"  # the title in full
        assert re.match(r"cited by \d+ of the \d+ .+ works", cells[3])  # why it ranks
        assert cells[4].startswith(paper["cited_by"][0]) and len(paper["cited_by"]) >= 2  # the evidence
        assert "https://www.semanticscholar.org/paper/" in cells[5] and "https://arxiv.org/abs/" in cells[5]
    assert "| later work |" not in text and "Missing cross-citations between listed works" in text
    assert "| later work | does not cite |" in (fake_enriched / "citations.md").read_text(encoding="utf-8")
    assert "```markdown" in text  # rows to paste


def test_rdf_and_view_carry_exactly_the_top_suggestions(fake_enriched, gaps_json):
    about = {node.rsplit("/id/", 1)[1] for (node,) in oxigraph_rows(
        fake_enriched / "graph.ttl", "PREFIX pa: <https://w3id.org/pa-graph/ontology#> "
        "SELECT ?w WHERE { ?f a pa:GapFinding ; pa:gapKind 'missing-paper' ; pa:about ?w }")}
    suggested = {paper["node"] for paper in gaps_json["missing_papers"]}
    assert about == suggested
    page = (fake_enriched / "graph.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script id="pa-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    ringed = {node["id"] for node in data["nodes"] if node.get("gap")}
    assert ringed == suggested
    assert all(not node.get("gap") for node in data["nodes"] if node["group"] in ("paper", "survey"))


def test_gaps_command_prints_and_writes_the_report(runner, fake_enriched, gaps_json, tmp_path):
    result = runner.invoke(main, ["gaps", "--graph", str(fake_enriched / "graph.ttl"), "--out", str(tmp_path),
                                  "--top", "3"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"missing papers: top 3 of {gaps_json['candidates']} cited by >= 2 listed works")
    first = gaps_json["missing_papers"][0]
    assert lines[1] == f"   1. {first['title']} ({first['year']}) [{first['id']}] -> {first['section']}: {first['why']}"
    assert len(json.loads((tmp_path / "gaps.json").read_text(encoding="utf-8"))["missing_papers"]) == 3
    missing = runner.invoke(main, ["gaps", "--graph", str(tmp_path / "nothing.ttl")])
    assert missing.exit_code == 2


@pytest.fixture()
def user_list(bundled_path, tmp_path) -> Path:
    """A maintainer's own copy of the list (bytes as bundled, so the build's sections and layouts apply)."""
    copy = tmp_path / "list" / "README.md"
    copy.parent.mkdir()
    shutil.copyfile(bundled_path, copy)
    return copy


def _apply(runner, fake_enriched, tmp_path, *args):
    return runner.invoke(main, ["gaps", "--graph", str(fake_enriched / "graph.ttl"), "--out", str(tmp_path / "gaps"),
                                *args])


def _inserted(before: bytes, after: bytes) -> list[tuple[int, str]]:
    """(line number in the new file, text) of each line added, when nothing else changed."""
    old, new = before.split(b"\n"), after.split(b"\n")
    added, i = [], 0
    for number, line in enumerate(new, 1):
        if i < len(old) and line == old[i]:
            i += 1
        else:
            added.append((number, line.decode("utf-8")))
    assert i == len(old), "a line of the original is missing or changed"
    return added


def test_apply_inserts_rows_at_the_end_of_their_sections_tables(runner, fake_enriched, gaps_json, tmp_path,
                                                                 user_list):
    before = user_list.read_bytes()
    result = _apply(runner, fake_enriched, tmp_path, "--apply", str(user_list), "--top", "3")
    assert result.exit_code == 0, result.output
    after = user_list.read_bytes()
    added = _inserted(before, after)
    rows = {paper["row"]: paper for paper in gaps_json["missing_papers"][:3]}
    assert sorted(text for _, text in added) == sorted(rows)
    lines = after.decode("utf-8").split("\n")
    for number, _ in added:
        assert lines[number - 2].startswith("|")  # follows the table's rows (or another inserted row)
        following = lines[number]
        assert not following.startswith("|") or (number + 1, following) in added  # the table ends after it
    assert "3 rows added" in result.stdout and "git checkout" in result.stdout


def test_apply_dry_run_prints_the_diff_and_changes_nothing(runner, fake_enriched, tmp_path, user_list):
    before = user_list.read_bytes()
    result = _apply(runner, fake_enriched, tmp_path, "--apply", str(user_list), "--top", "2", "--dry-run")
    assert result.exit_code == 0, result.output
    assert user_list.read_bytes() == before
    diff = result.stdout[result.stdout.index("--- a/README.md"):]
    assert [line for line in diff.splitlines() if line.startswith("+|")].__len__() == 2
    assert not [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]


def test_apply_only_one_suggestion_by_its_id(runner, fake_enriched, gaps_json, tmp_path, user_list):
    second = gaps_json["missing_papers"][1]
    before = user_list.read_bytes()
    result = _apply(runner, fake_enriched, tmp_path, "--apply", str(user_list), "--only", second["id"])
    assert result.exit_code == 0, result.output
    assert [text for _, text in _inserted(before, user_list.read_bytes())] == [second["row"]]
    unknown = _apply(runner, fake_enriched, tmp_path, "--apply", str(user_list), "--only", "9999.99999")
    assert unknown.exit_code == 2 and "names none of the" in unknown.output


def test_apply_leaves_out_what_the_ignore_file_beside_the_list_names(runner, fake_enriched, gaps_json, tmp_path,
                                                                     user_list):
    first = gaps_json["missing_papers"][0]
    (user_list.parent / ".pa-graph-ignore").write_text(f"{first['id']}  # not for this list\n", encoding="utf-8")
    before = user_list.read_bytes()
    result = _apply(runner, fake_enriched, tmp_path, "--apply", str(user_list), "--top", "2")
    assert result.exit_code == 0, result.output
    added = [text for _, text in _inserted(before, user_list.read_bytes())]
    assert first["row"] not in added and len(added) == 2
    written = json.loads((tmp_path / "gaps" / "gaps.json").read_text(encoding="utf-8"))
    assert first["title"] in written["ignored"]
    assert first["node"] not in {paper["node"] for paper in written["missing_papers"]}


def test_apply_refuses_the_bundled_list_and_read_only_files(runner, fake_enriched, bundled_path, tmp_path, user_list):
    bundled_before = bundled_path.read_bytes()
    refused = _apply(runner, fake_enriched, tmp_path, "--apply", str(bundled_path))
    assert refused.exit_code == 2 and "bundled with pa-graph" in refused.output
    assert bundled_path.read_bytes() == bundled_before
    os.chmod(user_list, stat.S_IRUSR | stat.S_IRGRP)
    before = user_list.read_bytes()
    read_only = _apply(runner, fake_enriched, tmp_path, "--apply", str(user_list))
    assert read_only.exit_code == 2 and "read-only" in read_only.output and "Traceback" not in read_only.output
    assert user_list.read_bytes() == before
    usage = _apply(runner, fake_enriched, tmp_path, "--dry-run")
    assert usage.exit_code == 2 and "go with --apply" in usage.output


def test_gaps_evaluate_reports_the_default_each_signal_and_in_degree(runner, fake_enriched, tmp_path):
    result = runner.invoke(main, ["gaps", "--graph", str(fake_enriched / "graph.ttl"), "--out", str(tmp_path),
                                  "--evaluate"])
    assert result.exit_code == 0, result.output
    evaluation = json.loads((tmp_path / "gaps.json").read_text(encoding="utf-8"))["evaluation"]
    # the fake-enriched build has citation counts and references, but no embeddings and no peer lists
    assert evaluation["no_data"] == ["similarity", "peers"]
    assert set(evaluation["results"]) == {"default", "in-degree", "in-degree, background last", "specificity only",
                                             "concentration only",
                                          "section_share only", "cocitation only", "coupling only", "recency only"}
    hidden = evaluation["hidden"]
    assert re.search(rf"evaluation \({hidden} hidden works\)", result.stdout)
    assert "no data in this graph for: similarity, peers" in result.stdout
    text = (tmp_path / "gaps.md").read_text(encoding="utf-8")
    assert f"## Measured quality ({hidden} listed works hidden one at a time)" in text


def test_peer_lists_raise_the_works_they_include(runner, fake_enriched, gaps_json, tmp_path):
    last = gaps_json["missing_papers"][-1]
    peer = tmp_path / "peer.md"
    peer.write_text("## Papers\n\n| Title | Date | Link(s) |\n|---|---|---|\n"
                    f"| {last['title'].upper()} | 2024/1 | |\n| Something else entirely | 2024/2 | |\n", encoding="utf-8")
    result = runner.invoke(main, ["gaps", "--graph", str(fake_enriched / "graph.ttl"), "--out", str(tmp_path / "g"),
                                  "--peers", str(peer), "--min-lists", "1"])
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "g" / "gaps.json").read_text(encoding="utf-8"))
    assert written["peer_lists"] == ["peer.md"]
    found = {paper["node"]: paper for paper in written["missing_papers"]}
    # in --min-lists peer lists: above every candidate in none, whatever its citers (the works ranked above it
    # are near-duplicate titles the peer row also matches)
    mine = found[last["node"]]
    assert mine["signals"]["peers"] == 1 and mine["rank"] < last["rank"]
    tiers = [paper["signals"]["peers"] for paper in written["missing_papers"]]
    assert tiers == sorted(tiers, reverse=True) and tiers[: mine["rank"]] == [1] * mine["rank"]
    assert "in 1 of 1 other lists" in found[last["node"]]["why"]
    # other works match only when their titles are nearly the same ("Classic Study 14…" / "…143…": ratio >= 95)
    near = {node for node, paper in found.items() if paper["signals"]["peers"]} - {last["node"]}
    assert all(abs(len(found[node]["title"]) - len(last["title"])) <= 1 for node in near)
    missing = runner.invoke(main, ["gaps", "--graph", str(fake_enriched / "graph.ttl"), "--out", str(tmp_path / "g"),
                                   "--peers", str(tmp_path / "none.md")])
    assert missing.exit_code == 2 and "none.md: no such file" in missing.output


def test_build_reads_the_ignore_file_beside_the_list_and_caps_the_suggestions(gaps_json, user_list, tmp_path):
    from fake_s2.server import FakeS2
    from fake_s2.world import build_world

    from pa_graph import BuildOptions, GapOptions, build
    from pa_graph.sources.s2 import S2Settings

    first = gaps_json["missing_papers"][0]
    (user_list.parent / ".pa-graph-ignore").write_text(f"# decided\n{first['title']}\n", encoding="utf-8")
    with FakeS2(build_world()) as fake:
        build([user_list], BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", gaps=GapOptions(top=5),
                                        s2=S2Settings(api_url=fake.url, rate=1000.0)))
    written = json.loads((tmp_path / "out" / "gaps.json").read_text(encoding="utf-8"))
    assert written["ignored"] == [first["title"]] and written["top"] == 5
    assert [p["node"] for p in written["missing_papers"]] == [p["node"] for p in gaps_json["missing_papers"][1:6]]
    ranks = sorted(int(r) for (r,) in oxigraph_rows(tmp_path / "out" / "graph.ttl",
                                                    "PREFIX pa: <https://w3id.org/pa-graph/ontology#> "
                                                    "SELECT ?r WHERE { ?f pa:gapKind 'missing-paper' ; pa:rank ?r }"))
    assert ranks == [1, 2, 3, 4, 5]


BULLET_LIST = """# My list

## Retrieval

+ **\\[2024 Arxiv-2401\\]** Listed retrieval paper one. ([Paper](https://arxiv.org/pdf/2401.00001))

+ **\\[2024 EMNLP\\]** Listed retrieval paper two. ([Paper](https://arxiv.org/pdf/2402.00002))

## Memory

- **Listed memory paper**

   *Ada Author, Bo Author.* [[abs](https://arxiv.org/abs/2403.00003)], 2024
"""


def test_apply_into_a_list_written_as_bullets_follows_its_shape(tmp_path):
    import networkx as nx

    from pa_graph.analysis.gaps import missing_papers
    from pa_graph.lists.write import plan_apply
    from pa_graph.pipeline import bundled_list

    path = tmp_path / "README.md"
    path.write_text(BULLET_LIST, encoding="utf-8")
    model = nx.MultiDiGraph(lists=[])
    for section in ("Retrieval", "Memory"):
        model.add_node(f"section/{section.lower()}", kind="section", label=section)
    for work, section in (("a", "retrieval"), ("b", "retrieval"), ("c", "memory"), ("d", "memory")):
        model.add_node(work, kind="work", listed=True, title=work, year=2024)
        model.add_edge(work, f"section/{section}", key="listed_in")
    for node, title, arxiv, citers in (("x", "A retrieval gap", "2501.00005", "ab"), ("y", "A memory gap", None, "cd")):
        model.add_node(node, kind="work", listed=False, title=title, year=2025, arxiv_id=arxiv,
                       s2_paper_id=("f" if arxiv else "e") * 40)
        for citer in citers:
            model.add_edge(citer, node, key="cites")
    suggestions = missing_papers(model).suggestions
    plan = plan_apply(path, suggestions, bundled_list())
    added = [line for line in plan.diff().splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert sorted(added) == sorted([
        "++ **\\[2025 Arxiv-2501\\]** A retrieval gap. ([Paper](https://arxiv.org/abs/2501.00005))",
        "+- **A memory gap** [[paper](https://www.semanticscholar.org/paper/" + "e" * 40 + ")], 2025"])
    lines = plan.updated.decode("utf-8").split("\n")
    # each after the last entry of its section (the memory entry runs over three lines)
    assert lines.index("+ **\\[2025 Arxiv-2501\\]** A retrieval gap. ([Paper](https://arxiv.org/abs/2501.00005))") == 7
    assert lines[-2].startswith("- **A memory gap**") and lines[-3].startswith("   *Ada Author")


def test_a_parameter_raises_or_lowers_the_cross_citation_cap(fake_enriched, runner, tmp_path):
    from pa_graph.analysis.gaps import GapOptions, analyse
    from pa_graph.analysis.gaps.report import rdf_findings
    from pa_graph.cli import main
    from pa_graph.export.store import load_model

    result = runner.invoke(main, ["gaps", "--graph", str(fake_enriched / "graph.ttl"), "--max-cross-citations", "3",
                                  "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "citations.json").read_text(encoding="utf-8"))
    assert written["limit"] == 3 and len(written["missing_citations"]) == 3 < written["count"]
    report = analyse(load_model(fake_enriched / "graph.ttl"), GapOptions(citations_limit=3))
    assert sum(f["kind"] == "missing-citation" for f in rdf_findings(report)) == 3
    everything = analyse(load_model(fake_enriched / "graph.ttl"), GapOptions(citations_limit=10_000))
    assert sum(f["kind"] == "missing-citation" for f in rdf_findings(everything)) == written["count"]


def test_a_gap_analysis_registered_in_a_test_runs_and_is_rendered_with_no_change_elsewhere(fake_enriched,
                                                                                           monkeypatch):
    """An analysis is one entry of the registry: what it finds reaches the report (``extras``) and what it adds to
    each renderer reaches the text, gaps.md and gaps.json — in the registry's order, after the built-in ones."""
    from pa_graph.analysis.gaps import ANALYSES, analyse
    from pa_graph.analysis.gaps.base import GapAnalysis
    from pa_graph.analysis.gaps.report import render_json, render_markdown, render_text
    from pa_graph.export.store import load_model

    def run(inputs, so_far):
        listed = sum(1 for _, data in inputs.model.nodes(data=True) if data.get("listed"))
        return {"listed_works": listed, "saw_missing": so_far.get("missing") is not None}

    monkeypatch.setitem(ANALYSES, "counting", GapAnalysis(
        run, text=lambda report: [f"listed works: {report.extras['listed_works']}"],
        markdown=lambda report: ["## Listed works", "", str(report.extras["listed_works"]), ""],
        json=lambda report: {"listed_works": report.extras["listed_works"]}))
    model = load_model(fake_enriched / "graph.ttl")
    report = analyse(model)
    listed = sum(1 for _, data in model.nodes(data=True) if data.get("listed"))
    assert report.extras == {"listed_works": listed, "saw_missing": True} and listed > 0
    assert render_text(report).endswith(f"listed works: {listed}\n")
    assert render_markdown(report).endswith(f"## Listed works\n\n{listed}\n\n")
    assert json.loads(render_json(report))["listed_works"] == listed
