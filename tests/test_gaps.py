"""Each analysis on a tiny graph whose answers are worked out by hand in the comments."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from conftest import write_list
from pa_graph.build import load_lists
from pa_graph.gaps import (GapError, analyse, compare_lists, entries_of_lists, evaluate_ranking, missing_citations,
                           missing_papers, section_flows, survey_coverage)


@pytest.fixture()
def tiny() -> nx.MultiDiGraph:
    """Listed: A (2020, S1, T1), B (2021, S1, T1), C (2022, S2, T2), D (survey, 2023, S3). Not listed: X 2019,
    Y 2018, Z 2017. Citations: A→X, A→Z, B→X, B→Y, B→Z, C→X, C→A, D→A, D→X."""
    model = nx.MultiDiGraph(lists=[])
    for node, label in (("S1", "S1"), ("S2", "S2"), ("S3", "S3"), ("T1", "T1"), ("T2", "T2")):
        model.add_node(node, kind="section" if node[0] == "S" else "tag", label=label)
    for node, year, kind in (("A", 2020, "paper"), ("B", 2021, "paper"), ("C", 2022, "paper"), ("D", 2023, "survey")):
        model.add_node(node, kind="work", work_type=kind, listed=True, title=f"Paper {node}", year=year)
    for node, year in (("X", 2019), ("Y", 2018), ("Z", 2017)):
        model.add_node(node, kind="work", work_type="paper", listed=False, title=f"Paper {node}", year=year)
    for work, section, tag in (("A", "S1", "T1"), ("B", "S1", "T1"), ("C", "S2", "T2"), ("D", "S3", None)):
        model.add_edge(work, section, key="listed_in")
        if tag:
            model.add_edge(work, tag, key="has_tag")
    for u, v in ("AX", "AZ", "BX", "BY", "BZ", "CX", "CA", "DA", "DX"):
        model.add_edge(u, v, key="cites")
    return model


def test_missing_papers_by_hand(tiny):
    found = missing_papers(tiny, min_citers=2)
    # X: cited by A, B, C, D (4); co-citation: C and D each cite one other listed work (A) -> 2; newest candidate.
    # Z: cited by A, B (2); co-citation 0; oldest. Y is cited once only. Coupling and similarity have no data, so
    # the weights 0.45/0.25/0.10 are rescaled by 0.8: X = (0.45 + 0.25 + 0.10) / 0.8 = 1.0, Z = 0.45 * 2/4 / 0.8.
    assert [paper.title for paper in found] == ["Paper X", "Paper Z"]
    assert found[0].score == 1.0
    assert found[1].score == pytest.approx(0.28125, abs=1e-4)
    assert found[0].signals == {"citations": 4, "cocitation": 2, "coupling": 0, "recency": 1.0, "similarity": 0.0}
    assert found[0].cited_by == ("Paper A", "Paper B", "Paper C", "Paper D")
    # A and B are listed in S1, C in S2, D in S3: the majority is S1
    assert found[0].section == "S1"
    assert found[0].row == "| Paper X |  | 2019 |  |  |  |"
    assert [p.title for p in missing_papers(tiny, min_citers=1)] == ["Paper X", "Paper Z", "Paper Y"]


def test_section_tie_goes_to_the_first_citing_section(tiny):
    tiny.remove_edge("B", "X", key="cites")  # X is now cited from S1 (A), S2 (C), S3 (D): a three-way tie
    assert missing_papers(tiny, min_citers=2)[0].section == "S1"  # A comes first in the list's order


def test_missing_citations_by_hand(tiny):
    (gap,) = missing_citations(tiny)
    # A and B share S1 and T1, B (2021) is later than A (2020), they share two references (X, Z), B does not cite A.
    # C-A: different section and tag; D cites A; no other pair shares a section or tag.
    assert (gap.later, gap.earlier, gap.shared_references, gap.cocitations, gap.score) == ("Paper B", "Paper A", 2, 0, 2.0)
    assert gap.common == ("S1", "T1") and gap.evidence == ("Paper X", "Paper Z")
    tiny.add_edge("B", "A", key="cites")
    assert missing_citations(tiny) == []


def test_survey_coverage_by_hand(tiny):
    (survey,) = survey_coverage(tiny)
    # D (2023) cites A; B (2021) and C (2022) were published before it and are not cited
    assert (survey.survey, survey.cites_listed, survey.earlier_listed, survey.missing) == (
        "Paper D", 1, 3, ("Paper B", "Paper C"))


def test_section_flows_by_hand(tiny):
    flows = section_flows(tiny)
    # listed-to-listed citations: C (S2) -> A (S1), D (S3) -> A (S1)
    assert flows.matrix == {"S1": {"S1": 0, "S2": 0, "S3": 0}, "S2": {"S1": 1, "S2": 0, "S3": 0},
                            "S3": {"S1": 1, "S2": 0, "S3": 0}}
    assert flows.isolated == ("Paper B",)  # cites no listed work, no listed work cites it
    assert flows.silent_pairs == (("S2", "S3"),)


def test_evaluation_by_hand(tiny):
    result = evaluate_ranking(tiny)
    # Only A is cited by >= 2 listed works. Hidden, it competes with X (3 citers now), Y and Z (1 each).
    # Ours: X = (0.45 + 0.10 * 2/3) / 0.55 = 0.94 beats A = (0.45 * 2/3 + 0.10) / 0.55 = 0.73: rank 2.
    # In-degree: X (3) before A (2): rank 2. Recency alone: A (2020) is the newest: rank 1.
    assert result["hidden"] == 1
    assert result["results"]["ours"] == {"recall@10": 1.0, "recall@20": 1.0, "mrr": 0.5}
    assert result["results"]["citations only"]["mrr"] == 0.5
    assert result["results"]["recency only"]["mrr"] == 1.0


LIST_ONE = """## Methods

