"""Audit stage: what a list maintainer should fix, each finding naming file and line.

Offline checks: arXiv ids shared by different works, arXiv ids whose year-month contradicts the listed date, rows
repeated across sections, malformed rows, and repaired mojibake. With Semantic Scholar data (from a build, or the
cache): links verified wrong — with the right id — and missing links, and works S2 cannot resolve. Findings carry a
stable ``id`` (no line numbers where avoidable) so a list's CI can accept known ones in an allow file;
:func:`pa_graph.lists.write.fix_links` writes a list back with only its wrong links corrected.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pa_graph.errors import AllowFileError
from pa_graph.records import Enrichment, Finding, FindingLevel, LinkCheck, ParsedList, Repair, SourceRef, VenueUpdate, Work
from pa_graph.text import arxiv_base_id, arxiv_year_month, label_key, markdown_text, parse_venue

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
    "unaccepted",
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


def audit(lists: Sequence[ParsedList], works: Sequence[Work], enrichment: Enrichment | None = None) -> AuditReport:
    """All findings for the parsed lists and the works resolved from them, verified ones when S2 data is given."""
    findings = [
        *_shared_arxiv_ids(works),
        *_date_conflicts(works),
        *_repeated_rows(works),
        *(finding for parsed in lists for finding in parsed.malformed),
        *(_mojibake(repair) for parsed in lists for repair in parsed.repairs),
    ]
    notes = [str(note) for parsed in lists for note in parsed.notes]
    notes += [f"{parsed.name}: skipped {len(parsed.skipped)} list items that are not papers "
              f"({', '.join(f'{n} {kind}' for kind, n in parsed.skipped_counts().items())})"
              for parsed in lists if parsed.skipped]
    checks: tuple[LinkCheck, ...] = ()
    if enrichment is not None:
        checks = tuple(enrichment.link_checks)
        broken = {source for finding in findings if finding.kind == "broken-markdown" for source in finding.sources}
        # a row whose Markdown is broken is told so once: its link is not judged until the Markdown is mended
        findings += [_link_finding(check) for check in checks if not broken & set(check.sources)]
        by_key = {work.key: work for work in works}
        findings += [
            Finding("s2-unresolved", f"s2-unresolved:{key}", f"{by_key[key].rows[0].source}: "
                    f"{by_key[key].title!r}: {reason}", tuple(row.source for row in by_key[key].rows))
            for key, reason in enrichment.unresolved.items()
        ]
        findings += [  # about a listed work (on its rows), or about a work the list's works cite (no row)
            Finding("source-disagreement", f"source-disagreement:{d.kind}:{d.work_key}",
                    f"{by_key[d.work_key].rows[0].source}: {d.message}" if d.work_key in by_key else d.message,
                    tuple(row.source for row in by_key[d.work_key].rows) if d.work_key in by_key else ())
            for d in enrichment.disagreements
        ]
        updates = tuple(update for update in _venue_updates(works, enrichment) if not broken & set(update.sources))
        findings += [Finding("venue-update", f"venue-update:{update.work_key}",
                             f"{update.sources[0]}: {update.title!r} is published: {update.venue}"
                             + (f" {update.year}" if update.year else "") + f" ({update.by}); the list gives it as a "
                             "preprint", update.sources, "notice") for update in updates]
        if enrichment.not_cached:
            asked = {"s2": "Semantic Scholar", "openalex": "OpenAlex"}.get(enrichment.source, "the sources")
            notes.append(f"{len(enrichment.not_cached)} works were not verified: {asked} was not asked "
                         f"({enrichment.mode}) and the cache holds no answer for them")
    return AuditReport(tuple(findings), tuple(notes), checks, updates if enrichment is not None else ())


def _venue_updates(works: Sequence[Work], enrichment: Enrichment) -> Iterable[VenueUpdate]:
    """Works every row of which gives no venue (arXiv, or blank) that the source knows as published."""
    by = {"s2": "Semantic Scholar", "openalex": "OpenAlex"}.get(enrichment.source, "Semantic Scholar and OpenAlex")
    for work in works:
        record = enrichment.resolved.get(work.key)
        venue = parse_venue(record.venue) if record and record.venue else None
        if venue is None or label_key(venue).startswith(("arxiv", "corr")) or any(row.venue for row in work.rows):
            continue
        yield VenueUpdate(work.key, work.title, venue, record.year if record else None,
                          tuple(row.source for row in work.rows), by)


def _link_finding(check: LinkCheck) -> Finding:
    where = check.sources[0]
    if check.status == "missing":
        return Finding("missing-arxiv-link", f"missing-arxiv-link:{check.work_key}",
                       f"{where}: {check.title!r} has no arXiv link; {check.by} gives arXiv {check.correct_id}",
                       check.sources)
    target = f"is {check.points_to!r}" if check.points_to else "is unknown"
    fix = f"the right id is {check.correct_id}" if check.correct_id else f"{check.by} gives no arXiv id for this work"
    return Finding("wrong-arxiv-link", f"wrong-arxiv-link:{check.listed_id}:{check.work_key}",
                   f"{where}: {check.title!r}: listed arXiv {check.listed_id} {target} on {check.by}; {fix}",
                   check.sources)


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
            tuple(row.source for row in rows),
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
                f"arxiv-date-conflict:{rows[0].arxiv_id}:{work.key}",
                f"{rows[0].source}: {rows[0].title!r}: {reason} (the link likely points to another paper)",
                tuple(row.source for row in rows),
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
            tuple(row.source for row in work.rows),
            "notice" if cross_listed else "error",
        )


def _mojibake(repair: Repair) -> Finding:
    changes = []
    matcher = difflib.SequenceMatcher(None, repair.before, repair.after, autojunk=False)
    for operation, start, end, new_start, new_end in matcher.get_opcodes():
        if operation != "equal":
            changes.append(f"{repair.before[start:end]!r} → {repair.after[new_start:new_end]!r}")
    return Finding(
        "mojibake",
        f"mojibake:{repair.source}",
        f"{repair.source}: repaired mojibake (UTF-8 read as Mac Roman): {', '.join(changes)}",
        (repair.source,),
    )


MAX_ALLOW_FILE_BYTES = 1_000_000


def read_allow_file(path: str | Path) -> list[str]:
    """Accepted finding ids or glob patterns, one a line; ``#`` starts a comment. At most 1 MB is read."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_ALLOW_FILE_BYTES + 1)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise AllowFileError(f"{path}: cannot read the allow file ({err})") from err
    if len(data) > MAX_ALLOW_FILE_BYTES:
        raise AllowFileError(f"{path}: the allow file is larger than {MAX_ALLOW_FILE_BYTES:,} bytes")
    patterns = []
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            patterns.append(entry)
    return patterns


