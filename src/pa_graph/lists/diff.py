"""What changed between two versions of a list: works added, removed, renamed, moved between sections, links
changed, duplicates introduced or removed, growth per section — and, when both versions were built, the change in
the missing-paper suggestions.

Works are matched across versions exactly as rows are merged within a build (:func:`pa_graph.resolve.resolve_works`
over the rows of both versions), so a title with a typo fixed is a rename, not a removal and an addition. A side is
a list file, a URL, or ``git:REF[:PATH]`` read from the current repository with ``git show``.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from pa_graph.errors import GraphInputError, ListInputError
from pa_graph.lists.fetch import ListFetcher
from pa_graph.lists.load import read_any
from pa_graph.lists.read import parse_list_data
from pa_graph.records import ListRow, ParsedList
from pa_graph.resolve import resolve_works, same_title
from pa_graph.text import loads_bounded
from pa_graph.text import markdown_text as cell

__all__ = ["path_in_repository", "Change", "ListDiff", "diff_lists", "read_side", "render_markdown", "render_json",
           "gap_changes", "read_gaps_json", "git", "commit_of",
           "changed_lines", "repository_top"]

_GIT_TIMEOUT = 30


@dataclass(frozen=True)
class Change:
    title: str
    sections: list[str]
    _: KW_ONLY
    old_title: str | None = None
    old_sections: list[str] | None = None
    links: list[str] = field(default_factory=list)
    old_links: list[str] | None = None
    line: int | None = None  # in the new version (the old one for removals)


@dataclass(kw_only=True)
class ListDiff:
    old: str
    new: str
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    renamed: list[Change] = field(default_factory=list)
    moved: list[Change] = field(default_factory=list)
    links_changed: list[Change] = field(default_factory=list)
    duplicates_introduced: list[Change] = field(default_factory=list)
    duplicates_removed: list[Change] = field(default_factory=list)
    sections: dict[str, dict[str, int]] = field(default_factory=dict)  # section → {"old": n, "new": n}
    gaps: dict[str, Any] | None = None

    @property
    def unchanged(self) -> bool:
        return not any((self.added, self.removed, self.renamed, self.moved, self.links_changed,
                        self.duplicates_introduced, self.duplicates_removed))


def read_side(spec: str, other: str | None = None, cwd: str | Path = ".",
              fetcher: ListFetcher | None = None) -> ParsedList:
    """One version of a list: a file, a URL (read through ``fetcher``), or ``git:REF[:PATH]`` (``PATH`` defaults to
    the other side's path)."""
    if not spec.startswith("git:"):
        return read_any(spec, fetcher)
    ref, _, path = spec[4:].partition(":")
    path = path or (other if other and not other.startswith(("git:", "http://", "https://", "github:")) else "")
    if not ref or not path:
        raise ListInputError(f"{spec}: write git:REF:PATH (the path can be left out when the other side is a file)")
    if Path(path).is_absolute():
        top = repository_top(Path(cwd), spec)
        try:
            path = str(Path(path).resolve().relative_to(top))
        except ValueError as err:
            raise ListInputError(f"{spec}: {path} is outside the repository") from err
    elif not path.startswith("./"):
        path = "./" + path  # git reads REF:./PATH relative to the current folder
    data = git(["show", f"{commit_of(ref, cwd, spec)}:{path}"], cwd, spec, binary=True)
    name = Path(path).name
    return replace(parse_list_data(data, name, Path(path), spec), url=spec)


def path_in_repository(path: Path) -> str:
    """``path`` relative to the root of the Git repository holding it (as GitHub annotations name files), or as
    given outside a repository."""
    try:
        top = repository_top(path.parent, str(path))
        return path.resolve().relative_to(top).as_posix()
    except (ListInputError, ValueError, OSError):
        return str(path)


def repository_top(folder: Path, spec: str) -> Path:
    """The root of the Git working tree holding ``folder`` (asked once a folder per process)."""
    return _top_of(folder.resolve(), spec)


@functools.lru_cache(maxsize=64)
def _top_of(folder: Path, spec: str) -> Path:
    return Path(str(git(["rev-parse", "--show-toplevel"], folder, spec)).strip()).resolve()


def commit_of(ref: str, cwd: str | Path, spec: str) -> str:
    """The commit a user's ``ref`` names, as a hash: a ref is never passed to git where it could be an option
    (``--output=…`` would make git write a file), and only a ref that names a commit is accepted."""
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n\r"):
        raise ListInputError(f"{spec}: {ref!r} is not a Git ref")
    try:
        commit = str(git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd, spec)).strip()
    except ListInputError:
        commit = ""
    if not commit:
        raise ListInputError(f"{spec}: {ref!r} names no commit in this repository")
    return commit


