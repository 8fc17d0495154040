from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
from conftest import TABLE, row, write_list
from fake_s2.world import bundled_counts

from pa_graph.cli import main


def test_build_writes_every_output(runner, tmp_path):
    result = runner.invoke(main, ["build", "--out", str(tmp_path / "out"), "--offline"])
    assert result.exit_code == 0, result.output
    import pyoxigraph

    triples = len(list(pyoxigraph.parse(path=str(tmp_path / "out" / "graph.ttl"),
                                        format=pyoxigraph.RdfFormat.TURTLE)))  # counted by another parser
    findings = 5 + 35 + 8 + 1 + 15  # shared ids, date conflicts, repeats, broken Markdown, damaged words (test_audit.py)
    raw = bundled_counts()  # counted from the Markdown without pa-graph's reader
    assert result.stdout.splitlines()[0] == (
        f"{raw['rows']} rows → {raw['works']} works ({raw['surveys']} surveys, {raw['works'] - raw['surveys']} papers); "
        f"{triples} triples; {findings} audit findings")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "audit.json", "audit.md", "build.json", "citations.json", "citations.md", "dataset.ttl", "gaps.json",
        "gaps.md", "graph.html", "graph.json", "graph.ttl"]
    assert "warning: awesome-personalized-alignment.md:32: the row has 4 cells but the header has 3" in result.stderr
    record = json.loads((tmp_path / "out" / "build.json").read_text(encoding="utf-8"))
    assert record["lists"][0]["rows"] == raw["rows"] and record["stats"]["nodes"]["works"] == raw["works"]


def test_no_enrich_build_equals_offline_build(runner, tmp_path):
    runner.invoke(main, ["build", "--out", str(tmp_path / "a"), "--offline"])
    runner.invoke(main, ["build", "--out", str(tmp_path / "b"), "--no-enrich"])
    assert (tmp_path / "a" / "graph.ttl").read_bytes() == (tmp_path / "b" / "graph.ttl").read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary", "looks like a binary file (it contains NUL bytes), not a Markdown list"),
        (b"# Only prose\n", "no papers found (no Markdown table with a title column and no list item with a paper link)"),
    ],
)
def test_unusable_list_exits_2_naming_the_file(runner, tmp_path, content, message):
    path = tmp_path / "bad.md"
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: {message}\n"
    assert "Traceback" not in result.output
    assert not out.exists(), "nothing is written when an input is unusable"