### Decoding

| Paper | Abbr. | Year | Source | Tag | PDF |
|---|---|---|---|---|---|
| Alpha decoding for personalised alignment | AL | 2023 | arxiv | reward | |
| Beta retrieval for user profiles | BE | 2024 | arxiv | retrieval | |

### Memory

| Paper | Abbr. | Year | Source | Tag | PDF |
|---|---|---|---|---|---|
| Gamma memory for agents | GA | 2024 | arxiv | memory | |
"""

LIST_TWO = """## Papers

### Decoding

| Title | Date | Link(s) |
|---|---|---|
| ALPHA decoding for personalised alignment! | 2023/5 | |
| Delta value-guided decoding | 2024/1 | |

### Other

| Paper | Abbr. | Year | Source | Tag | PDF |
|---|---|---|---|---|---|
| Epsilon profile retrieval | EP | 2024 | arxiv | retrieval | |
| Zeta agents with memory | ZE | 2025 | arxiv | | |
"""


def test_compare_two_small_lists(tmp_path):
    one = load_lists([write_list(tmp_path, "one.md", LIST_ONE)])
    two = load_lists([write_list(tmp_path, "two.md", LIST_TWO)])
    result = compare_lists(entries_of_lists(one), entries_of_lists(two))
    here = {(e.title, e.section) for e in result["missing_here"]}
    # Alpha is in both (case and punctuation differ). Delta's section "Decoding" exists in list one; Epsilon's tag
    # "retrieval" is used in list one's Decoding section; Zeta has neither, but "memory" and "agents" are words of
    # list one's Memory section titles.
    assert here == {("Delta value-guided decoding", "Decoding"), ("Epsilon profile retrieval", "Decoding"),
                    ("Zeta agents with memory", "Memory")}
    there = {(e.title, e.section) for e in result["missing_there"]}
    # Beta: list two has a Decoding section too; Gamma's "Memory" section and "memory" tag are not in list two, but
    # its title words "memory" and "agents" are in Zeta's title, listed under Other
    assert there == {("Beta retrieval for user profiles", "Decoding"), ("Gamma memory for agents", "Other")}
    assert {e.source for e in result["missing_here"]} == {"two.md:8", "two.md:14", "two.md:15"}


def test_gaps_need_citations_for_everything_but_compare(built, tmp_path):
    from pa_graph.model import load_model_json

    model = load_model_json(built / "graph.json")
    report = analyse(model)
    assert report.flows is None and report.missing_papers == []
    with pytest.raises(GapError, match="--evaluate needs citations"):
        analyse(model, evaluate=True)


def test_gaps_json_follows_its_schema(fake_enriched):
    import jsonschema
    from pathlib import Path

    schema = json.loads((Path(__file__).parents[1] / "docs" / "gaps.schema.json").read_text(encoding="utf-8"))
    data = json.loads((fake_enriched / "gaps.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert data["missing_papers"] and data["section_flows"]["matrix"]


def test_enriched_build_writes_gap_findings_everywhere(fake_enriched):
    from rdflib import Graph

    from pa_graph.model import load_model_json

    graph = Graph().parse(fake_enriched / "graph.ttl")
    kinds = {str(k) for (k,) in graph.query(
        "PREFIX pa: <https://w3id.org/pa-graph/ontology#> SELECT DISTINCT ?k WHERE { ?f a pa:GapFinding ; pa:gapKind ?k }")}
    assert kinds == {"missing-paper", "missing-citation", "survey-gap"}
    model = load_model_json(fake_enriched / "graph.json")
    first = json.loads((fake_enriched / "gaps.json").read_text(encoding="utf-8"))["missing_papers"][0]
    assert model.nodes[first["node"]]["gap"].startswith("missing paper #1")
    page = (fake_enriched / "graph.html").read_text(encoding="utf-8")
    assert "missing paper #1" in page
    assert "# Citation gaps" in (fake_enriched / "gaps.md").read_text(encoding="utf-8")


def test_gaps_command(runner, fake_enriched, tmp_path):
    from pa_graph.cli import main

    result = runner.invoke(main, ["gaps", "--graph", str(fake_enriched / "graph.ttl"), "--out", str(tmp_path),
                                  "--top", "3"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("missing papers (cited by >= 2 listed works): ")
    assert lines[1].startswith("   1. Classic Study 0 of Preference Learning (2015) score ")
    assert (tmp_path / "gaps.md").is_file() and (tmp_path / "gaps.json").is_file()
    missing = runner.invoke(main, ["gaps", "--graph", str(tmp_path / "nothing.ttl")])
    assert missing.exit_code == 2
