from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import TABLE, row, write_list

from pa_graph import assemble
from pa_graph.analysis.audit import AllowList, judge, read_allow_file
from pa_graph.errors import AllowFileError


def by_kind(report, kind):
    return [finding for finding in report.findings if finding.kind == kind]


def test_bundled_audit_counts(bundled):
    counts = bundled.audit.counts()
    assert counts["shared-arxiv-id"] == 5
    assert counts["repeated-row"] == 8
    damaged = [f for f in bundled.audit.findings if f.kind == "mojibake"]  # one a damaged word, with its lines
    assert counts["mojibake"] == 15 and sum(len(f.instances) for f in damaged) == 27
    assert counts["broken-markdown"] == 1 and "malformed-row" not in counts  # one row with an extra cell
    assert counts["arxiv-date-conflict"] == len(independent_date_conflicts())


def independent_date_conflicts() -> set[tuple[str, str]]:
    """(title, arXiv id) of the rows whose date contradicts their arXiv link, read with regular expressions: the id's
    YYMM after the listed year-month (or year), or more than a year before the listed year."""
    import re

    from fake_s2.world import raw_lines

    conflicts = set()
    for line in raw_lines():
        if not line.startswith("| ") or line.startswith(("| Paper", "| Title")):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        found = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{2})(\d{2})\.\d{4,5}", line)
        date = re.search(r"\b(20\d\d)(?:/(\d{1,2}))?\b", " ".join(cells[1:3]))
        if not found or not date:
            continue
        arxiv = (2000 + int(found.group(1)), int(found.group(2)))
        year, month = int(date.group(1)), int(date.group(2)) if date.group(2) else None
        if (month and (year, month) < arxiv) or year < arxiv[0] or year > arxiv[0] + 1:
            title = re.sub(r"^\[(.+)\]\(\S+\)$", r"\1", cells[0]).casefold()
            conflicts.add((title, found.group(0).rsplit("/", 1)[1]))
    assert len(conflicts) > 20  # the list has many
    return conflicts


def test_shared_arxiv_ids_name_both_works_and_lines(bundled):
    findings = {finding.id: finding for finding in by_kind(bundled.audit, "shared-arxiv-id")}
    assert set(findings) == {f"shared-arxiv-id:{i}" for i in
                             ("2304.11406", "2410.08193", "2406.16294", "2404.05970", "2408.00960")}
    lamp = findings["shared-arxiv-id:2304.11406"]
    assert [source.line for source in lamp.sources] == [105, 112]
    assert "'Lamp: When large language models meet personalization' (awesome-personalized-alignment.md:105)" in lamp.message


def test_date_conflicts_are_real_contradictions(bundled):
    findings = by_kind(bundled.audit, "arxiv-date-conflict")
    lines = {source.line for finding in findings for source in finding.sources}
    assert 53 in lines  # Args, 2024, linked to arXiv 1912.00180
    assert 54 not in lines  # RAD, 2023, arXiv 2310.09520: consistent
    args = next(f for f in findings if 53 in [s.line for s in f.sources])
    assert args.message == ("awesome-personalized-alignment.md:53: 'Args: Alignment as reward-guided search': arXiv "
                            "1912.00180v1 was submitted 2019-12, 5 years before the listed 2024 (the link likely "
                            "points to another paper)")


def test_repeated_rows_say_where(bundled):
    (user_llm,) = [f for f in by_kind(bundled.audit, "repeated-row") if "contextualization" in f.message]
    assert user_llm.message.endswith(
        "(Training-time Personalized Alignment › Embedding Learning, as "
        "'User-llm: Efficient llm contextualization with user embeddings')")
    assert [s.line for s in user_llm.sources] == [119, 199]


def test_each_finding_names_file_and_line(bundled):
    for finding in bundled.audit.findings:
        assert finding.sources and all(s.file == "awesome-personalized-alignment.md" and s.line > 0 for s in finding.sources)
    ids = Counter(finding.id for finding in bundled.audit.findings)
    assert max(ids.values()) == 1


def test_build_writes_audit_files(built):
    data = json.loads((built / "audit.json").read_text(encoding="utf-8"))
    assert data["counts"]["shared-arxiv-id"] == 5
    assert len(data["findings"]) == sum(data["counts"].values())
    text = (built / "audit.md").read_text(encoding="utf-8")
    assert "## arXiv links shared by different works (5)" in text
    assert "| awesome-personalized-alignment.md:60 |" in text  # the Don’t line's mojibake repair


