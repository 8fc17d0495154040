"""The pull-request verdict replayed on the real histories of two sibling lists (``tests/fixtures/histories/``):
every commit that changed README.md audited against its parent as the Action audits a pull request, and the verdict
judged against the lines the commit really changed. Then problems planted on top of a real commit, each of which
must fail on its own line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fake_s2.server import FakeS2
from fake_s2.world import build_world
from replay import annotations, changed_lines, clone, git, replay

from pa_graph import BuildOptions, build
from pa_graph.cli import main
from pa_graph.sources.s2 import S2Settings

HISTORIES = Path(__file__).parent / "fixtures" / "histories"
BUNDLES = sorted(HISTORIES.glob("*.bundle"))
#: A real commit of the personalized-LLMs list with 27 rows in bullets, the base the planted changes go on.
PLANT_ON = "28377c7684b9eec485fa208f350a1afa079657e0"


@pytest.fixture()
def cli_audit(runner, tmp_path, monkeypatch):
    def run(folder: Path, arguments: list[str]) -> tuple[int, str]:
        monkeypatch.chdir(folder)
        cache = [] if "--cache-dir" in arguments else ["--cache-dir", str(tmp_path / "empty-cache")]
        result = runner.invoke(main, ["audit", *arguments, *cache],
                               env={"GITHUB_ACTIONS": None, "CI": None})
        return result.exit_code, result.stdout
    return run


@pytest.mark.parametrize("bundle", BUNDLES, ids=[bundle.stem.split("-")[0] for bundle in BUNDLES])
def test_every_real_pull_request_is_judged_on_what_it_changed(bundle, tmp_path, cli_audit):
    replayed = replay(clone(bundle, tmp_path / "list"), cli_audit)
    figures = replayed.summary()
    assert figures["commits"] == {"neph0s": 87, "vanillacreamer": 102}[bundle.stem.split("-")[0]]
    assert figures["other_exits"] == 0  # versions with no paper rows yet are a finding, not exit 2
    assert figures["failing_off_the_change"] == 0
    assert figures["errors_off_the_change"] == 0
    assert 0 < figures["failing"] < figures["commits"] / 4  # the histories do hold real mistakes
    for commit in replayed.commits:  # a commit that leaves every row as it was passes
        if not commit.changed:
            assert commit.exit_code == 0, commit.commit


@pytest.fixture()
def real_list(tmp_path) -> Path:
    folder = clone(BUNDLES[1], tmp_path / "list")
    git(folder, "checkout", "-q", "-B", "base", PLANT_ON)
    return folder


def plant(folder: Path, lines: list[str], after: int) -> tuple[str, set[int]]:
    """Commit ``lines`` inserted after line ``after`` of README.md on a branch of the base; returns the base commit
    and the lines the planted ones hold now."""
    base = git(folder, "rev-parse", "HEAD").strip()
    readme = folder / "README.md"
    text = readme.read_text(encoding="utf-8").split("\n")
    readme.write_text("\n".join([*text[:after], *lines, *text[after:]]), encoding="utf-8")
    git(folder, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "planted")
    return base, set(range(after + 1, after + 1 + len(lines)))


def first_paper_line(folder: Path) -> tuple[int, str]:
    lines = (folder / "README.md").read_text(encoding="utf-8").split("\n")
    number = next(n for n, line in enumerate(lines, 1) if re.match(r"\+ \\\[20\d\d .*arxiv\.org/pdf/", line))
    return number, lines[number - 1]


def errors(output: str) -> set[tuple[int | None, str]]:
    return {(a.line, a.title) for a in annotations(output) if a.level == "error"}


def test_a_repeated_row_a_shared_id_and_an_impossible_id_each_fail_on_their_own_line(real_list, cli_audit):
    number, existing = first_paper_line(real_list)
    arxiv = re.search(r"arxiv\.org/pdf/([\d.]+)", existing).group(1)
    planted = {
        "repeated-row": existing,
        "shared-arxiv-id": f"+ \\[2024 Arxiv-2401\\] A Different Paper on the Same Link. "
                           f"([Paper](https://arxiv.org/pdf/{arxiv}))",
        "malformed-arxiv-id": "+ \\[2024 Arxiv-2401\\] A Paper with a Short Id. ([Paper](https://arxiv.org/abs/2401.1234))",
    }
    base = git(real_list, "rev-parse", "HEAD").strip()
    for kind, line in planted.items():
        git(real_list, "checkout", "-q", "-B", kind, base)
        _, lines = plant(real_list, ["", line], number + 1)
        code, output = cli_audit(real_list, [str(real_list / "README.md"), "--strict", "--since", base, "--github"])
        assert code == 1, (kind, output)
        assert errors(output) == {(max(lines), kind)}, (kind, output)


def test_a_fourth_copy_of_a_row_fails_on_the_copy_the_change_added(real_list, cli_audit):
    number, existing = first_paper_line(real_list)
    base, _ = plant(real_list, ["", existing, "", existing], number + 1)  # three copies at the base: legacy
    assert cli_audit(real_list, [str(real_list / "README.md"), "--strict", "--since", base])[0] == 1
    three = git(real_list, "rev-parse", "HEAD").strip()
    plant(real_list, ["", existing], number + 5)
    code, output = cli_audit(real_list, [str(real_list / "README.md"), "--strict", "--since", three, "--github"])
    assert code == 1
    (line, kind), = errors(output)  # one error, on one of the copies: a line the change added (either copy may be it)
    assert kind == "repeated-row" and line in changed_lines(real_list, three, "HEAD", "README.md")
    moved_base = git(real_list, "rev-parse", "HEAD").strip()  # moving a copy down changes no row: nothing new
    readme = real_list / "README.md"
    text = readme.read_text(encoding="utf-8").split("\n")
    moved = [*text[:number], *text[number + 1:number + 20], text[number], *text[number + 20:]]
    readme.write_text("\n".join(moved), encoding="utf-8")
    git(real_list, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "moved")
    assert changed_lines(real_list, moved_base, "HEAD", "README.md")  # the diff shows a moved line …
    code, output = cli_audit(real_list, [str(real_list / "README.md"), "--strict", "--since", moved_base, "--github"])
    assert (code, errors(output)) == (0, set())  # … and the verdict sees the same rows


def test_a_wrong_link_verified_with_semantic_scholar_fails_on_its_line(real_list, cli_audit, tmp_path):
    """The Action's order: a build that enriches (the fake S2, a fresh cache), then the audit from that cache."""
    world = build_world()
    other = next(p for p in world.papers.values() if p.arxiv_id and p.listed)
    number, _ = first_paper_line(real_list)
    year, month = other.arxiv_id[:2], other.arxiv_id[:4]  # the row's date agrees with its id
    base, lines = plant(real_list, ["", f"+ \\[20{year} Arxiv-{month}\\] Not the Paper This Link Names. "
                                        f"([Paper](https://arxiv.org/abs/{other.arxiv_id}))"], number + 1)
    cache = tmp_path / "cache"
    with FakeS2(world) as fake:
        build([real_list / "README.md"], BuildOptions(out_dir=tmp_path / "out", cache_dir=cache,
                                                      s2=S2Settings(api_url=fake.url, rate=1000.0)))
    code, output = cli_audit(real_list, [str(real_list / "README.md"), "--strict", "--since", base, "--github",
                                         "--cache-dir", str(cache)])
    assert code == 1, output
    assert (max(lines), "wrong-arxiv-link") in errors(output)  # S2 cannot resolve the planted title either
    assert {line for line, _ in errors(output)} == {max(lines)}


