"""In other lists: three hand-made lists (tests/fixtures/peers/) whose answer is worked out by hand, offline and
without enrichment, and ``--apply --only`` / ``--dry-run`` with a peer row.

main.md: Alignment = "Reward models" (2401.00001), Memory = "Retrieval agents at scale" (2401.00002).
Peer One: "Reward models revisited" (2403.00001, 2024), "Retrieval agents for memory" (2403.00002, 2025),
"Reward Models" (main's 2401.00001), "A paper only here" (2403.00009, 2023).
Peer Two: "Reward Models, Revisited" (2403.00001v2: the same work by its arXiv id), "Retrieval agents for memory"
(a DOI link, the same title), "Reward models" (main's).

Likely sections by TF-IDF over the sections' titles (two documents; "reward", "models", "retrieval", "agents",
"scale" each in one: idf = ln(3/2) + 1): "Reward models revisited" has the known terms reward and models, exactly
Alignment's: fit 1. "Retrieval agents for memory" has retrieval and agents, two of Memory's three: fit
2 / (√2 · √3) = 0.8165. Both are in two lists, so the better fit comes first although the other is newer.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from pa_graph.cli import main

PEERS = Path(__file__).parent / "fixtures" / "peers"
ROW_ONE = "| [Reward models revisited](https://arxiv.org/abs/2403.00001) | 2024 | arxiv |"
ROW_TWO = "| [Retrieval agents for memory](https://arxiv.org/abs/2403.00002) | 2025 | arxiv |"


@pytest.fixture()
def lists(tmp_path) -> Path:
    folder = tmp_path / "repo"
    shutil.copytree(PEERS, folder)
    return folder


def _build(runner, lists: Path, *extra: str):
    out = lists.parent / "out"
    result = runner.invoke(main, ["build", str(lists / "main.md"), "--no-enrich", "--quiet", "--out", str(out),
                                  "--peers", str(lists / "peer-one.md"), "--peers", str(lists / "peer-two.md"),
                                  *extra])
    assert result.exit_code == 0, result.output
    return out, result


def test_works_in_two_peer_lists_offline_without_enrichment(runner, lists):
    out, result = _build(runner, lists)
    document = json.loads((out / "gaps.json").read_text(encoding="utf-8"))
    found = document["in_other_lists"]
    assert [(w["title"], w["arxiv"], w["lists"], w["year"], w["likely_section"], w["fit"], w["row"])
            for w in found] == [
        ("Reward models revisited", "2403.00001", ["Peer One", "Peer Two"], 2024, "Alignment", 1.0, ROW_ONE),
        ("Retrieval agents for memory", "2403.00002", ["Peer One", "Peer Two"], 2025, "Memory", 0.8165, ROW_TWO)]
    assert found[1]["doi"] == "10.1000/agents.7"  # from Peer Two's link to the same work
    text = (out / "gaps.md").read_text(encoding="utf-8")
    assert "\n## In other lists\n" in text and ROW_ONE in text and ROW_TWO in text
    assert document["missing_papers"] == []  # no citations: no missing-paper ranking
    assert "in other lists: 2 works" in result.output


def test_min_lists_one_adds_the_work_of_a_single_list_last(runner, lists):
    out, _ = _build(runner, lists, "--min-lists", "1")
    found = json.loads((out / "gaps.json").read_text(encoding="utf-8"))["in_other_lists"]
    assert [w["title"] for w in found] == ["Reward models revisited", "Retrieval agents for memory",
                                           "A paper only here"]
    assert found[2]["lists"] == ["Peer One"]


def test_apply_only_inserts_a_peer_row_and_dry_run_changes_no_file(runner, lists):
    out, _ = _build(runner, lists)
    graph = str(out / "graph.ttl")
    peers = ["--peers", str(lists / "peer-one.md"), "--peers", str(lists / "peer-two.md")]

    def digest() -> dict[str, str]:
        return {str(path): hashlib.sha256(path.read_bytes()).hexdigest()
                for folder in (lists, out) for path in sorted(folder.rglob("*")) if path.is_file()}

    before = digest()
    dry = runner.invoke(main, ["gaps", "--graph", graph, *peers, "--apply", str(lists / "main.md"),
                               "--only", "2403.00002", "--dry-run", "--top", "10"])
    assert dry.exit_code == 0, dry.output
    assert "+" + ROW_TWO in dry.output
    assert digest() == before  # not the list, not gaps.md/json, not citations.*

    original = (lists / "main.md").read_text(encoding="utf-8").splitlines()
    applied = runner.invoke(main, ["gaps", "--graph", graph, *peers, "--apply", str(lists / "main.md"),
                                   "--only", "2403.00002"])
    assert applied.exit_code == 0, applied.output
    lines = (lists / "main.md").read_text(encoding="utf-8").splitlines()
    at = original.index("| [Retrieval agents at scale](https://arxiv.org/abs/2401.00002) | 2024 | arXiv |") + 1
    assert lines == original[:at] + [ROW_TWO] + original[at:]


def test_an_ignore_line_removes_a_peer_work_and_says_how_many(runner, lists):
    (lists / ".pa-graph-ignore").write_text("reward models, REVISITED  # not for us\n2499.99999\n", encoding="utf-8")
    out, result = _build(runner, lists)
    found = json.loads((out / "gaps.json").read_text(encoding="utf-8"))["in_other_lists"]
    assert [w["title"] for w in found] == ["Retrieval agents for memory"]
    assert "ignore file line 1 (reward models, REVISITED): removed 1" in result.output
    assert "ignore file line 2 (2499.99999): removed 0" in result.output


def test_a_peer_list_without_rows_is_a_warning_not_a_failure(runner, lists):
    (lists / "empty.md").write_text("# Empty\n\nNothing here yet.\n", encoding="utf-8")
    out, result = _build(runner, lists, "--peers", str(lists / "empty.md"))
    assert "warning:" in result.output and "empty.md: no paper rows found in this peer list" in result.output
    assert len(json.loads((out / "gaps.json").read_text(encoding="utf-8"))["in_other_lists"]) == 2


def test_apply_writes_through_a_symlink_and_refuses_a_file_changed_mid_way_or_hard_linked(runner, lists):
    import os

    from pa_graph.errors import ApplyError, ListChangedError
    from pa_graph.lists.write import plan_apply, write_apply
    from pa_graph.pipeline import bundled_list

    out, _ = _build(runner, lists)
    graph = str(out / "graph.ttl")
    peers = ["--peers", str(lists / "peer-one.md"), "--peers", str(lists / "peer-two.md")]
    docs = lists / "docs"
    docs.mkdir()
    (lists / "main.md").rename(docs / "list.md")
    (lists / "README.md").symlink_to(Path("docs") / "list.md")
    result = runner.invoke(main, ["gaps", "--graph", graph, *peers, "--apply", str(lists / "README.md"),
                                  "--only", "2403.00001"])
    assert result.exit_code == 0, result.output
    assert (lists / "README.md").is_symlink() and ROW_ONE in (docs / "list.md").read_text(encoding="utf-8")

    # changed between reading and writing: nothing written, exit 1 from the CLI's error class
    report = runner.invoke(main, ["gaps", "--graph", graph, *peers, "--out", str(lists.parent / "g")])
    assert report.exit_code == 0
    from pa_graph.analysis.gaps import analyse
    from pa_graph.export.store import load_model
    from pa_graph.pipeline import read_peer

    model = load_model(out / "graph.ttl")
    works = analyse(model, peers=[read_peer(lists / "peer-one.md"), read_peer(lists / "peer-two.md")]).other_lists
    plan = plan_apply(docs / "list.md", [w for w in works.works if w.arxiv_id == "2403.00002"], bundled_list())
    saved = (docs / "list.md").read_bytes() + b"\n<!-- saved in an editor meanwhile -->\n"
    (docs / "list.md").write_bytes(saved)
    with pytest.raises(ListChangedError, match="changed since pa-graph read it"):
        write_apply(plan)
    assert (docs / "list.md").read_bytes() == saved

    os.link(docs / "list.md", lists / "hard-link.md")
    plan = plan_apply(docs / "list.md", [w for w in works.works if w.arxiv_id == "2403.00002"], bundled_list())
    with pytest.raises(ApplyError, match="hard links"):
        write_apply(plan)
    assert (lists / "hard-link.md").read_bytes() == saved == (docs / "list.md").read_bytes()


def test_one_peer_list_is_enough_by_default_and_the_output_says_so(runner, tmp_path):
    """The README's own example, `pa-graph gaps --peers other-list.md`, with one peer list: the threshold is that
    list (a default of two lists could never be met), in words that say so."""
    from pa_graph.cli import main

    ours = tmp_path / "ours.md"
    ours.write_text("## Decoding\n\n- **Args: Alignment as reward-guided search** [[paper](https://arxiv.org/abs/2402.01694)]\n",
                    encoding="utf-8")
    peer = tmp_path / "peer.md"
    peer.write_text("# Peer\n\n## Decoding\n\n- **Controlled decoding from language models** "
                    "[[paper](https://arxiv.org/abs/2310.17022)]\n", encoding="utf-8")
    built = runner.invoke(main, ["build", str(ours), "--no-enrich", "--out", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    result = runner.invoke(main, ["gaps", "--graph", str(tmp_path / "out" / "graph.ttl"), "--peers", str(peer)])
    assert result.exit_code == 0, result.output
    assert "in other lists: 1 work in the 1 peer list and not in this one" in result.stdout
    assert "Controlled decoding from language models" in result.stdout


def test_a_peer_link_never_becomes_list_text_a_fence_break_or_a_runner_command(runner, tmp_path):
    """A peer's link with ``) | …``, a backtick fence and a workflow command in it, or a space: percent-encoded or
    left out with a warning naming the peer and its line; the list gains one row a work and nothing else; gaps.md's
    fences hold; nothing printed on a runner is a command."""
    from test_hardening import runner_commands

    from pa_graph.cli import main
    from pa_graph.lists.read import read_list

    ours = tmp_path / "ours.md"
    ours.write_text("# Ours\n\n## Decoding\n\n- **Args: Alignment as reward-guided search** "
                    "[[paper](https://arxiv.org/abs/2402.01694)]\n", encoding="utf-8")
    peer = tmp_path / "peer.md"
    peer.write_text("# Peer\n\n## Decoding\n\n"
                    "- **Decoding with hostile links for personal alignment** "
                    "[[paper](<https://openreview.net/p) | ```::error::x>)]\n"
                    "\n<table><tr><th>Title</th><th>Link</th></tr><tr><td>Decoding with a broken line for personal "
                    'alignment</td><td><a href="https://openreview.net/c\n## heading\n::error::x">paper</a></td></tr>'
                    "</table>\n", encoding="utf-8")
    built = runner.invoke(main, ["build", str(ours), "--no-enrich", "--out", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    before = ours.read_text(encoding="utf-8").splitlines()
    result = runner.invoke(main, ["gaps", "--graph", str(tmp_path / "out" / "graph.ttl"), "--peers", str(peer),
                                  "--apply", str(ours), "--only", "decoding with hostile links for personal alignment",
                                  "--only", "decoding with a broken line for personal alignment"],
                           env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 0, result.output
    assert runner_commands(result.stdout + result.stderr) == []
    assert "peer.md:5: the link" in result.stderr and "percent-encoded" in result.stderr
    assert "peer.md:7: the link 'https://openreview.net/c' is not a well-formed http(s) URL; left out" in result.stderr
    after = ours.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before) + 2 and after[:len(before)] == before
    assert all(line.startswith("- **Decoding with ") for line in after[len(before):])
    assert "[[paper](https://openreview.net/p%29%20%7C%20%60%60%60::error::x)]" in after[-1]  # one link, encoded
    assert "paper" not in after[-2]  # the link with line breaks left out
    reread = read_list(ours)  # the row without its link is one the audit reports, not a broken list
    assert len(reread.rows) == 2 and [f.kind for f in reread.malformed] == ["malformed-row"]
    gaps = (tmp_path / "out" / "gaps.md").read_text(encoding="utf-8")
    assert gaps.count("```markdown") == gaps.count("\n```\n")  # every fence closed where it should be
