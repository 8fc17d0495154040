"""The list over time: every commit of the list file, with its works per section and the additions it made.

``history(path, since)`` walks ``git log`` of the file (``--since REF`` keeps the commits after REF) with the blob
of each version, reads every distinct blob once through one ``git cat-file --batch``, parses and resolves each
blob once, and finds each commit's additions and removals by matching works across versions (shared normalised
title, then a shared arXiv id or near-identical titles among the few left over) — 1,000 commits in seconds, not
minutes; a version that cannot be read is recorded as such, not fatal. ``render_html`` draws the
works per section over time and the additions per month as inline SVG — one file, no request to any host.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pa_graph.errors import ListInputError
from pa_graph.lists.diff import commit_of, git
from pa_graph.lists.read import decode_list, parse_list_data, reparse_table_edits
from pa_graph.outputs import write_all
from pa_graph.records import ParsedList, Progress, Work
from pa_graph.resolve import NearDuplicates, resolve_works
from pa_graph.text import normalize_title, single_line

__all__ = ["Version", "history", "render_json", "render_html", "write_history"]


@dataclass(kw_only=True)
class Version:
    commit: str
    date: str  # ISO 8601, committer date
    subject: str
    works: int | None  # None: this version could not be read
    sections: dict[str, int] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problem: str | None = None


def history(path: str | Path, since: str | None = None, progress: Progress | None = None,
            incremental: bool = True) -> list[Version]:
    """Each commit that touched the list, oldest first; ``progress(stage, done, total)`` hears of long walks.
    ``incremental``: read only the table rows a commit changed when that is all it changed (the same result as
    reading every version whole, which ``incremental=False`` does)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    spec = str(path)
    report = progress or (lambda stage, done, total: None)
    revisions = f"{commit_of(since, folder, spec)}..HEAD" if since is not None else "HEAD"
    log = git(["log", "--reverse", "--raw", "--no-abbrev", "--no-renames", "--format=%x00%H%x09%cI%x09%s",
               revisions, "--", path.name], folder, spec)
    commits = [_commit(record) for record in log.split("\0")[1:]]
    blobs = _blobs(folder, spec, {blob for *_, blob in commits if blob})
    versions: list[Version] = []
    previous: list[Work] | None = None
    resolved: dict[str, list[Work] | ListInputError] = {}
    last_read: tuple[str, ParsedList] | None = None  # the text and parse of the last version read
    near_duplicates = NearDuplicates()  # title comparisons, kept from version to version
    for done, (commit, date, subject, blob) in enumerate(commits, 1):
        report("reading the list's history", done, len(commits))
        where = f"{spec}@{commit[:7]}"
        if blob not in resolved:
            try:
                if not blob:
                    raise ListInputError(f"{where}: the file was deleted in this commit")
                parsed, text = _read_version(blobs[blob], path, where, last_read if incremental else None)
                last_read = (text, parsed)
                resolved[blob] = resolve_works(parsed.rows, near_duplicates if incremental else None)
            except ListInputError as err:
                resolved[blob] = err
        works = resolved[blob]
        if isinstance(works, ListInputError):
            versions.append(Version(commit=commit, date=date, subject=subject, works=None, problem=str(works)))
            continue
        sections = Counter(section for work in works for section in {str(row.section) for row in work.rows})
        version = Version(commit=commit, date=date, subject=subject, works=len(works), sections=dict(sorted(sections.items())))
        if previous is None:
            version.added = [work.title for work in works]
        else:
            version.added, version.removed = _added_and_removed(previous, works)
        versions.append(version)
        previous = works
    if not versions:
        raise ListInputError(f"{spec}: no commit of this file" + (f" after {since}" if since else ""))
    return versions


def _commit(record: str) -> tuple[str, str, str, str]:
    """One ``git log --raw`` record: commit, date, subject, and the file's blob after it ("" when deleted)."""
    header, _, raw = record.partition("\n")
    commit, date, subject = (header.split("\t", 2) + ["", ""])[:3]
    blob = ""
    for line in raw.splitlines():
        if line.startswith(":"):
            fields = line.split("\t", 1)[0].split()
            blob = "" if set(fields[3]) == {"0"} else fields[3]
    return commit, date, subject, blob


