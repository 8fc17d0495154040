"""Replays a list repository's history as pull requests: every commit that changed the list, audited against its
parent the way the Action audits a pull request (``audit LIST --strict --since PARENT --github``), and the verdict
judged against the lines the commit really changed. Shared by ``tests/test_replay.py`` and
``benchmarks/bench_replay.py``."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: An annotation the runner would show: level, line (None for a finding about the whole file), title.
ANNOTATION = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::")


@dataclass(frozen=True)
class Annotation:
    level: str
    line: int | None
    title: str


@dataclass(frozen=True)
class Replayed:
    commit: str
    exit_code: int
    changed: frozenset[int]  # lines of the list the commit added or modified (numbers in the commit's version)
    annotations: tuple[Annotation, ...]

    @property
    def errors(self) -> list[Annotation]:
        return [a for a in self.annotations if a.level == "error"]

    @property
    def errors_off_the_change(self) -> list[Annotation]:
        """Error annotations on a line the commit did not touch (an error about the whole file has no line)."""
        return [a for a in self.errors if a.line is not None and a.line not in self.changed]

    @property
    def fails_off_the_change(self) -> bool:
        """The check is red, yet no error sits on a line the commit changed."""
        return self.exit_code == 1 and not any(a.line in self.changed for a in self.errors)


@dataclass
class Replay:
    commits: list[Replayed] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {
            "commits": len(self.commits),
            "failing": sum(c.exit_code == 1 for c in self.commits),
            "failing_off_the_change": sum(c.fails_off_the_change for c in self.commits),
            "error_annotations": sum(len(c.errors) for c in self.commits),
            "errors_off_the_change": sum(len(c.errors_off_the_change) for c in self.commits),
            "other_exits": sum(c.exit_code not in (0, 1) for c in self.commits),
        }


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


def clone(bundle: Path, into: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(bundle), str(into)], check=True, capture_output=True)
    return into


def changed_lines(folder: Path, parent: str, commit: str, path: str) -> frozenset[int]:
    """The lines of ``path`` at ``commit`` that the diff against ``parent`` added or modified."""
    lines: set[int] = set()
    for hunk in re.finditer(r"^@@ -\S+ \+(\d+)(?:,(\d+))? @@", git(folder, "diff", "-U0", parent, commit, "--", path),
                            re.MULTILINE):
        start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
        lines.update(range(start, start + count))
    return frozenset(lines)


def annotations(output: str) -> tuple[Annotation, ...]:
    found = []
    for line in output.splitlines():
        match = ANNOTATION.match(line)
        if match:
            properties = dict(part.split("=", 1) for part in (match.group(2) or "").split(",") if "=" in part)
            found.append(Annotation(match.group(1), int(properties["line"]) if "line" in properties else None,
                                    properties.get("title", "")))
    return tuple(found)


#: Runs ``pa-graph audit`` with these arguments in this folder, as the Action runs it in a checkout: (exit code,
#: standard output).
AuditRunner = Callable[[Path, list[str]], tuple[int, str]]


def replay(folder: Path, run_audit: AuditRunner, path: str = "README.md") -> Replay:
    """Each commit of ``folder``'s history that changed ``path`` (merges left out: their change is their commits'),
    checked out and audited against its first parent."""
    result = Replay()
    for line in git(folder, "log", "--reverse", "--no-merges", "--format=%H %P", "HEAD", "--", path).splitlines():
        commit, *parents = line.split()  # %P: the commit's own parents (no parent rewriting without --parents)
        if not parents:
            continue  # the first version: there is no pull request's base to compare with
        git(folder, "checkout", "-q", "--detach", commit)
        code, output = run_audit(folder, [path, "--strict", "--since", parents[0], "--github"])
        result.commits.append(Replayed(commit, code, changed_lines(folder, parents[0], commit, path),
                                       annotations(output)))
    return result