def test_broken_row_warns_and_good_rows_build(runner, tmp_path):
    text = TABLE.format(rows="\n".join([row("Good paper one", "G1"), "| | X | 2024 | arxiv | t | |", row("Good paper two")]))
    path = write_list(tmp_path, "list.md", text)
    result = runner.invoke(main, ["build", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "warning: list.md:6: row has no paper title; skipped" in result.stderr
    assert result.stdout.startswith("2 rows → 2 works (0 surveys, 2 papers)")


def test_failed_build_keeps_previous_outputs(runner, tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(main, ["build", "--out", str(out)]).exit_code == 0
    before = (out / "graph.ttl").read_bytes()
    result = runner.invoke(main, ["build", str(tmp_path / "missing.md"), "--out", str(out)])
    assert result.exit_code == 2
    assert (out / "graph.ttl").read_bytes() == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_two_lists_merge_and_keep_their_sources(runner, tmp_path):
    first = write_list(tmp_path, "one.md", TABLE.format(rows="\n".join([row("Shared paper title", "SP"), row("Only in one")])))
    second = write_list(tmp_path, "two.md", "## Other\n\n| Title | Date | Link(s) |\n|---|---|---|\n"
                                            "| Shared Paper Title | 2024/05 | [arXiv](https://arxiv.org/abs/2405.00001) |\n")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(first), str(second), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("3 rows → 2 works")
    graph = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    (shared,) = [n for n in graph["nodes"] if n.get("title") == "Shared paper title"]
    assert [(s["file"], s["line"]) for s in shared["sources"]] == [("one.md", 5), ("two.md", 5)]
    assert {s["section"] for s in shared["sources"]} == {"section/papers", "section/other"}


def test_two_lists_with_one_file_name_are_refused(runner, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_list(tmp_path / "a", "list.md", TABLE.format(rows=row("P one")))
    second = write_list(tmp_path / "b", "list.md", TABLE.format(rows=row("P two")))
    result = runner.invoke(main, ["build", str(first), str(second), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "has the same file name as" in result.stderr


def test_audit_strict_fails_on_findings_and_passes_when_allowed(runner, tmp_path, bundled):
    result = runner.invoke(main, ["audit", "--strict"])
    assert result.exit_code == 1
    cross_listed = sum(1 for work in bundled.works  # once in each of several sections: notices, not failures
                       if len(work.rows) > 1 and len({row.section for row in work.rows}) == len(work.rows))
    assert 0 < cross_listed < 8
    assert result.stderr == f"audit failed: 64 findings: {64 - cross_listed} errors, {cross_listed} notices\n"
    assert "shared-arxiv-id: arXiv 2304.11406 is linked from 2 different works" in result.stdout
    allow = tmp_path / "allow"
    allow.write_text("*\n", encoding="utf-8")
    result = runner.invoke(main, ["audit", "--strict", "--allow", str(allow)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (f"64 findings: 0 errors, {64 - cross_listed} accepted by the allow file, "
                                              f"{cross_listed} notices")
    assert "(accepted by the allow file)" in result.stdout and " (accepted)" not in result.stdout


def test_audit_without_strict_reports_but_succeeds(runner):
    result = runner.invoke(main, ["audit", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["counts"]["repeated-row"] == 8


def test_audit_with_a_missing_allow_file_reads_it_as_empty_and_says_so(runner, tmp_path):
    result = runner.invoke(main, ["audit", "--strict", "--allow", str(tmp_path / "none")])
    assert result.exit_code == 1  # the findings fail; the missing file does not stop the check
    assert f"note: {tmp_path / 'none'}: no allow file yet, so no finding is accepted" in result.stdout


def test_stats_counts_a_built_graph(runner, built, bundled):
    """The counts read from the RDF equal the model's own, node kind by node kind."""
    result = runner.invoke(main, ["stats", "--graph", str(built / "graph.ttl"), "--json"])
    assert result.exit_code == 0
    counts = json.loads(result.stdout)
    kinds = Counter(data["kind"] for _, data in bundled.model.nodes(data=True))
    works = [data for _, data in bundled.model.nodes(data=True) if data["kind"] == "work"]
    assert counts["nodes"] == {"works": kinds["work"], "surveys": sum(w["work_type"] == "survey" for w in works),
                               "sections": kinds["section"], "tags": kinds["tag"], "methods": kinds["method"],
                               "venues": kinds["venue"], "authors": 0, "list rows": bundled_counts()["rows"],
                               "listed works": kinds["work"]}
    relations = Counter(key for _, _, key in bundled.model.edges(keys=True))
    assert counts["edges"]["broader"] == relations["broader"] and counts["edges"]["listed in"] == relations["listed_in"]
    text = runner.invoke(main, ["stats", "--graph", str(built / "graph.ttl")]).stdout
    assert f"  works {kinds['work']:>17}" in text


@pytest.mark.parametrize("content", [None, "this is not turtle ."])
def test_stats_on_a_missing_or_broken_graph_exits_2(runner, tmp_path, content):
    path = tmp_path / "graph.ttl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(main, ["stats", "--graph", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}: ")
    assert "Traceback" not in result.output


def test_every_command_has_help(runner):
    commands = sorted(main.commands)
    assert commands == ["atlas", "audit", "build", "cache", "diff", "gaps", "history", "push", "query", "serve",
                        "site", "stats", "validate", "view"]
    for command in [*([c] for c in commands), ["cache", "info"], ["cache", "clear"], ["cache", "expire"]]:
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0, command
        assert result.output.startswith("Usage: main " + " ".join(command)), command
        assert len(result.output.splitlines()) > 4, command


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "pa_graph", "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "pa-graph, version 0.1.0"


def test_fix_needs_named_lists(runner):
    result = runner.invoke(main, ["audit", "--fix"])
    assert result.exit_code == 2
    assert "--fix rewrites list files: name them" in result.output


def test_fix_without_verified_links_changes_nothing(runner, tmp_path):
    path = write_list(tmp_path, "list.md", TABLE.format(rows=row("A paper", link="https://arxiv.org/abs/1912.00180")))
    before = path.read_bytes()
    result = runner.invoke(main, ["audit", str(path), "--fix"])
    assert result.exit_code == 0
    assert "nothing to fix: no verified wrong links" in result.stderr
    assert path.read_bytes() == before


def test_queries_and_stats_open_an_on_disk_store_loaded_once_per_version_of_the_graph(runner, tmp_path):
    import os

    from pa_graph.cli import main
    from pa_graph.sources.response_cache import cache_dir_from

    out = tmp_path / "out"
    assert runner.invoke(main, ["build", "--no-enrich", "--out", str(out)]).exit_code == 0
    stores = cache_dir_from(None) / "stores"
    (folder,) = stores.iterdir()  # the build loaded its graph.ttl into a store
    stamp = (folder / "source.json").read_text(encoding="utf-8")
    store_files = sorted(p.name for p in (folder / "store").iterdir())
    first = runner.invoke(main, ["query", "works-per-section", "--graph", str(out / "graph.ttl")])
    counted = runner.invoke(main, ["stats", "--graph", str(out / "graph.ttl"), "--json"])
    assert first.exit_code == counted.exit_code == 0 and json.loads(counted.stdout)["triples"] == 3460
    assert (folder / "source.json").read_text(encoding="utf-8") == stamp  # not loaded again
    assert sorted(p.name for p in (folder / "store").iterdir()) == store_files
    # a new version of the file (here: one predicate renamed) replaces the store once
    text = (out / "graph.ttl").read_text(encoding="utf-8")
    (out / "graph.ttl").write_text(text.replace("pa:sha256", "pa:sha256Changed", 1), encoding="utf-8")
    os.utime(out / "graph.ttl", ns=(1, 1))
    again = runner.invoke(main, ["stats", "--graph", str(out / "graph.ttl"), "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["triples"] == 3460
    assert (folder / "source.json").read_text(encoding="utf-8") != stamp
    assert [p.name for p in folder.iterdir() if ".tmp-" in p.name] == []


def test_a_cookbook_query_without_the_data_it_needs_says_what_adds_it(runner, built):
    result = runner.invoke(main, ["query", "most-cited-in-list", "--graph", str(built / "graph.ttl")])
    assert result.exit_code == 0 and result.stdout.endswith("(0 rows)\n")
    assert result.stderr == ("no rows: 'most-cited-in-list' needs citation data from an enriched build (pa-graph "
                             "build with Semantic Scholar or OpenAlex reachable, without --no-enrich or --offline on "
                             "an empty cache)\n")
    assert runner.invoke(main, ["query", "works-per-section", "--graph", str(built / "graph.ttl")]).stderr == ""


def test_a_build_read_back_names_things_as_the_assembled_graph_does(built, bundled, tmp_path):
    """One class for a built graph: ``open_build(...)`` and ``assemble()`` give a ``Build`` (``KnowledgeGraph`` is
    its older name) with one set of methods; the audit is the same record, its instances included; the older
    ``audit_document`` still works, with a deprecation warning; ``gaps()`` has ``suggestions`` either way."""
    import pytest

    from pa_graph import Build, KnowledgeGraph, open_build
    from pa_graph.errors import MissingGraphError

    opened = open_build(built)
    assert KnowledgeGraph is Build and isinstance(opened, Build) and isinstance(bundled, Build)
    assert opened.title() == bundled.title() and opened.audit_flags() == bundled.audit_flags()
    assert opened.gaps().suggestions == bundled.gaps().suggestions == []
    assert opened.gaps(top=3).top == bundled.gaps(top=3).top == 3
    assert opened.to_html() == bundled.to_html()  # the same page from the folder as from memory
    with pytest.raises(MissingGraphError, match="held in memory: write it first"):
        bundled.query("works-per-section")
    assert opened.audit.counts() == bundled.audit.counts()
    assert [f.instances for f in opened.audit.findings] == [f.instances for f in bundled.audit.findings]
    with pytest.warns(DeprecationWarning, match="use Build.audit"):
        assert opened.audit_document["counts"] == bundled.audit.counts()
    with pytest.raises(MissingGraphError, match="cannot render its files"):
        opened.write(tmp_path / "again")


def test_a_build_read_back_whose_lists_are_gone_has_no_works_never_the_bundled_lists(tmp_path):
    """A folder built from a list that is no longer there (moved, or read by URL) reads back with no lists and no
    works — not the bundled list's 156."""
    from conftest import TABLE, row, write_list

    from pa_graph import BuildOptions, build, open_build

    listed = write_list(tmp_path, "list.md", TABLE.format(rows=row("A paper", link="https://arxiv.org/abs/2401.00001")))
    build([listed], BuildOptions(out_dir=tmp_path / "out", enrich=False))
    listed.unlink()
    opened = open_build(tmp_path / "out")
    assert opened.lists == [] and opened.works == []
    assert len([n for n, d in opened.model.nodes(data=True) if d.get("kind") == "work"]) == 1


def test_a_list_given_twice_is_told_so(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_list(tmp_path, "v.md", TABLE.format(rows=row("P one")))
    result = runner.invoke(main, ["build", "v.md", "./v.md", "--no-enrich", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "./v.md: given twice (as v.md too)" in result.stderr
