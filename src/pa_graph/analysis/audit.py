"""Audit stage: what a list maintainer should fix, each finding naming file and line.

Offline checks: arXiv ids shared by different works, arXiv ids whose year-month contradicts the listed date, rows
repeated across sections, malformed rows, and repaired mojibake. With Semantic Scholar data (from a build, or the
cache): links verified wrong — with the right id — and missing links, and works S2 cannot resolve. Findings carry a
stable ``id`` built from content, never from a line number, so a list's CI can accept known ones in an allow file and
:func:`pa_graph.lists.write.fix_links` writes a list back with only its wrong links corrected.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rapidfuzz import fuzz

from pa_graph.errors import AllowFileError
from pa_graph.records import (
    Enrichment,
    Finding,
    FindingLevel,
    Instance,
    LinkCheck,
    ListRow,
    ParsedList,
    Repair,
    SourceRef,
    VenueUpdate,
    Work,
    content_id,
    line_content,
)
from pa_graph.sources.registry import labels
from pa_graph.text import (
    arxiv_base_id,
    arxiv_year_month,
    counted,
    impossible_arxiv_id,
    label_key,
    markdown_text,
    parse_venue,
)

if TYPE_CHECKING:  # for annotations only: the module does not need it at run time
    import networkx as nx

__all__ = [
    "AuditReport",
    "audit",
    "render_text",
    "github_annotations",
    "github_summary",
    "flags_by_work",
    "findings_of_json",
    "read_allow_file",
    "allow_list",
    "no_allow_file",
    "AllowList",
    "Baseline",
    "Judged",
    "Standing",
    "Verdict",
    "judge",
    "verdict_line",
    "render_markdown",
    "render_json",
    "date_conflict",
]

#: A listed year may follow the arXiv submission by this many years (conference after preprint), never precede it.
MAX_YEARS_AFTER_PREPRINT = 1


@dataclass(frozen=True)
class AuditReport:
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]
    link_checks: tuple[LinkCheck, ...] = ()
    venue_updates: tuple[VenueUpdate, ...] = ()

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for finding in self.findings:
            counts[finding.kind] += 1
        return dict(sorted(counts.items()))


def audit(lists: Sequence[ParsedList], works: Sequence[Work], enrichment: Enrichment | None = None,
          today: tuple[int, int] | None = None) -> AuditReport:
    """All findings for the parsed lists and the works resolved from them, verified ones when S2 data is given.
    ``today`` (year, month; default the current month in UTC) bounds the arXiv ids that can exist."""
    now = datetime.now(timezone.utc)
    findings = [
        *(Finding("no-papers", f"no-papers:{parsed.name}", note.message, instances=()) for parsed in lists
          for note in parsed.notes if note.kind == "no-papers"),
        *_impossible_arxiv_ids(works, today or (now.year, now.month)),
        *_shared_arxiv_ids(works),
        *_date_conflicts(works),
        *_repeated_rows(works),
        *(finding for parsed in lists for finding in parsed.malformed),
        *_mojibake([repair for parsed in lists for repair in parsed.repairs]),
    ]
    notes = [str(note) for parsed in lists for note in parsed.notes]
    notes += [f"{parsed.name}: skipped {counted(len(parsed.skipped), 'list item')} that are not papers "
              f"({', '.join(f'{n} {kind}' for kind, n in parsed.skipped_counts().items())})"
              for parsed in lists if parsed.skipped]
    checks: tuple[LinkCheck, ...] = ()
    if enrichment is not None:
        checks = tuple(enrichment.link_checks)
        broken = {source for finding in findings if finding.kind == "broken-markdown" for source in finding.sources}
        # a row whose Markdown is broken is told so once: its link is not judged until the Markdown is mended
        by_key = {work.key: work for work in works}
        findings += [_link_finding(check, by_key[check.work_key].rows) for check in checks
                     if not broken & set(check.sources)]
        findings += [
            Finding("s2-unresolved", f"s2-unresolved:{key}", f"{by_key[key].rows[0].source}: "
                    f"{by_key[key].title!r}: {reason}", instances=tuple(row.instance for row in by_key[key].rows))
            for key, reason in enrichment.unresolved.items()
        ]
        findings += [  # about a listed work (on its rows), or about a work the list's works cite (no row)
            Finding("source-disagreement", f"source-disagreement:{d.kind}:{d.work_key}",
                    f"{by_key[d.work_key].rows[0].source}: {d.message}" if d.work_key in by_key else d.message,
                    instances=tuple(row.instance for row in by_key[d.work_key].rows) if d.work_key in by_key else ())
            for d in enrichment.disagreements
        ]
        updates = tuple(update for update in _venue_updates(works, enrichment) if not broken & set(update.sources))
        rows_of = {work.key: work.rows for work in works}
        findings += [Finding("venue-update", f"venue-update:{update.work_key}",
                             f"{update.sources[0]}: {update.title!r} is published: {update.venue}"
                             + (f" {update.year}" if update.year else "") + f" ({update.by}); the list gives it as a "
                             "preprint", instances=_instances(rows_of[update.work_key], update.sources), level="notice")
                     for update in updates]
        if enrichment.not_cached:
            asked = labels(enrichment.source)
            # the same words offline and when the source could not be reached: the committed audit does not
            # change with the network (build.json says which it was)
            notes.append(f"{counted(len(enrichment.not_cached), 'work')} not verified: {asked} gave no answer for "
                         "them and the cache holds none")
    return AuditReport(tuple(findings), tuple(notes), checks, updates if enrichment is not None else ())


def _venue_updates(works: Sequence[Work], enrichment: Enrichment) -> Iterable[VenueUpdate]:
    """Works every row of which gives no venue (arXiv, or blank) that the source knows as published."""
    by = labels(enrichment.source)
    for work in works:
        record = enrichment.resolved.get(work.key)
        venue = parse_venue(record.venue) if record and record.venue else None
        if venue is None or label_key(venue).startswith(("arxiv", "corr")) or any(row.venue for row in work.rows):
            continue
        yield VenueUpdate(work.key, work.title, venue, year=record.year if record else None,
                          sources=tuple(row.source for row in work.rows), by=by)


def _instances(rows: Iterable[ListRow], sources: Iterable[SourceRef]) -> tuple[Instance, ...]:
    """The instances of the rows at these places."""
    at = {row.source: row.instance for row in rows}
    return tuple(at[source] for source in sources if source in at)


def _link_finding(check: LinkCheck, rows: Sequence[ListRow]) -> Finding:
    where = check.sources[0]
    instances = _instances(rows, check.sources)
    if check.status == "missing":
        return Finding("missing-arxiv-link", f"missing-arxiv-link:{check.work_key}",
                       f"{where}: {check.title!r} has no arXiv link; {check.by} gives arXiv {check.correct_id}",
                       instances=instances)
    target = f"is {check.points_to!r}" if check.points_to else "is unknown"
    fix = f"the right id is {check.correct_id}" if check.correct_id else \
        check.fix or f"{check.by} gives no arXiv id for this work"
    return Finding("wrong-arxiv-link", f"wrong-arxiv-link:{check.listed_id}:{check.work_key}",
                   f"{where}: {check.title!r}: listed arXiv {check.listed_id} {target} on {check.by}; {fix}",
                   instances=instances)


def _impossible_arxiv_ids(works: Sequence[Work], today: tuple[int, int]) -> Iterable[Finding]:
    """arXiv links whose id no paper can have — known without asking any source."""
    for work in works:
        for row in work.rows:
            for link in row.links:
                if (found := impossible_arxiv_id(link, today)) is not None:
                    written, why = found
                    yield Finding("malformed-arxiv-id", f"malformed-arxiv-id:{written}:{work.key}",
                                  f"{row.source}: {row.title!r} links arXiv {written}, which cannot exist: {why}",
                                  instances=(row.instance,))


def _shared_arxiv_ids(works: Sequence[Work]) -> Iterable[Finding]:
    owners: dict[str, list[Work]] = defaultdict(list)
    for work in works:
        for base in dict.fromkeys(arxiv_base_id(arxiv_id) for arxiv_id in work.listed_arxiv_ids):
            owners[base].append(work)
    for base, sharing in owners.items():
        if len(sharing) < 2:
            continue
        rows = [row for work in sharing for row in work.rows if row.arxiv_id and arxiv_base_id(row.arxiv_id) == base]
        named = "; ".join(f"{row.title!r} ({row.source})" for row in rows)
        yield Finding(
            "shared-arxiv-id",
            f"shared-arxiv-id:{base}",
            f"arXiv {base} is linked from {len(sharing)} different works: {named}",
            instances=tuple(row.instance for row in rows),
        )


def date_conflict(arxiv_id: str, year: int | None, month: int | None) -> str | None:
    """Why a listed date cannot belong to this arXiv id, or ``None`` when it can.

    >>> date_conflict("1912.00180v1", 2024, None)
    'arXiv 1912.00180v1 was submitted 2019-12, 5 years before the listed 2024'
    >>> date_conflict("2310.09520v4", 2024, None) is None
    True
    >>> date_conflict("2406.01171", 2024, 1)
    'arXiv 2406.01171 was submitted 2024-06, after the listed 2024-01'
    """
    submitted = arxiv_year_month(arxiv_id)
    if submitted is None or year is None:
        return None
    arxiv_year, arxiv_month = submitted
    stamp = f"{arxiv_year}-{arxiv_month:02d}"
    if month is not None and (year, month) < submitted:
        return f"arXiv {arxiv_id} was submitted {stamp}, after the listed {year}-{month:02d}"
    if year < arxiv_year:
        return f"arXiv {arxiv_id} was submitted {stamp}, after the listed year {year}"
    if year > arxiv_year + MAX_YEARS_AFTER_PREPRINT:
        return f"arXiv {arxiv_id} was submitted {stamp}, {year - arxiv_year} years before the listed {year}"
    return None


def _date_conflicts(works: Sequence[Work]) -> Iterable[Finding]:
    for work in works:
        by_reason: dict[str, list[Any]] = defaultdict(list)
        for row in work.rows:
            if row.arxiv_id:
                reason = date_conflict(row.arxiv_id, row.year, row.month)
                if reason:
                    by_reason[reason].append(row)
        for reason, rows in by_reason.items():
            yield Finding(
                "arxiv-date-conflict",
                f"arxiv-date-conflict:{arxiv_base_id(rows[0].arxiv_id)}:{work.key}",
                f"{rows[0].source}: {rows[0].title!r}: {reason} (the link likely points to another paper)",
                instances=tuple(row.instance for row in rows),
            )


def _repeated_rows(works: Sequence[Work]) -> Iterable[Finding]:
    for work in works:
        if len(work.rows) < 2:
            continue
        places = "; ".join(
            f"{row.source} ({row.section}{'' if row.title == work.title else f', as {row.title!r}'})"
            for row in work.rows
        )
        sections = [row.section for row in work.rows]
        cross_listed = len(set(sections)) == len(sections)  # once in each of several sections: on purpose
        yield Finding(
            "repeated-row",
            f"repeated-row:{work.key}",
            f"{work.title!r} is listed {len(work.rows)} times"
            + (" (cross-listed, once a section)" if cross_listed else "") + f": {places}",
            instances=tuple(row.instance for row in work.rows),
            level="notice" if cross_listed else "error",
        )


def _mojibake(repairs: Sequence[Repair]) -> Iterable[Finding]:
    """One finding for each damaged word, with every line it is on as an instance: identified by the damaged
    words — what stays when the row around them is re-dated, given a link or rewritten as a bullet."""
    lines: dict[str, list[tuple[Repair, list[str]]]] = defaultdict(list)
    for repair in repairs:
        changes, damaged = [], []
        matcher = difflib.SequenceMatcher(None, repair.before, repair.after, autojunk=False)
        for operation, start, end, new_start, new_end in matcher.get_opcodes():
            if operation != "equal":
                changes.append(f"{repair.before[start:end]!r} → {repair.after[new_start:new_end]!r}")
                damaged.append(_words_around(repair.after, new_start, new_end))
        words = " ".join(re.sub(r"\]\([^)]*\)?|[\[\]*_`|]", " ", " ".join(damaged)).split())
        lines[words].append((repair, changes))
    for words, found in lines.items():
        message = "; ".join(f"{repair.source}: {', '.join(changes)}" for repair, changes in found)
        yield Finding("mojibake", content_id("mojibake", words),
                      f"repaired mojibake (UTF-8 read as Mac Roman): {message}",
                      instances=tuple(Instance(repair.source, line_content(words)) for repair, _ in found))


def _words_around(text: str, start: int, end: int) -> str:
    """The word holding ``text[start:end]`` and the word after it.

    >>> _words_around("| Don’t throw away your value | 2024 |", 5, 6)
    'Don’t throw'
    """
    before = text[:start].split()
    after = text[end:].split()
    head = before[-1] if before and not text[start - 1:start].isspace() else ""
    tail = after[:2] if after and not text[end:end + 1].isspace() else ["", *after[:1]]
    return " ".join(part for part in (head + text[start:end] + tail[0], *tail[1:]) if part)


MAX_ALLOW_FILE_BYTES = 1_000_000
#: An id of the form pa-graph wrote before ids were built from content: ``malformed-row:README.md:80``.
_LINE_NUMBER_ID = re.compile(r"(malformed-row|mojibake):(.+):(\d+)")


@dataclass(frozen=True)
class AllowList:
    """What a list's allow file accepts: finding ids or glob patterns; ``places`` are ids of the old form with a line
    number, still honoured for the finding on that line; ``notes`` say what a maintainer should know about the file."""

    patterns: tuple[str, ...] = ()
    places: tuple[SourceRef, ...] = ()
    notes: tuple[str, ...] = ()

    def accepts(self, finding: Finding) -> bool:
        return (any(fnmatch.fnmatchcase(finding.id, pattern) for pattern in self.patterns)
                or any(source in self.places for source in finding.sources))


def read_allow_file(path: str | Path) -> AllowList:
    """Accepted finding ids or glob patterns, one a line; ``#`` starts a comment. At most 1 MB is read. A missing
    file accepts nothing (a repository's first pull request has none yet); an unreadable one is an error."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_ALLOW_FILE_BYTES + 1)
    except FileNotFoundError:
        return no_allow_file(str(path))
    except OSError as err:
        raise AllowFileError(f"{path}: cannot read the allow file ({err})") from err
    return allow_list(data, str(path))


def no_allow_file(shown: str) -> AllowList:
    return AllowList(notes=(f"{shown}: no allow file yet, so no finding is accepted (list accepted ids there, one a "
                            "line)",))


def allow_list(data: bytes, path: str) -> AllowList:
    """The allow file's bytes read (``path`` names it in messages)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise AllowFileError(f"{path}: cannot read the allow file ({err})") from err
    if len(data) > MAX_ALLOW_FILE_BYTES:
        raise AllowFileError(f"{path}: the allow file is larger than {MAX_ALLOW_FILE_BYTES:,} bytes")
    patterns, places, old = [], [], []
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.split("#", 1)[0].strip()
        if (found := _LINE_NUMBER_ID.fullmatch(entry)) is not None:
            places.append(SourceRef(found.group(2), int(found.group(3))))
            old.append(f"{number}")
        elif entry:
            patterns.append(entry)
    notes = () if not old else (
        f"{path}: {counted(len(old), 'id')} with a line number (line {', '.join(old[:5])}"
        f"{', …' if len(old) > 5 else ''}): each still accepts the finding on that line, but ids are now built from "
        "the row's content and stay the same when lines move: write the id that audit.json or `pa-graph audit` "
        "gives, such as malformed-row:first-words-1a2b3c",)
    return AllowList(tuple(patterns), tuple(places), notes)


@dataclass(frozen=True)
class Baseline:
    """What a change is compared with (a pull request's base, ``--since REF``): the errors the lists had at ``ref``,
    each as the multiset of its instances' contents, and the lines of each list the change added or modified
    (``None``: the whole list is new)."""

    ref: str
    errors: Mapping[str, Counter[str]]
    changed: Mapping[str, frozenset[int] | None]

    @classmethod
    def of(cls, ref: str, earlier: AuditReport, changed: Mapping[str, frozenset[int] | None]) -> Baseline:
        errors: dict[str, Counter[str]] = {}
        for finding in earlier.findings:
            if finding.level == "error":
                errors.setdefault(finding.id, Counter()).update(instance.content for instance in finding.instances)
        return cls(ref, errors, changed)

    def touched(self, instance: Instance) -> int | None:
        """The first line of this instance the change added or modified, or ``None``."""
        changed = self.changed.get(instance.source.file, frozenset())
        if changed is None:
            return instance.source.line
        return next((line for line in instance.lines if line in changed), None)


#: How a check stands on a finding: ``error`` fails it; ``accepted`` by the allow file; ``already`` at the base
#: (``--since``); ``untouched``: new, but only on lines the change did not touch; ``notice``: never fails.
Standing = Literal["error", "accepted", "already", "untouched", "notice"]


@dataclass(frozen=True)
class Judged:
    """A finding and how the check stands on it; ``where`` is where its annotation goes (for an error found with a
    baseline, the lines the change added or modified that carry its new instances)."""

    finding: Finding
    standing: Standing
    where: tuple[SourceRef, ...]


@dataclass(frozen=True)
class Verdict:
    """A check's verdict on an audit: every finding judged, in the report's order."""

    judged: tuple[Judged, ...]
    since: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def failures(self) -> list[Judged]:
        return [judged for judged in self.judged if judged.standing == "error"]

    def counts(self) -> dict[Standing, int]:
        return dict(Counter(judged.standing for judged in self.judged))


def judge(report: AuditReport, allow: AllowList | None = None, baseline: Baseline | None = None) -> Verdict:
    """How a check stands on each finding. Without a baseline every error the allow file does not accept fails.
    With one, findings are compared instance by instance: an error whose instances all existed at the base is
    ``already``; a new instance (a fourth copy of a row, another work on a shared arXiv id) fails on the line the
    change gave it; a new one on lines the change did not touch (a heading renamed) is ``untouched``.

    >>> row = lambda line, text: Instance(SourceRef("a.md", line), text)
    >>> base = AuditReport((Finding("repeated-row", "repeated-row:x", "", instances=(row(3, "x"), row(9, "x"))),), ())
    >>> head = AuditReport((Finding("repeated-row", "repeated-row:x", "", instances=(row(3, "x"), row(5, "x"),
    ...                                                                   row(10, "x"))),), ())
    >>> verdict = judge(head, baseline=Baseline.of("main", base, {"a.md": frozenset({5})}))
    >>> [(j.standing, [s.line for s in j.where]) for j in verdict.judged]
    [('error', [5])]
    """
    allow = allow or AllowList()
    new = _new_instances(report, baseline) if baseline is not None else {}
    judged = []
    for position, finding in enumerate(report.findings):
        where = finding.sources[:1]
        if finding.level == "notice":
            judged.append(Judged(finding, "notice", where))
        elif allow.accepts(finding):
            judged.append(Judged(finding, "accepted", where))
        elif baseline is None:
            judged.append(Judged(finding, "error", where))
        elif not finding.instances:  # about a whole file: new or not
            judged.append(Judged(finding, "already" if finding.id in baseline.errors else "error", ()))
        elif not new[position]:
            judged.append(Judged(finding, "already", where))
        else:
            lines = sorted({SourceRef(instance.source.file, line) for instance in new[position]
                            if (line := baseline.touched(instance)) is not None})
            judged.append(Judged(finding, "error", tuple(lines)) if lines else Judged(finding, "untouched", where))
    return Verdict(tuple(judged), baseline.ref if baseline else None, allow.notes)


def _new_instances(report: AuditReport, baseline: Baseline) -> dict[int, list[Instance]]:
    """Finding (by position) → its instances the base did not have. The instances of every finding with one id
    are matched together against the base's (two lines with the same damage are one id), and the rows the change
    did not touch match first, so a new copy is one the change wrote."""
    new: dict[int, list[Instance]] = {position: [] for position in range(len(report.findings))}
    by_id: dict[str, list[tuple[int, Instance]]] = defaultdict(list)
    for position, finding in enumerate(report.findings):
        if finding.level == "error":
            by_id[finding.id] += [(position, instance) for instance in finding.instances]
    left = {finding_id: Counter(contents) for finding_id, contents in baseline.errors.items()}
    unmatched: list[tuple[str, int, Instance]] = []
    for finding_id, instances in by_id.items():
        remaining = left.setdefault(finding_id, Counter())
        for position, instance in sorted(instances, key=lambda pair: baseline.touched(pair[1]) is not None):
            if remaining[instance.content] > 0:
                remaining[instance.content] -= 1
            else:
                unmatched.append((finding_id, position, instance))
    # a row edited in place — a typo in its title fixed, a cell re-dated — is the same row: a content near one the
    # base had for a finding of this kind (its id may have changed with the title) is matched to it
    for finding_id, position, instance in unmatched:
        kind = finding_id.split(":", 1)[0]
        near = next(((other, content) for other in sorted(left, key=lambda other: other != finding_id)
                     if other.split(":", 1)[0] == kind for content, count in left[other].items()
                     if count > 0 and fuzz.ratio(content, instance.content) >= _SAME_ROW_EDITED), None)
        if near is None:
            new[position].append(instance)
        else:
            left[near[0]][near[1]] -= 1
    return new


#: How alike (rapidfuzz ratio, 0-100) a row's content and a base row's must be to be the same row edited in place.
_SAME_ROW_EDITED = 90


_TITLES = {
    "wrong-arxiv-link": "arXiv links that point to another paper (verified with the sources)",
    "missing-arxiv-link": "Works without an arXiv link that a source knows on arXiv",
    "s2-unresolved": "Works the sources could not resolve",
    "shared-arxiv-id": "arXiv links shared by different works",
    "arxiv-date-conflict": "arXiv links whose date contradicts the listed date",
    "repeated-row": "Rows listed more than once",
    "broken-markdown": "Broken Markdown (a link never closed or without a target, a row with the wrong number of cells)",
    "malformed-row": "Malformed rows",
    "venue-update": "Preprints a source knows as published (audit --fix writes the venue)",
    "mojibake": "Repaired mojibake",
}


def render_markdown(report: AuditReport, paths: Mapping[str, str] | None = None) -> str:
    """The audit as a Markdown page (``audit.md``); ``paths`` (list name → its path in the repository) names each
    place as a repository's CI names it."""
    def place(source: SourceRef) -> str:
        return markdown_text(f"{(paths or {}).get(source.file, source.file)}:{source.line}")

    lines = ["# Audit of the curated lists", ""]
    counts = report.counts()
    kinds = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "none"
    lines.append(f"{counted(len(report.findings), 'finding')}: {kinds}.")
    lines.append("")
    lines.append("Each finding has an id; list accepted ids (or glob patterns) in a file for `pa-graph audit --allow FILE`.")
    wrong = [check for check in report.link_checks if check.status == "wrong"]
    if wrong:
        lines += ["", f"## Wrong links and their fixes ({len(wrong)})", "",
                  "`pa-graph audit --fix` rewrites these links in the list and changes nothing else.", "",
                  "| where | title | listed arXiv | is, at the source | fix |", "|---|---|---|---|---|"]
        for check in wrong:
            where = ", ".join(place(source) for source in check.sources)
            points_to = markdown_text(check.points_to or "(unknown id)")
            lines.append(f"| {where} | {markdown_text(check.title)} | {check.listed_id} | {points_to} "
                         f"| {check.correct_id or '(no arXiv id known)'} |")
    for kind, title in _TITLES.items():
        chosen = [finding for finding in report.findings if finding.kind == kind]
        if not chosen:
            continue
        lines += ["", f"## {title} ({len(chosen)})", "", "| where | finding | id |", "|---|---|---|"]
        for finding in chosen:
            where = ", ".join(place(source) for source in finding.sources)
            lines.append(f"| {where} | {markdown_text(finding.message)} | `{finding.id}` |")
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {markdown_text(note)}" for note in report.notes]
    verified_by = sorted({check.by for check in report.link_checks})
    if verified_by:
        lines += ["", f"Link verification data: {', '.join(verified_by)}."]
    return "\n".join(lines) + "\n"


def _standing_words(judged: Judged, since: str | None) -> str:
    return {"error": "", "accepted": " (accepted by the allow file)", "already": f" (already at {since})",
            "untouched": " (notice: new, but only on lines this change did not touch)",
            "notice": " (notice)"}[judged.standing]


def verdict_line(report: AuditReport, verdict: Verdict) -> str:
    """``12 findings: 1 error, 2 accepted by the allow file, 8 already at main, 1 notice``."""
    counts = verdict.counts()
    parts = [counted(counts.get("error", 0), "error")]
    if counts.get("accepted"):
        parts.append(f"{counts['accepted']:,} accepted by the allow file")
    if counts.get("already"):
        parts.append(f"{counts['already']:,} already at {verdict.since}")
    notices = counts.get("notice", 0) + counts.get("untouched", 0)
    if notices:
        parts.append(counted(notices, "notice"))
    return f"{counted(len(report.findings), 'finding')}: {', '.join(parts)}"


def render_text(report: AuditReport, verdict: Verdict) -> str:
    """What ``pa-graph audit`` prints: each finding with how the check stands on it, the notes, the counts."""
    lines = [f"{j.finding.kind}: {j.finding.message} [{j.finding.id}]{_standing_words(j, verdict.since)}"
             for j in verdict.judged]
    lines += [f"note: {note}" for note in (*report.notes, *verdict.notes)]
    lines.append(verdict_line(report, verdict))
    return "".join(line + "\n" for line in lines)


def render_json(report: AuditReport) -> str:
    """The audit as JSON (``audit.json``): counts, findings with their sources and instances, notes."""
    def finding(item: Finding) -> dict[str, Any]:
        return {"kind": item.kind, "id": item.id, "message": item.message, "level": item.level,
                "sources": [asdict(source) for source in item.sources],
                "instances": [{"file": i.source.file, "line": i.source.line, "content": i.content}
                              for i in item.instances]}

    return json.dumps(
        {"counts": report.counts(), "findings": [finding(item) for item in report.findings],
         "link_fixes": [asdict(check) for check in report.link_checks if check.status == "wrong" and check.correct_id],
         "notes": list(report.notes)},
        ensure_ascii=False,
        indent=2,
    ) + "\n"


def _workflow_escape(text: str, property_value: bool = False) -> str:
    """GitHub workflow-command escaping (``%``, CR, LF; in properties also ``:`` and ``,``)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace("##[", "##\u200b[")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def github_annotations(verdict: Verdict, paths: Mapping[str, str]) -> list[str]:
    """One workflow command per finding, on the list line it names (``paths``: list name → its path in the
    repository): ``::error`` where the check fails — with a baseline, on each line the change added or modified that
    carries the finding's new instances — and ``::notice`` for the rest. A finding about a whole file has no line."""
    lines = []
    for judged in verdict.judged:
        level = "error" if judged.standing == "error" else "notice"
        finding = judged.finding
        words = _standing_words(judged, verdict.since)
        places: list[SourceRef | None] = [source for source in judged.where if source.file in paths] or [None]
        for source in places:
            where = f" file={_workflow_escape(paths[source.file], True)},line={source.line}," if source else " "
            lines.append(f"::{level}{where}title={_workflow_escape(finding.kind, True)}::"
                         f"{_workflow_escape(finding.message + words)} [{_workflow_escape(finding.id)}]")
    return lines


def github_summary(report: AuditReport, verdict: Verdict, shown: int = 10) -> str:
    """The job summary: counts by kind, then the first findings that fail the check."""
    lines = ["## pa-graph audit", "", markdown_text(verdict_line(report, verdict)) + ".", "",
             "| kind | findings |", "|---|---|"]
    lines += [f"| {kind} | {count} |" for kind, count in report.counts().items()]
    failures = verdict.failures
    if failures:
        lines += ["", f"Failing the check ({len(failures)}):", ""]
        lines += [f"- `{j.finding.id}`: {markdown_text(j.finding.message)}" for j in failures[:shown]]
        if len(failures) > shown:
            lines.append(f"- … and {len(failures) - shown} more (see the annotations)")
    return "\n".join(lines) + "\n"


#: Findings the view shows from the link checks themselves (``link_checks`` on the work), not as audit flags.
_SHOWN_AS_LINK_CHECKS = {"wrong-arxiv-link", "missing-arxiv-link", "s2-unresolved"}


#: A finding about more rows than this is told on each work's flag in a short form (its message names them all).
_NAMED_IN_A_FLAG = 4


def flags_by_work(model: nx.MultiDiGraph[str], findings: Iterable[Finding]) -> dict[str, list[str]]:
    """Each error as a short flag on the listed works whose rows it names (matched by file and line), for the
    view's tooltips: node → flags (notices, such as a venue update, are not problems of the work). The model is
    only read."""
    node_of_line = {(source["file"], source["line"]): node for node, data in model.nodes(data=True)
                    for source in data.get("sources", [])}
    flags: dict[str, list[str]] = {}
    for finding in findings:
        if finding.kind in _SHOWN_AS_LINK_CHECKS or not finding.sources or finding.level == "notice":
            continue
        message = finding.message
        prefix = f"{finding.sources[0]}: "
        text = f"{finding.kind}: {message[len(prefix):] if message.startswith(prefix) else message}"
        if len(finding.instances) > _NAMED_IN_A_FLAG:  # each work's flag stays short: linear in the rows
            shared = finding.id.split(":")[1] if finding.kind == "shared-arxiv-id" else None
            text = f"{finding.kind}: " + (f"shares arXiv {shared} with " if shared else "with ") + \
                f"{len(finding.instances) - 1:,} other rows (audit.md names them)"
        for node in dict.fromkeys(node_of_line[(s.file, s.line)] for s in finding.sources
                                  if (s.file, s.line) in node_of_line):
            if text not in flags.setdefault(node, []):
                flags[node].append(text)
    return flags


def findings_of_json(document: dict[str, Any]) -> list[Finding]:
    """The findings of an ``audit.json`` back as :class:`Finding` objects (what the view needs of them)."""
    found = []
    for item in document.get("findings") or []:
        if isinstance(item, dict) and isinstance(item.get("message"), str):
            instances = tuple(Instance(SourceRef(str(s.get("file")), int(s.get("line", 0))), str(s.get("content", "")))
                              for s in item.get("instances") or item.get("sources") or [] if isinstance(s, dict))
            level: FindingLevel = "notice" if item.get("level") == "notice" else "error"
            found.append(Finding(str(item.get("kind")), str(item.get("id")), item["message"], instances=instances, level=level))
    return found