def commit_all(folder: Path, message: str) -> str:
    git(folder, "add", "-A")
    git(folder, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message)
    return git(folder, "rev-parse", "HEAD").strip()


def test_lone_carriage_returns_do_not_move_the_lines_the_verdict_names(real_list, cli_audit):
    """A CR inside a line is no line break for Git: with eight of them in an early line, a planted repeat still
    fails, on the line Git says the change added."""
    number, existing = first_paper_line(real_list)
    base = git(real_list, "rev-parse", "HEAD").strip()
    readme = real_list / "README.md"
    lines = readme.read_bytes().split(b"\n")
    lines[2] += b"\r" * 8
    readme.write_bytes(b"\n".join([*lines[:number + 1], b"", existing.encode(), *lines[number + 1:]]))
    commit_all(real_list, "planted")
    code, output = cli_audit(real_list, ["README.md", "--strict", "--since", base, "--github"])
    assert code == 1
    assert errors(output) == {(number + 3, "repeated-row")}
    assert (number + 3) in changed_lines(real_list, base, "HEAD", "README.md")


def test_a_change_cannot_accept_its_own_findings_in_the_allow_file(real_list, cli_audit):
    number, existing = first_paper_line(real_list)
    base = git(real_list, "rev-parse", "HEAD").strip()
    (real_list / ".pa-graph-allow").write_text("*\n", encoding="utf-8")
    plant(real_list, ["", existing], number + 1)
    git(real_list, "add", ".pa-graph-allow")
    commit_all(real_list, "a repeat, and an allow file that accepts everything")
    code, output = cli_audit(real_list, ["README.md", "--strict", "--since", base, "--allow", ".pa-graph-allow"])
    assert code == 1 and f"note: .pa-graph-allow at {base}: no allow file yet" in output


