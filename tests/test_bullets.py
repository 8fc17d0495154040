"""Lists written as bullets, numbered items and HTML tables: every shape seen in real lists, what is not a paper,
and two real lists (tests/fixtures/lists, bytes as their repositories hold them) against counts made without the
parser."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import write_list

from pa_graph.errors import ListInputError
from pa_graph.lists.read import parse_list_text, read_list
from pa_graph.records import Section

REAL = Path(__file__).parent / "fixtures" / "lists"
VANILLA = REAL / "vanillacreamer-awesome-personalized-llms-3a6f690.md"
NEPH0S = REAL / "neph0s-awesome-llm-role-playing-with-persona-99694e0.md"

SHAPES = """# A list

## Methods

+ **\\[2024 Arxiv-2411\\]** Personalization of Large Language Models: A Survey. ([Paper](https://arxiv.org/pdf/2411.00027))
+ **\\[2024 EMNLP\\]** Two Tales of Persona in LLMs: A Survey of Role-Playing and Personalization. ([Paper](https://arxiv.org/pdf/2406.01171), [Code](https://github.com/MiuLab/PersonaLLM-Survey))
- **Aligning to Thousands of Preferences** [[ACL 2024]](https://aclanthology.org/2024.acl-long.1.pdf) [[Code]](https://github.com/x/y) ![](https://img.shields.io/badge/RLHF-blue)
- **CoSER: Coordinating LLM-Based Persona Simulation of Established Roles**

   *Xintao Wang, Heng Wang, Yifei Zhang.* [[abs](https://arxiv.org/abs/2502.09082)], ICML 2025
* **Persona-judge: Personalized alignment via token-level self-judgment** [[paper](https://openreview.net/forum?id=abc123)]
- Modular Pluralism: Pluralistic Alignment via Multi-LLM Collaboration. [EMNLP 2024] [[paper](https://aclanthology.org/2024.emnlp-main.240/)]
- [Direct Preference Optimization: Your Language Model is Secretly a Reward Model](https://arxiv.org/abs/2305.18290) - NeurIPS, 2023
1. [Rewarded soups: towards Pareto-optimal alignment](https://proceedings.neurips.cc/paper/2023/file/abc-Paper.pdf)
- (2023/03/30) [Generative Agents: Interactive Simulacra of Human Behavior](https://arxiv.org/abs/2304.03442)
  - motivation: believable agents with memory
  - method: [a related note](https://arxiv.org/abs/2210.00001)

## 🔔 News

- 2024-10-09 🎉 Our survey [[arxiv](https://arxiv.org/abs/2404.18231)] was accepted!

## Resources

- [Table of contents](#methods)
- **OpenRoleBench** [[data](https://huggingface.co/datasets/x/openrole)]
- **RoleCode** [[code](https://github.com/x/rolecode)]
- [Role-play blog post](https://medium.com/@x/role-play)
- **A Paper Without Any Link Yet**
  *Some Author, Other Author.*
"""  # noqa: E501 (verbatim list lines)


@pytest.fixture(scope="module")
def shapes():
    return parse_list_text(SHAPES, "shapes.md")


def test_every_bullet_shape_is_read(shapes):
    rows = {row.title: row for row in shapes.rows}
    expected = {
        "Personalization of Large Language Models: A Survey": (2024, None, "https://arxiv.org/pdf/2411.00027", 5),
        "Two Tales of Persona in LLMs: A Survey of Role-Playing and Personalization": (
            2024, "EMNLP", "https://arxiv.org/pdf/2406.01171", 6),
        "Aligning to Thousands of Preferences": (2024, "ACL", "https://aclanthology.org/2024.acl-long.1.pdf", 7),
        "CoSER: Coordinating LLM-Based Persona Simulation of Established Roles": (
            2025, "ICML", "https://arxiv.org/abs/2502.09082", 8),
        "Persona-judge: Personalized alignment via token-level self-judgment": (
            None, None, "https://openreview.net/forum?id=abc123", 11),
        "Modular Pluralism: Pluralistic Alignment via Multi-LLM Collaboration": (
            2024, "EMNLP", "https://aclanthology.org/2024.emnlp-main.240/", 12),
        "Direct Preference Optimization: Your Language Model is Secretly a Reward Model": (
            2023, "NeurIPS", "https://arxiv.org/abs/2305.18290", 13),
        "Rewarded soups: towards Pareto-optimal alignment": (
            None, None, "https://proceedings.neurips.cc/paper/2023/file/abc-Paper.pdf", 14),
        "Generative Agents: Interactive Simulacra of Human Behavior": (2023, None, "https://arxiv.org/abs/2304.03442", 15),
    }
    assert set(rows) == set(expected)
    for title, (year, venue, link, line) in expected.items():
        row = rows[title]
        assert (row.year, row.venue, row.links[0], row.source.line) == (year, venue, link, line), title
        assert row.section == Section("Methods")
    assert rows["Generative Agents: Interactive Simulacra of Human Behavior"].month == 3
    assert rows["CoSER: Coordinating LLM-Based Persona Simulation of Established Roles"].authors == (
        "Xintao Wang", "Heng Wang", "Yifei Zhang")
    assert rows["Aligning to Thousands of Preferences"].tags == ("RLHF",)
    assert rows["Aligning to Thousands of Preferences"].links == (
        "https://aclanthology.org/2024.acl-long.1.pdf", "https://github.com/x/y")  # the code link is kept
    assert rows["Personalization of Large Language Models: A Survey"].arxiv_id == "2411.00027"


def test_what_is_not_a_paper_is_skipped_and_counted(shapes):
    skipped = {(kind, source.line) for kind, source in shapes.skipped}
    assert skipped == {("note", 16), ("note", 17), ("news", 21), ("table of contents", 25), ("dataset", 26),
                       ("code", 27), ("blog", 28)}
    assert shapes.skipped_counts() == {"note": 2, "blog": 1, "code": 1, "dataset": 1, "news": 1,
                                       "table of contents": 1}
    (unreadable,) = shapes.malformed
    assert unreadable.message == "shapes.md:29: list item looks like a paper but has no paper link; skipped"


def test_html_tables_are_read_by_header_meaning():
    text = """## Surveys

<table>
<tr><th>Date</th><th>Paper Title</th><th>Link</th></tr>
<tr><td>2024/5</td><td>A Survey on <b>Personalized</b> Alignment</td><td><a href="https://arxiv.org/abs/2405.00001">arXiv</a></td></tr>
<tr>
  <td>2023</td>
  <td>Second &amp; Last</td>
  <td><a href="https://openreview.net/forum?id=x">OpenReview</a></td>
</tr>
</table>
"""
    parsed = parse_list_text(text, "html.md")
    assert [(r.title, r.year, r.month, r.links, r.source.line, r.is_survey) for r in parsed.rows] == [
        ("A Survey on Personalized Alignment", 2024, 5, ("https://arxiv.org/abs/2405.00001",), 5, True),
        ("Second & Last", 2023, None, ("https://openreview.net/forum?id=x",), 6, True)]
    assert parsed.layouts[Section("Surveys")] == ["Date", "Paper Title", "Link"]


def test_a_file_mixing_survey_bullets_and_paper_tables_reads_both():
    text = """## Surveys

- **A Survey of Personalized Large Language Models** [[paper](https://arxiv.org/abs/2502.11528)]

## Papers

### Decoding

| Paper | Abbr. | Year | Source | Tag | PDF |
|---|---|---|---|---|---|
| [Args: Alignment as reward-guided search](http://arxiv.org/abs/2402.01694) | Args | 2024 | ICLR | decoding | |
"""
    rows = parse_list_text(text, "mixed.md").rows
    assert [(r.title, r.section, r.is_survey) for r in rows] == [
        ("A Survey of Personalized Large Language Models", Section("Surveys"), True),
        ("Args: Alignment as reward-guided search", Section("Papers", "Decoding"), False)]


def test_a_group_item_names_a_sub_section_and_a_wrapper_heading_is_dropped():
    text = """# List

## Contents

- Surveys
  - [Personalization of Large Language Models: A Survey](https://arxiv.org/abs/2411.00027)
- Benchmarks
  - [LaMP: When Large Language Models Meet Personalization](https://arxiv.org/abs/2304.11406)
"""
    rows = parse_list_text(text, "groups.md").rows
    # every paper is under "Contents": that heading is a wrapper, not a section
    assert [(r.title, r.section) for r in rows] == [
        ("Personalization of Large Language Models: A Survey", Section("Surveys")),
        ("LaMP: When Large Language Models Meet Personalization", Section("Benchmarks"))]
    text += "- [Direct entry: a paper right under the heading](https://arxiv.org/abs/2305.18290)\n"
    rows = parse_list_text(text, "groups.md").rows
    # a paper right under "Contents" makes it a section: the groups are its sub-categories
    assert [r.section for r in rows] == [Section("Contents", "Surveys"), Section("Contents", "Benchmarks"),
                                         Section("Contents")]


def test_a_file_without_papers_says_what_it_found(tmp_path):
    path = write_list(tmp_path, "links.md", "# Links\n\n- [Contents](#a)\n- [Our code](https://github.com/x/y)\n\n"
                                           "| Dataset | Size |\n|---|---|\n| A | 1 |\n")
    with pytest.raises(ListInputError) as raised:
        read_list(path)
    assert str(raised.value) == (f"{path}: no papers found (1 table without a title column; 2 list items, none with "
                                 "a paper link (1 code, 1 table of contents))")


# ----- the two real lists ----------------------------------------------------------------------------------------

PAPER_HOST = re.compile(r"https?://(?:www\.)?(?:arxiv\.org|aclanthology\.org|openreview\.net|dl\.acm\.org|doi\.org|"
                        r"proceedings\.neurips\.cc|ojs\.aaai\.org|ieeexplore\.ieee\.org)/|\.pdf\)")


def independent_counts(path: Path, entry: re.Pattern, wrapper: str | None) -> Counter:
    """Paper entries per section counted with regular expressions only: an entry starts on a line matching
    ``entry`` and runs to the next entry, heading or blank-line-separated bullet; it counts when a paper link is in
    it. The section is the innermost heading below ``wrapper`` and the outermost (``top › inner``). Entries under
    News are announcements, not papers."""
    counts: Counter = Counter()
    headings: dict[int, str] = {}
    current: list[str] | None = None
    section = None

    def close():
        if current is not None and PAPER_HOST.search(" ".join(current)) and section and "News" not in section:
            counts[section] += 1

    for line in path.read_text(encoding="utf-8").split("\n"):
        heading = re.match(r"(#{2,4})\s+(.*)", line)
        if heading:
            close()
            current = None
            level = len(heading.group(1))
            label = re.sub(r"<!--.*?-->", "", re.sub(r"^[^\w(]+", "", heading.group(2))).strip()
            headings = {lv: text for lv, text in headings.items() if lv < level}
            headings[level] = label
            chain = [text for lv, text in sorted(headings.items()) if text != wrapper]
            section = chain[0] if len(chain) == 1 else f"{chain[0]} › {chain[-1]}" if chain else None
        elif entry.match(line):
            close()
            current = [line]
        elif re.match(r"\s*[-*+]\s", line) or line.startswith("---"):
            close()
            current = None
        elif current is not None:
            current.append(line)
    close()
    return counts


def test_vanillacreamer_counts_by_section_match_an_independent_count():
    parsed = read_list(VANILLA)
    ours = Counter(str(row.section) for row in parsed.rows)
    theirs = independent_counts(VANILLA, re.compile(r"\+ "), None)
    assert ours == theirs
    assert sum(ours.values()) == 143


def test_neph0s_counts_by_section_match_an_independent_count():
    parsed = read_list(NEPH0S)
    ours = Counter(str(row.section) for row in parsed.rows)
    theirs = independent_counts(NEPH0S, re.compile(r"\s*[-*+]\s+\*\*"), "Content")
    assert ours == theirs
    assert sum(ours.values()) == 157
    kinds = parsed.skipped_counts()
    assert kinds["table of contents"] == 20 and kinds["news"] == 5 and kinds["blog"] == 11


VANILLA_SAMPLE = {  # line → (title, link, year, venue, section), read by eye from the file
    24: ("Toward Personalized LLM-Powered Agents: Foundations, Evaluation, and Future Directions",
         "https://arxiv.org/pdf/2602.22680v1", 2026, None, "1. Survey / Tutorial / Framework"),
    38: ("Two Tales of Persona in LLMs: A Survey of Role-Playing and Personalization",
         "https://arxiv.org/pdf/2406.01171", 2024, "EMNLP", "1. Survey / Tutorial / Framework"),
    52: ("PersonaVLM — Long-Term Personalized Multimodal LLMs", "https://arxiv.org/pdf/2604.13074", 2026, "CVPR",
         "2. Benchmark / Dataset / Evaluation"),
}


def test_vanillacreamer_sample_field_by_field():
    lines = VANILLA.read_text(encoding="utf-8").split("\n")
    rows = {row.source.line: row for row in read_list(VANILLA).rows}
    sample = dict(VANILLA_SAMPLE)
    # seven more, spread over the file: the title is the text between the bold prefix and " ([Paper]"
    for line in sorted(rows)[10::19][:7]:
        found = re.match(r"\+ \*\*\\\[(\d{4}) ([^\\]+)\\\]\*\* (.+?)\.? \(\[Paper\]\(([^)]+)\)", lines[line - 1])
        year, venue, title, link = found.groups()
        venue = None if venue.lower().startswith("arxiv") else venue
        heading = next(text for text in reversed(lines[:line]) if text.startswith("### "))[4:]
        sample[line] = (title, link, int(year), venue, heading)
    assert len(sample) == 10
    for line, (title, link, year, venue, section) in sample.items():
        row = rows[line]
        assert (row.title, row.links[0], row.year, row.venue, str(row.section)) == (title, link, year, venue,
                                                                                    section), line


NEPH0S_SAMPLE = {  # line → (title, link, year, venue, section, first author), read by eye from the file
    58: ("From Persona to Personalization: A Survey on Role-Playing Language Agents",
         "https://arxiv.org/abs/2404.18231", 2024, "TMLR", "Role-Playing › Characters", "Jiangjie Chen"),
    66: ("RoleLLM: Benchmarking, Eliciting, and Enhancing Role-Playing Abilities of Large Language Models",
         "https://arxiv.org/abs/2310.00746", 2024, "Findings of ACL", "Role-Playing › Characters", "Zekun Moore Wang"),
    70: ("ChatHaruhi: Reviving Anime Character in Reality via Large Language Model",
         "https://arxiv.org/abs/2308.09597", 2023, None, "Role-Playing › Characters", "Cheng Li"),
    677: ("CharacterMeet: Supporting Creative Writers' Entire Story Character Construction Processes Through "
          "Conversation with LLM-Powered Chatbot Avatars", "https://dl.acm.org/doi/abs/10.1145/3613904.3642105", 2024,
          "CHI", "Others › Papers", None),
}


def test_neph0s_sample_field_by_field():
    lines = NEPH0S.read_text(encoding="utf-8").split("\n")
    rows = {row.source.line: row for row in read_list(NEPH0S).rows}
    sample = dict(NEPH0S_SAMPLE)
    # six more: the bold title line, then the line holding [[abs](link)], the venue and year after it; the
    # section from the headings above (### top, #### sub under it)
    for line in sorted(rows)[5::25][:6]:
        title = re.match(r"\s*[-*+]\s+\*\*(.+?)\.?\*\*", lines[line - 1]).group(1)
        block = " ".join(lines[line - 1:line + 3])
        link = re.search(r"\[\[abs\]\(([^)]+)\)\]", block).group(1)
        after = re.search(r"\)\],?([^\d\]]*?)(20\d\d)", block)
        venue = after.group(1).strip(" ,") or None
        venue = venue if venue and re.search(r"[A-Z]{3,}", venue) else None
        above = lines[:line]
        top_at = max(i for i, text in enumerate(above) if text.startswith("### "))
        subs = [text for text in above[top_at:] if text.startswith("#### ")]
        top = re.sub(r"^###\s+\W*", "", above[top_at]).strip()
        sub = re.sub(r"^####\s+\W*", "", subs[-1]).strip() if subs else None
        section = f"{top} › {sub}" if sub else top
        author = re.search(r"\*([^*,]+),", block).group(1).strip()
        sample[line] = (title, link, int(after.group(2)), venue, section, author)
    assert len(sample) == 10
    for line, (title, link, year, venue, section, author) in sample.items():
        row = rows[line]
        assert (row.title, row.links[0], row.year, row.venue, str(row.section)) == (title, link, year, venue,
                                                                                    section), line
        assert (row.authors[0] if row.authors else None) == author


SURVEY_SHAPES = """# A survey's reading list

## Contents

1. [Memory Management](#memory-management)
2. [LLM-based Approaches](#llm-based-approaches)

## Memory Management

- uLink: Enabling User-Defined Deep Linking to App Content. [[Mobisys 2016](https://doi.org/10.1145/2906388.2906416)]
- “Understanding Personal Agents in the Wild” (Smith and Lee, 2022, p. 1) [CHI'22](https://dl.acm.org/doi/10.1145/3491102.3501234)
- “Another Quoted Title” (Authors, 2021, p. 3) [[PDF](https://dl.acm.org/doi/pdf/10.1145/3491102.3501239)]
- **STOC 2021**: [Sublinear Algorithms for Personal Agents](https://dl.acm.org/doi/10.1145/1234.5678)
- "Personal Memory for Assistants" [Read the Full Paper on the ACM Digital Library](https://dl.acm.org/doi/10.1145/9.8)
"""  # noqa: E501 (verbatim list lines)


@pytest.mark.parametrize(("line", "title", "venue", "year"), [
    (10, "uLink: Enabling User-Defined Deep Linking to App Content", "Mobisys", 2016),  # a venue-with-year link text
    (11, "Understanding Personal Agents in the Wild", "CHI", 2022),  # a quoted title, whatever link follows
    (12, "Another Quoted Title", None, 2021),  # "PDF" names a file, not a venue
    (13, "Sublinear Algorithms for Personal Agents", "STOC", 2021),  # a bold venue-with-year: where, not what
    (14, "Personal Memory for Assistants", None, None),  # a quoted title before a long link text
], ids=["venue-link", "quoted-title", "pdf-link", "bold-venue", "quoted-before-link-text"])
def test_a_survey_lists_shapes_give_titles_not_venues(line, title, venue, year):
    parsed = parse_list_text(SURVEY_SHAPES, "survey.md")
    row = next(row for row in parsed.rows if row.source.line == line)
    assert (row.title, row.venue, row.year) == (title, venue, year)


def test_bullets_linking_to_anchors_of_the_same_list_are_navigation():
    parsed = parse_list_text(SURVEY_SHAPES, "survey.md")
    assert {row.title for row in parsed.rows}.isdisjoint({"Memory Management", "LLM-based Approaches"})
    assert Counter(kind for kind, _ in parsed.skipped) == {"table of contents": 2}


def test_readers_and_title_shapes_are_tried_in_their_stated_order():
    """Each shape is its own reader: the block readers in the order the list's blocks are offered to them, and the
    title shapes of a list item in the order they are tried (a quoted title before a link's text)."""
    from pa_graph.lists.bullets import TITLE_SHAPES
    from pa_graph.lists.read import READERS

    assert list(READERS) == ["table", "list items", "html tables"]
    assert [shape.__name__ for shape in TITLE_SHAPES] == ["_bold_title", "_quoted_title", "_linked_title", "_text_title"]