def _blobs(folder: Path, spec: str, wanted: set[str]) -> dict[str, bytes]:
    """Every wanted blob's bytes, from one ``git cat-file --batch``."""
    if not wanted:
        return {}
    ordered = sorted(wanted)
    out = git(["cat-file", "--batch"], folder, spec, binary=True, stdin="".join(f"{b}\n" for b in ordered).encode())
    found, position = {}, 0
    for blob in ordered:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        if len(header) < 3 or header[1] != b"blob":
            raise ListInputError(f"{spec}: git could not read blob {blob}")
        size = int(header[2])
        found[blob] = out[end + 1:end + 1 + size]
        position = end + 1 + size + 1
    return found


def _read_version(data: bytes, path: Path, where: str,
                  last_read: tuple[str, ParsedList] | None) -> tuple[ParsedList, str]:
    """One version of the list: from the last one read when the commit only edited table rows, else whole."""
    text = decode_list(data, path.name, path, where)
    if last_read is not None:
        rows = reparse_table_edits(last_read[1], last_read[0], text)
        if rows:
            return ParsedList(path=path, name=path.name, sha256="", rows=rows), text
    return parse_list_data(data, path.name, path, where), text


def _keys(work: Work) -> set[str]:
    return {normalize_title(row.title) for row in work.rows}


def _added_and_removed(old: list[Work], new: list[Work]) -> tuple[list[str], list[str]]:
    """The works of ``new`` that match none of ``old`` and the reverse, matched as rows are merged: a shared
    normalised title first (nearly all works), then, among the few left, a shared arXiv id with titles that agree
    or near-identical titles."""
    old_by_key = {key: work for work in old for key in _keys(work)}
    new_by_key = {key: work for work in new for key in _keys(work)}
    added = [work for work in new if not any(key in old_by_key for key in _keys(work))]
    removed = [work for work in old if not any(key in new_by_key for key in _keys(work))]
    if added and removed:
        pairs = _merged_across(removed, added)
        added = [work for work in added if id(work) not in pairs]
        removed = [work for work in removed if id(work) not in pairs]
    return [work.title for work in added], [work.title for work in removed]


def _merged_across(old: list[Work], new: list[Work]) -> set[int]:
    """The ``id()`` of every work of ``old`` or ``new`` that one resolve of their rows together merges with a work
    of the other side (renamed, retitled, relinked)."""
    side = {id(row): id(work) for work in (*old, *new) for row in work.rows}
    olds = {id(work) for work in old}
    matched: set[int] = set()
    for merged in resolve_works(row for work in (*old, *new) for row in work.rows):
        owners = {side[id(row)] for row in merged.rows}
        if owners & olds and owners - olds:
            matched |= owners
    return matched


def render_json(versions: Sequence[Version]) -> str:
    return json.dumps({"versions": [asdict(v) for v in versions]}, ensure_ascii=False, indent=1) + "\n"




def render_html(versions: Sequence[Version], title: str) -> str:
    """The list over its commits as charts made with Vega-Lite (rendered by vl-convert, every script inlined: the
    page asks nothing of any host): the works after each commit, the additions and removals of each commit, and the
    works per section — the first commit's import told apart in words, so the later changes stay visible — with a
    hover on each commit (date, message, additions, removals). A static SVG of the same charts follows for readers
    without scripts, then the table of commits."""
    import vl_convert

    readable = [v for v in versions if v.works is not None]
    first, later = (readable[0], readable[1:]) if readable else (None, [])
    spec = _history_spec(later, title)
    page = vl_convert.vegalite_to_html(spec, bundle=True, renderer="svg")
    still = vl_convert.vegalite_to_svg(spec)
    opening = (f"The first commit ({first.date[:10]}, <code>{first.commit[:7]}</code>) brought {first.works} works; "
               "the charts start after it." if first is not None and first.works is not None else "")
    rows = "".join(f"<tr><td>{html.escape(v.date[:10])}</td><td><code>{v.commit[:7]}</code></td>"
                   f"<td>{html.escape(v.subject)}</td><td>{'' if v.works is None else v.works}</td>"
                   f"<td>{len(v.added)}</td><td>{len(v.removed)}</td><td>{html.escape(v.problem or '')}</td></tr>"
                   for v in versions)
    head = (f"<h1>{html.escape(title)}: history</h1><p>{opening}</p>")
    tail = (f'<noscript><div id="still">{still}</div></noscript>'
            "<h2>Commits</h2><table><tr><th>date</th><th>commit</th><th>message</th><th>works</th><th>added</th>"
            f"<th>removed</th><th>problem</th></tr>{rows}</table>"
            "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:left}</style>")
    chart = page.index('<div id="vega-chart"')
    end = page.rindex("</body>")
    return page[:chart] + head + page[chart:end] + tail + page[end:]