@pytest.mark.parametrize("how", ["symlink", "rename"])
def test_a_list_moved_or_behind_a_symbolic_link_keeps_its_baseline(real_list, cli_audit, how):
    docs = real_list / "docs"
    docs.mkdir()
    git(real_list, "mv", "README.md", "docs/list.md")
    if how == "symlink":
        (real_list / "README.md").symlink_to("docs/list.md")
        base = commit_all(real_list, "the list moves to docs/, README.md links to it")
        with (docs / "list.md").open("a", encoding="utf-8") as stream:
            stream.write("\n")
        commit_all(real_list, "a blank line")
        shown = "README.md"
    else:
        base = git(real_list, "rev-parse", "HEAD").strip()
        commit_all(real_list, "the list moves to docs/")
        shown = "docs/list.md"
    code, output = cli_audit(real_list, [shown, "--strict", "--since", base, "--github"])
    assert (code, errors(output)) == (0, set()), output


def test_a_change_that_mends_an_unreadable_base_is_judged_on_its_own_lines(real_list, cli_audit):
    readme = real_list / "README.md"
    clean = readme.read_bytes()
    readme.write_bytes(clean.replace(b"\n", b"\n\x00", 1))  # a NUL byte: the base is no text
    base = commit_all(real_list, "a NUL byte slips in")
    readme.write_bytes(clean)
    commit_all(real_list, "mended")
    code, output = cli_audit(real_list, ["README.md", "--strict", "--since", base, "--github"])
    assert (code, errors(output)) == (0, set()), output


@pytest.mark.parametrize("how", ["symlink", "rename"])
def test_a_change_cannot_choose_which_file_is_read_as_the_allow_file(real_list, cli_audit, how):
    """The allow file is the path as the base has it: not a symbolic link the change makes, not a file it renames."""
    number, existing = first_paper_line(real_list)
    if how == "symlink":
        (real_list / ".pa-graph-allow").write_text("", encoding="utf-8")
        readme = real_list / "README.md"
        readme.write_text(readme.read_text(encoding="utf-8") + "\n*\n", encoding="utf-8")  # a rule: "accept all"
    else:
        (real_list / "meta").mkdir()
        (real_list / "meta" / "other.allow").write_text("*\n", encoding="utf-8")
    base = commit_all(real_list, "the base")
    if how == "symlink":
        (real_list / ".pa-graph-allow").unlink()
        (real_list / ".pa-graph-allow").symlink_to("README.md")
    else:
        git(real_list, "mv", "meta/other.allow", ".pa-graph-allow")
    plant(real_list, ["", existing], number + 1)  # commits the repeat and the allow file of the change's choosing
    code, output = cli_audit(real_list, ["README.md", "--strict", "--since", base, "--allow", ".pa-graph-allow"])
    assert code == 1, output


def test_a_problem_added_while_mending_an_unreadable_base_fails(real_list, cli_audit):
    number, existing = first_paper_line(real_list)
    readme = real_list / "README.md"
    clean = readme.read_bytes()
    readme.write_bytes(clean.replace(b"\n", b"\n\x00", 1))
    base = commit_all(real_list, "a NUL byte slips in")
    readme.write_bytes(clean)
    plant(real_list, ["", existing], number + 1)
    code, output = cli_audit(real_list, ["README.md", "--strict", "--since", base, "--github"])
    assert code == 1 and ("repeated-row" in {title for _, title in errors(output)}), output


def test_a_typo_fixed_in_a_row_that_has_a_problem_is_the_same_row(real_list, cli_audit):
    """The base has two works on one arXiv link; the change fixes a typo in one's title: the shared link was there
    before, so the check passes (the edited row is matched to its old self by near content)."""
    number, existing = first_paper_line(real_list)
    arxiv = re.search(r"arxiv\.org/pdf/([\d.]+)", existing).group(1)
    other = f"+ \\[2024 Arxiv-2401\\] A Different Paper on the Same Linkk. ([Paper](https://arxiv.org/pdf/{arxiv}))"
    plant(real_list, ["", other], number + 1)
    base = git(real_list, "rev-parse", "HEAD").strip()
    assert cli_audit(real_list, ["README.md", "--strict"])[0] == 1  # the shared link is there at the base
    readme = real_list / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("Same Linkk.", "Same Link."), encoding="utf-8")
    commit_all(real_list, "typo fixed")
    code, output = cli_audit(real_list, ["README.md", "--strict", "--since", base, "--github"])
    assert (code, errors(output)) == (0, set()), output


def test_a_list_moved_under_docs_with_a_link_left_in_its_place_keeps_its_baseline(real_list, cli_audit):
    base = git(real_list, "rev-parse", "HEAD").strip()
    (real_list / "docs").mkdir()
    git(real_list, "mv", "README.md", "docs/list.md")
    (real_list / "README.md").symlink_to("docs/list.md")
    commit_all(real_list, "moved, linked")
    code, output = cli_audit(real_list, ["README.md", "--strict", "--since", base, "--github"])
    assert (code, errors(output)) == (0, set()), output