def unaccepted(report: AuditReport, patterns: Sequence[str], baseline: Iterable[str] = ()) -> list[Finding]:
    """The errors no allow pattern accepts and the baseline (the ids of what an earlier version already had)
    does not hold; notices are never among them.

    >>> report = AuditReport((Finding("mojibake", "mojibake:a.md:3", "", ()), Finding("x", "x:1", "", ())), ())
    >>> [f.id for f in unaccepted(report, ["mojibake:*"])], unaccepted(report, [], baseline=["mojibake:a.md:3", "x:1"])
    (['x:1'], [])
    """
    known = set(baseline)
    return [f for f in report.findings if f.level == "error" and f.id not in known
            and not any(fnmatch.fnmatchcase(f.id, pattern) for pattern in patterns)]


_TITLES = {
    "wrong-arxiv-link": "arXiv links that point to another paper (verified with Semantic Scholar)",
    "missing-arxiv-link": "Works without an arXiv link that Semantic Scholar knows on arXiv",
    "s2-unresolved": "Works Semantic Scholar could not resolve",
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
    lines.append(f"{len(report.findings)} findings: " + (", ".join(f"{n} {kind}" for kind, n in counts.items()) or "none") + ".")
    lines.append("")
    lines.append("Each finding has an id; list accepted ids (or glob patterns) in a file for `pa-graph audit --allow FILE`.")
    wrong = [check for check in report.link_checks if check.status == "wrong"]
    if wrong:
        lines += ["", f"## Wrong links and their fixes ({len(wrong)})", "",
                  "`pa-graph audit --fix` rewrites these links in the list and changes nothing else.", "",
                  "| where | title | listed arXiv | is on Semantic Scholar | fix |", "|---|---|---|---|---|"]
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
    if report.link_checks or any(f.kind == "s2-unresolved" for f in report.findings):
        lines += ["", "Link verification data: Semantic Scholar Academic Graph API (https://www.semanticscholar.org)."]
    return "\n".join(lines) + "\n"


def render_text(report: AuditReport, open_findings: Sequence[Finding]) -> str:
    """What ``pa-graph audit`` prints: each finding (marked when the allow file accepts it), the notes, counts."""
    lines = [f"{f.kind}: {f.message} [{f.id}]" + ("" if f in open_findings else " (notice)" if f.level == "notice"
                                                  else " (accepted)") for f in report.findings]
    lines += [f"note: {note}" for note in report.notes]
    lines.append(f"{len(report.findings)} findings, {len(report.findings) - len(open_findings)} accepted")
    return "".join(line + "\n" for line in lines)


def render_json(report: AuditReport) -> str:
    """The audit as JSON (``audit.json``): counts, findings with their sources, notes."""
    return json.dumps(
        {"counts": report.counts(), "findings": [asdict(finding) for finding in report.findings],
         "link_fixes": [asdict(check) for check in report.link_checks if check.status == "wrong" and check.correct_id],
         "notes": list(report.notes)},
        ensure_ascii=False,
        indent=2,
    ) + "\n"


def _workflow_escape(text: str, property_value: bool = False) -> str:
    """GitHub workflow-command escaping (``%``, CR, LF; in properties also ``:`` and ``,``)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace("##[", "##\u200b[")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def github_annotations(report: AuditReport, open_findings: Sequence[Finding], paths: dict[str, str]) -> list[str]:
    """One ``::error`` workflow command per finding the allow file does not accept, on the list line it names
    (``paths``: list name → its path in the repository); accepted findings are ``::notice``s."""
    lines = []
    for finding in report.findings:
        level = "error" if finding in open_findings else "notice"
        source = next((s for s in finding.sources if s.file in paths), None)
        where = f" file={_workflow_escape(paths[source.file], True)},line={source.line}," if source else " "
        lines.append(f"::{level}{where}title={_workflow_escape(finding.kind, True)}::"
                     f"{_workflow_escape(finding.message)} [{_workflow_escape(finding.id)}]")
    return lines


def github_summary(report: AuditReport, open_findings: Sequence[Finding], shown: int = 10) -> str:
    """The job summary: counts by kind, then the first findings not accepted."""
    lines = ["## pa-graph audit", "", f"{len(report.findings)} findings, "
             f"{len(report.findings) - len(open_findings)} accepted by the allow file.", "",
             "| kind | findings |", "|---|---|"]
    lines += [f"| {kind} | {count} |" for kind, count in report.counts().items()]
    if open_findings:
        lines += ["", f"Not accepted ({len(open_findings)}):", ""]
        lines += [f"- `{finding.id}`: {markdown_text(finding.message)}" for finding in open_findings[:shown]]
        if len(open_findings) > shown:
            lines.append(f"- … and {len(open_findings) - shown} more (see the annotations)")
    return "\n".join(lines) + "\n"


#: Findings the view shows from the link checks themselves (``link_checks`` on the work), not as audit flags.
_SHOWN_AS_LINK_CHECKS = {"wrong-arxiv-link", "missing-arxiv-link", "s2-unresolved"}


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
            sources = tuple(SourceRef(str(s.get("file")), int(s.get("line", 0))) for s in item.get("sources") or []
                            if isinstance(s, dict))
            level: FindingLevel = "notice" if item.get("level") == "notice" else "error"
            found.append(Finding(str(item.get("kind")), str(item.get("id")), item["message"], sources, level))
    return found