def changed_lines(old: bytes, new: Path) -> frozenset[int]:
    """The lines of the file ``new`` that ``git diff`` counts as added or modified against the text ``old``."""
    with tempfile.TemporaryDirectory(prefix="pa-graph-") as folder:
        before = Path(folder) / "before"
        before.write_bytes(old)
        patch = git(["-c", "core.quotePath=false", "diff", "--no-index", "--no-ext-diff", "--no-textconv",
                     "--no-color", "--unified=0", "--", str(before), str(new.resolve())], folder, str(new), ok=(0, 1))
    lines: set[int] = set()
    for hunk in _HUNK.finditer(patch):
        start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
        lines.update(range(start, start + count))
    return frozenset(lines)


_HUNK = re.compile(r"^@@ -\S+ \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def git(arguments: list[str], cwd: str | Path, spec: str, binary: bool = False, stdin: bytes | None = None,
        ok: tuple[int, ...] = (0,)) -> Any:
    """Run git in ``cwd`` (bounded); a failure (an exit code not in ``ok``) is a :class:`ListInputError` naming
    ``spec`` and git's message."""
    try:
        done = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, timeout=_GIT_TIMEOUT, check=False,
                              input=stdin)
    except FileNotFoundError as err:
        raise ListInputError(f"{spec}: git is not installed") from err
    except subprocess.TimeoutExpired as err:
        raise ListInputError(f"{spec}: git did not answer within {_GIT_TIMEOUT} s") from err
    if done.returncode not in ok:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ListInputError(f"{spec}: {message[-1] if message else 'git failed'}")
    return done.stdout if binary else done.stdout.decode("utf-8", "replace")


def _sections(rows: Sequence[ListRow]) -> list[str]:
    return sorted({str(row.section) for row in rows})


def _links(rows: Sequence[ListRow]) -> list[str]:
    return sorted({link for row in rows for link in row.links})


def diff_lists(old: Sequence[ParsedList], new: Sequence[ParsedList], old_name: str = "old",
               new_name: str = "new") -> ListDiff:
    """Compare two versions (each one or more lists); see the module docstring."""
    tagged: dict[int, str] = {}
    rows: list[ListRow] = []
    for side, lists in (("old", old), ("new", new)):
        for parsed in lists:
            for row in parsed.rows:
                tagged[id(row)] = side
                rows.append(row)
    result = ListDiff(old=old_name, new=new_name)
    for work in resolve_works(rows):
        before = [row for row in work.rows if tagged[id(row)] == "old"]
        after = [row for row in work.rows if tagged[id(row)] == "new"]
        if not before:
            result.added.append(Change(after[0].title, _sections(after), links=_links(after), line=after[0].source.line))
            continue
        if not after:
            result.removed.append(Change(before[0].title, _sections(before), links=_links(before),
                                         line=before[0].source.line))
            continue
        change = Change(after[0].title, _sections(after), old_title=before[0].title, old_sections=_sections(before),
                        links=_links(after), old_links=_links(before), line=after[0].source.line)
        if before[0].title != after[0].title:
            result.renamed.append(change)
        if change.sections != change.old_sections:
            result.moved.append(change)
        if change.links != change.old_links:
            result.links_changed.append(change)
        if len(after) > 1 >= len(before):
            result.duplicates_introduced.append(change)
        elif len(before) > 1 >= len(after):
            result.duplicates_removed.append(change)
    counts = {side: Counter(section for work in resolve_works(r for p in lists for r in p.rows)
                            for section in {str(row.section) for row in work.rows})
              for side, lists in (("old", old), ("new", new))}
    result.sections = {section: {"old": counts["old"][section], "new": counts["new"][section]}
                       for section in sorted(set(counts["old"]) | set(counts["new"]))}
    return result


MAX_GAPS_JSON_BYTES = 50_000_000