def test_allow_patterns_accept_findings(tmp_path, bundled):
    allow = tmp_path / "allow.txt"
    allow.write_text("# known\nmojibake:*   # encoding fixed upstream\nrepeated-row:*\n\n", encoding="utf-8")
    accepted = read_allow_file(allow)
    assert accepted.patterns == ("mojibake:*", "repeated-row:*") and accepted.notes == ()
    kinds = Counter(judged.finding.kind for judged in judge(bundled.audit, accepted).failures)
    assert "mojibake" not in kinds and "repeated-row" not in kinds and kinds["shared-arxiv-id"] == 5


def test_a_missing_allow_file_accepts_nothing_and_says_so(tmp_path, bundled):
    accepted = read_allow_file(tmp_path / "nope.txt")
    assert accepted == AllowList(notes=(f"{tmp_path / 'nope.txt'}: no allow file yet, so no finding is accepted "
                                        "(list accepted ids there, one a line)",))
    assert len(judge(bundled.audit, accepted).failures) == len(judge(bundled.audit).failures)


def test_an_unreadable_allow_file_is_an_error(tmp_path):
    (tmp_path / "allow").write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(AllowFileError, match="cannot read the allow file"):
        read_allow_file(tmp_path / "allow")


def test_ids_never_hold_a_line_number(bundled):
    """Ids are built from content: no id of the bundled list's findings holds one of its finding's line numbers."""
    for finding in bundled.audit.findings:
        for source in finding.sources:
            assert f"{source.file}:{source.line}" not in finding.id, finding.id


def test_an_old_allow_file_with_line_numbers_still_accepts_and_names_the_new_form(tmp_path, bundled):
    mojibake = next(f for f in bundled.audit.findings if f.kind == "mojibake")
    allow = tmp_path / "allow"
    allow.write_text(f"mojibake:{mojibake.sources[0]}\n", encoding="utf-8")
    accepted = read_allow_file(allow)
    judged = {j.finding.id: j.standing for j in judge(bundled.audit, accepted).judged}
    assert judged[mojibake.id] == "accepted"
    (note,) = accepted.notes
    assert "1 id with a line number (line 1): each still accepts the finding on that line" in note
    assert "such as malformed-row:first-words-1a2b3c" in note


def test_clean_list_has_no_findings(tmp_path):
    path = write_list(tmp_path, "clean.md", TABLE.format(rows="\n".join([
        row("A paper", "AP", "2023", link="https://arxiv.org/abs/2301.00001"),
        row("Another paper", "", "2024", link="https://arxiv.org/abs/2312.00002v2"),
    ])))
    assert assemble([path]).audit.findings == ()


@pytest.mark.slow
def test_broken_markdown_is_named_once_and_nothing_else_is_said_of_those_rows(tmp_path):
    """Three broken forms — a link never closed, a row with a cell too many, a bullet link without a target — on rows
    of papers the fake Semantic Scholar knows: one broken-markdown finding each, no link verdict on them, and none
    of them back as a missing paper."""
    from fake_s2.server import FakeS2
    from fake_s2.world import build_world

    from pa_graph import BuildOptions, build
    from pa_graph.sources.s2 import S2Settings

    world = build_world()
    known = sorted((p for p in world.papers.values() if p.listed and p.arxiv_id and p.year), key=lambda p: p.title)
    unclosed, extra, untargeted, fine = known[:4]
    listed = tmp_path / "list.md"
    listed.write_text(
        "# A list\n\n## Methods\n\n| Paper | Year |\n|---|---|\n"
        f"| [{unclosed.title}](https://arxiv.org/abs/{unclosed.arxiv_id} | {unclosed.year} |\n"
        f"| [{extra.title}](https://arxiv.org/abs/{extra.arxiv_id}) | {extra.year} | spare |\n"
        f"| [{fine.title}](https://arxiv.org/abs/{fine.arxiv_id}) | {fine.year} |\n\n"
        "## Surveys\n\n"
        f"- **{untargeted.title}** [[paper]()] [[abs](https://arxiv.org/abs/{untargeted.arxiv_id})]\n",
        encoding="utf-8")
    with FakeS2(world) as fake:
        result = build([listed], BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache",
                                              s2=S2Settings(api_url=fake.url, rate=1000.0)))
    findings = json.loads((tmp_path / "out" / "audit.json").read_text(encoding="utf-8"))["findings"]
    on_line = {line: [f["kind"] for f in findings if any(s["line"] == line for s in f["sources"])] for line in (7, 8, 13)}
    assert on_line == {7: ["broken-markdown"], 8: ["broken-markdown"], 13: ["broken-markdown"]}
    messages = {f["sources"][0]["line"]: f["message"] for f in findings if f["kind"] == "broken-markdown"}
    assert messages[7] == "list.md:7: the link opened at column 3 is never closed"
    assert messages[8] == "list.md:8: the row has 3 cells but the header has 2 (extra cells ignored)"
    column = len(f"- **{untargeted.title}** [") + 1  # the inner [paper] link
    assert messages[13] == f"list.md:13: the link at column {column} has no target"
    titles = {work.title: work for work in result.graph.works}
    assert titles[unclosed.title].listed_arxiv_ids == (unclosed.arxiv_id,)  # the link written inside the broken one
    suggested = {s.title.casefold() for s in (result.graph.gap_report.suggestions if result.graph.gap_report else [])}
    assert not suggested & {p.title.casefold() for p in (unclosed, extra, untargeted, fine)}
    assert {work.title for work in result.graph.works} == {p.title for p in (unclosed, extra, untargeted, fine)}