def _shown(text: str) -> str:
    """Text from a commit or a list as chart data: one line, and no ``<`` or ``>`` (the data is written into a
    script of the page by the renderer, where ``</script>`` would end it)."""
    return single_line(text).replace("<", "\uff1c").replace(">", "\uff1e")


def _history_spec(later: Sequence[Version], title: str) -> dict[str, object]:
    commits = [{"date": v.date, "commit": v.commit[:7], "message": _shown(v.subject)[:120], "works": v.works,
                "added": len(v.added), "removed": len(v.removed)} for v in later]
    changes = [{**row, "change": kind, "count": row[kind] if kind == "added" else -int(str(row[kind]))}
               for row in commits for kind in ("added", "removed")]
    top = sorted({s for v in later for s in v.sections}, key=lambda s: -max(v.sections.get(s, 0) for v in later))[:8]
    per_section = [{"date": v.date, "section": _shown(section), "works": v.sections.get(section, 0)}
                   for v in later for section in top]
    hover = [{"field": "date", "type": "temporal", "title": "date", "format": "%Y-%m-%d %H:%M"},
             {"field": "commit", "title": "commit"}, {"field": "message", "title": "message"},
             {"field": "works", "title": "works"}, {"field": "added", "title": "added"},
             {"field": "removed", "title": "removed"}]
    date = {"field": "date", "type": "temporal", "title": "commit date"}
    counts = {"tickMinStep": 1, "format": "d"}  # works are whole numbers
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": _shown(title), "config": {"view": {"continuousWidth": 640, "continuousHeight": 180}},
        # each chart its own colours: shared, the sections would be looked up in the added/removed scale and drawn
        # with no stroke at all (an empty chart)
        "resolve": {"scale": {"color": "independent"}, "legend": {"color": "independent"}},
        "vconcat": [
            {"title": "Works in the list after each commit", "data": {"values": commits},
             "mark": {"type": "line", "point": True},
             "encoding": {"x": date, "y": {"field": "works", "type": "quantitative", "title": "works",
                                            "scale": {"zero": False}, "axis": counts}, "tooltip": hover}},
            {"title": "Added (up) and removed (down) in each commit", "data": {"values": changes},
             "mark": {"type": "bar"},
             "encoding": {"x": date, "y": {"field": "count", "type": "quantitative", "title": "works", "axis": counts},
                          "color": {"field": "change", "type": "nominal", "title": None,
                                    "scale": {"domain": ["added", "removed"], "range": ["#4e79a7", "#e15759"]}},
                          "tooltip": hover}},
            {"title": "Works per section", "data": {"values": per_section}, "mark": {"type": "line"},
             "encoding": {"x": date, "y": {"field": "works", "type": "quantitative", "title": "works",
                                            "axis": counts},
                          "color": {"field": "section", "type": "nominal", "title": "section"},
                          "tooltip": [{"field": "section"}, {"field": "works"},
                                      {"field": "date", "type": "temporal", "format": "%Y-%m-%d"}]}},
        ],
    }


def write_history(versions: Sequence[Version], out_dir: str | Path, list_name: str) -> list[Path]:
    """``history.json`` and ``history.html`` into ``out_dir``, both rendered before either is written."""
    return write_all(Path(out_dir), {"history.json": render_json(versions),
                                     "history.html": render_html(versions, list_name)})