def read_gaps_json(path: str | Path) -> dict[str, Any]:
    """A build's ``gaps.json``, bounded (size, nesting) and checked to be an object; :class:`GraphInputError`
    names the file otherwise."""
    path = Path(path)
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_GAPS_JSON_BYTES + 1)
        if len(data) > MAX_GAPS_JSON_BYTES:
            raise GraphInputError(f"{path}: larger than {MAX_GAPS_JSON_BYTES:,} bytes; not a gaps.json")
        document = loads_bounded(data)
    except OSError as err:
        raise GraphInputError(f"{path}: cannot be read ({err.strerror or err})") from err
    except ValueError as err:  # malformed, too deep, not UTF-8
        raise GraphInputError(f"{path}: not a readable JSON file ({err})") from err
    if not isinstance(document, dict):
        raise GraphInputError(f"{path}: not a gaps.json (expected an object)")
    return document


def gap_changes(old_gaps: dict[str, Any], new_gaps: dict[str, Any], diff: ListDiff) -> dict[str, Any]:
    """From the ``gaps.json`` of each side's build: suggestions the new version resolved by adding them, and
    suggestions that are new (a suggestion without a title is skipped)."""
    def suggestions(document: dict[str, Any]) -> list[dict[str, Any]]:
        items = document.get("missing_papers")
        return [item for item in items if isinstance(item, dict) and isinstance(item.get("title"), str)] \
            if isinstance(items, list) else []

    old, new = suggestions(old_gaps), suggestions(new_gaps)
    added = [change.title for change in diff.added]
    resolved = [item["title"] for item in old if any(same_title(item["title"], title) for title in added)]
    before = {item.get("node") for item in old if isinstance(item.get("node"), str)}
    return {"resolved_by_additions": resolved,
            "new_suggestions": [item["title"] for item in new if item.get("node") not in before]}


def render_json(diff: ListDiff) -> str:
    return json.dumps(asdict(diff), ensure_ascii=False, indent=1) + "\n"


def render_markdown(diff: ListDiff, shown: int = 50) -> str:
    """A pull-request comment: counts first, then each kind of change."""
    total_old = sum(v["old"] for v in diff.sections.values())
    lines = [f"### What this changes in the list ({cell(diff.old)} → {cell(diff.new)})", ""]
    if diff.unchanged:
        lines += ["No paper added, removed, renamed, moved or relinked.", ""]
    counts = [f"{len(diff.added)} added", f"{len(diff.removed)} removed", f"{len(diff.renamed)} renamed",
              f"{len(diff.moved)} moved", f"{len(diff.links_changed)} with changed links"]
    lines += [", ".join(counts) + ".", ""]

    def block(title: str, changes: list[Change], describe: Callable[[Change], str]) -> None:
        if not changes:
            return
        lines.extend([f"**{title} ({len(changes)})**", ""])
        lines.extend(f"- {describe(change)}" for change in changes[:shown])
        if len(changes) > shown:
            lines.append(f"- … and {len(changes) - shown} more")
        lines.append("")

    def where(c: Change) -> str:
        return f" ({cell(', '.join(c.sections))})" if c.sections else ""

    block("Added", diff.added, lambda c: f"{cell(c.title)}{where(c)}")
    block("Removed", diff.removed, lambda c: f"{cell(c.title)}{where(c)}")
    block("Renamed", diff.renamed, lambda c: f"{cell(c.old_title)} → {cell(c.title)}")
    block("Moved", diff.moved, lambda c: f"{cell(c.title)}: {cell(', '.join(c.old_sections or []))} → "
                                         f"{cell(', '.join(c.sections))}")
    block("Links changed", diff.links_changed, lambda c: f"{cell(c.title)}: {cell(' '.join(c.old_links or []))} → "
                                                         f"{cell(' '.join(c.links))}")
    block("Listed more than once now", diff.duplicates_introduced, lambda c: cell(c.title))
    block("No longer listed twice", diff.duplicates_removed, lambda c: cell(c.title))
    grown = {s: v for s, v in diff.sections.items() if v["old"] != v["new"]}
    if grown:
        lines += ["| section | before | after |", "|---|---|---|"]
        lines += [f"| {cell(s)} | {v['old']} | {v['new']} |" for s, v in grown.items()]
        lines.append("")
    total_new = sum(v["new"] for v in diff.sections.values())
    lines += [f"Works by section, counted in each section they are listed in: {total_old} → {total_new}.", ""]
    if diff.gaps is not None:
        lines += [f"Missing-paper suggestions resolved by the additions: {len(diff.gaps['resolved_by_additions'])}"
                  + "".join(f"\n- {cell(title)}" for title in diff.gaps["resolved_by_additions"]),
                  "", f"New suggestions: {len(diff.gaps['new_suggestions'])}"
                  + "".join(f"\n- {cell(title)}" for title in diff.gaps["new_suggestions"][:10]), ""]
    return "\n".join(lines)