@pytest.mark.slow
def test_preprints_a_source_knows_as_published_get_their_venue_written_in_by_audit_fix(tmp_path, runner):
    """venue-update findings on the works the list gives as arXiv while the fake S2 knows their venue; ``audit
    --fix --dry-run`` prints the diff and changes nothing; ``audit --fix`` writes the venue into the table's Source
    cell and over a list item's arXiv mark — the result compared byte for byte with the list written by hand."""
    from fake_s2.server import FakeS2
    from fake_s2.world import build_world

    from pa_graph import BuildOptions, build
    from pa_graph.cli import main
    from pa_graph.sources.s2 import S2Settings

    world = build_world()
    published = sorted((p for p in world.papers.values() if p.listed and p.venue and p.arxiv_id and p.year
                        and "|" not in p.venue), key=lambda p: p.title)
    a, b, c = published[:3]
    pdf = f"https://arxiv.org/pdf/{a.arxiv_id}"
    table = ("# A list\r\n\r\n## Methods\r\n\r\n| Paper | Year | Source | PDF |\r\n|---|---|---|---|\r\n"
             f"| [{a.title}](https://arxiv.org/abs/{a.arxiv_id}) | {a.year} | arxiv | [PDF]({pdf}) |\r\n"
             f"| [{b.title}](https://arxiv.org/abs/{b.arxiv_id}) | {b.year} |  | |\r\n\r\n"
             "## Agents\r\n\r\n"
             f"+ **\\[{c.year} Arxiv-2411\\]** {c.title}. ([Paper](https://arxiv.org/abs/{c.arxiv_id}))\r\n")
    expected = ("# A list\r\n\r\n## Methods\r\n\r\n| Paper | Year | Source | PDF |\r\n|---|---|---|---|\r\n"
                f"| [{a.title}](https://arxiv.org/abs/{a.arxiv_id}) | {a.year} | {a.venue} | [PDF]({pdf}) |\r\n"
                f"| [{b.title}](https://arxiv.org/abs/{b.arxiv_id}) | {b.year} | {b.venue} | |\r\n\r\n"
                "## Agents\r\n\r\n"
                f"+ **\\[{c.year} {c.venue}\\]** {c.title}. ([Paper](https://arxiv.org/abs/{c.arxiv_id}))\r\n")
    listed = tmp_path / "list.md"
    listed.write_bytes(table.encode("utf-8"))
    cache = tmp_path / "cache"
    with FakeS2(world) as fake:
        build([listed], BuildOptions(out_dir=tmp_path / "out", cache_dir=cache,
                                     s2=S2Settings(api_url=fake.url, rate=1000.0)))
    findings = json.loads((tmp_path / "out" / "audit.json").read_text(encoding="utf-8"))["findings"]
    updates = {f["sources"][0]["line"]: f for f in findings if f["kind"] == "venue-update"}
    assert sorted(updates) == [7, 8, 12] and all(f["level"] == "notice" for f in updates.values())
    assert f"is published: {a.venue} {a.year}" in updates[7]["message"]
    dry = runner.invoke(main, ["audit", str(listed), "--fix", "--dry-run", "--cache-dir", str(cache)])
    assert dry.exit_code == 0 and f"+| [{a.title}]" in dry.stdout and listed.read_bytes() == table.encode("utf-8")
    fixed = runner.invoke(main, ["audit", str(listed), "--fix", "--cache-dir", str(cache)])
    assert fixed.exit_code == 0, fixed.output
    assert listed.read_bytes() == expected.encode("utf-8")
