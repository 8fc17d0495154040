from __future__ import annotations

from collections import Counter

import pytest
from conftest import FIXTURES, TABLE, row, write_list

from pa_graph.errors import ListInputError
from pa_graph.lists.read import parse_list_text, read_list
from pa_graph.records import Section

# Characters that only appear in this list when UTF-8 was decoded as Mac Roman: the Apple logo (from byte 0xF0, the
# lead byte of every emoji), '‚Ä' (from E2 80, curly quotes), 'Œ' (from CE, Greek letters), 'Ô∏' (from EF B8).
MOJIBAKE_SIGNS = ("\uf8ff", "‚Ä", "Œ", "Ô∏", "‚ö")


def test_bundled_list_has_164_rows(bundled):
    (parsed,) = bundled.lists
    assert len(parsed.rows) == 164


def test_bundled_sections_two_categories_with_nine_subcategories_plus_surveys(bundled):
    sections = Counter(row.section for row in bundled.lists[0].rows)
    tops = {section.top for section in sections}
    assert tops == {"Related Surveys", "Test-time Personalized Alignment", "Training-time Personalized Alignment"}
    assert sections[Section("Related Surveys")] == 16
    subs = {section.sub for section in sections if section.sub}
    assert subs == {
        "Guided Decoding", "Prompt-based", "RAG", "Agent", "Memory",
        "Fine-tune", "Embedding Learning", "Learning From Human Feedback", "Reinforcement Learning",
    }
    assert sections[Section("Test-time Personalized Alignment", "RAG")] == 30
    assert sections[Section("Training-time Personalized Alignment", "Reinforcement Learning")] == 5


def test_all_27_mojibake_lines_are_restored(bundled, bundled_path):
    raw_lines = bundled_path.read_text(encoding="utf-8").split("\n")
    damaged = [number for number, line in enumerate(raw_lines, 1) if any(sign in line for sign in MOJIBAKE_SIGNS)]
    repairs = bundled.lists[0].repairs
    assert len(damaged) == 27
    assert [repair.source.line for repair in repairs] == damaged
    for repair in repairs:
        assert not any(sign in repair.after for sign in MOJIBAKE_SIGNS), repair.after
        assert repair.after.encode("utf-8").decode("mac_roman") == repair.before
    titles = {row.title for row in bundled.lists[0].rows}
    assert "Don’t throw away your value model! generating more preferable text with value-guided monte-carlo tree " \
           "search decoding" in titles
    assert "β-DPO: Direct Preference Optimization with Dynamic β" in titles


def test_bundled_row_fields(bundled):
    rows = {row.title: row for row in bundled.lists[0].rows}
    args = rows["Args: Alignment as reward-guided search"]
    assert (args.abbreviation, args.year, args.venue, args.tags) == ("Args", 2024, None, ("reward-guided decoding",))
    assert args.arxiv_id == "1912.00180v1"
    assert args.source.line == 53
    dpsr = next(r for r in rows.values() if r.abbreviation == "DPSR")
    assert dpsr.year == 2020  # written 2020.0
    survey = rows["A Survey on Personalized and Pluralistic Preference Alignment in Large Language Models"]
    assert (survey.year, survey.month, survey.is_survey) == (2025, 4, True)
    assert rows["Whose opinions do language models reflect?"].venue == "PMLR"
    assert rows["Evaluating and inducing personality in pre-trained language models"].venue == "NeurIPS"
    no_abbreviation = rows["Language model personalization via reward factorization"]
    assert no_abbreviation.abbreviation is None


def test_survey_row_with_extra_cell_is_read_and_reported(bundled):
    parsed = bundled.lists[0]
    survey = next(row for row in parsed.rows if row.title == "A Survey of Personalization: From RAG to Agent")
    assert survey.arxiv_id == "2504.10147"
    assert [(finding.kind, finding.message) for finding in parsed.malformed] == [
        ("broken-markdown",
         "awesome-personalized-alignment.md:32: the row has 4 cells but the header has 3 (extra cells ignored)")
    ]


@pytest.fixture(scope="module")
def layouts():
    return read_list(FIXTURES / "layouts.md")


def test_columns_are_mapped_by_header_meaning(layouts):
    rows = {row.source.line: row for row in layouts.rows}
    chinese = rows[7]
    assert chinese.title == "个性化对齐综述: A Survey of Personalized Alignment"
    assert (chinese.abbreviation, chinese.year, chinese.month, chinese.venue) == (None, 2025, 4, None)
    assert chinese.tags == ("综述",) and chinese.is_survey
    assert chinese.section == Section("综述 Surveys")
    lamp = rows[15]
    assert lamp.title == "LaMP: When Large Language Models Meet Personalization"  # emphasis stripped
    assert (lamp.abbreviation, lamp.year, lamp.venue) == ("LaMP", 2024, "ACL")
    assert lamp.arxiv_id == "2304.11406"  # the link around the badge
    assert lamp.section == Section("Methods", "Decoding")


def test_escaped_pipes_html_and_short_years(layouts):
    rows = {row.source.line: row for row in layouts.rows}
    reward = rows[16]
    assert reward.title == "Reward Guided Search | with pipes"
    assert (reward.abbreviation, reward.year, reward.venue) == (None, 2023, "EMNLP Findings")
    assert reward.arxiv_id == "2310.09520v4"


def test_missing_and_extra_cells_are_read_and_reported(layouts):
    rows = {row.source.line: row for row in layouts.rows}
    assert rows[17].title == "Pad: Personalized alignment at decoding-time"
    assert (rows[17].year, rows[17].venue, rows[17].links) == (2023, "NeurIPS", ())
    recap = rows[23]
    assert recap.year == 2020 and recap.tags == ("Dialogue", "RAG")
    assert recap.section == Section("Methods", "Retrieval")
    messages = [(finding.kind, finding.message) for finding in layouts.malformed]
    assert messages == [
        ("broken-markdown", "layouts.md:17: the row has 3 cells but the header has 4 (missing cells read as empty)"),
        ("broken-markdown", "layouts.md:23: the row has 6 cells but the header has 5 (extra cells ignored)"),
        ("malformed-row", "layouts.md:25: row has no paper title; skipped"),
    ]


def test_author_label_is_kept_as_abbreviation_but_good_rows_still_build(layouts):
    assert len(layouts.rows) == 6
    assert {row.abbreviation for row in layouts.rows} >= {"Zhang et al.", "RECAP"}


def test_table_without_titles_is_skipped_with_a_note(layouts):
    assert [(note.kind, str(note)) for note in layouts.notes] == [
        ("untitled-table", "layouts.md:29: table with columns Workshop | Date | Venue has no paper-title column; skipped")
    ]


def test_html_that_is_not_formatting_stays_literal_text(tmp_path):
    path = write_list(tmp_path, "x.md", TABLE.format(rows=row('<img src=x onerror="alert(1)"> and <script>bad()</script>')))
    (parsed_row,) = read_list(path).rows
    assert parsed_row.title == '<img src=x onerror="alert(1)"> and <script>bad()</script>'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file (it contains NUL bytes), not a Markdown list"),
        (b"# List\n\xff\xfe caf\xe9\n", "is not UTF-8 text (invalid byte 0xff at offset 7)"),
        (b"# A list\n\nJust prose, no tables.\n", "no papers found (no Markdown table with a title column and no list item with a paper link)"),  # noqa: E501
    ],
)
def test_unusable_list_files_name_the_file(tmp_path, content, message):
    path = tmp_path / "list.md"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ListInputError) as raised:
        read_list(path)
    assert str(raised.value) == f"{path}: {message}"


def test_directory_is_not_a_list(tmp_path):
    with pytest.raises(ListInputError, match="is a directory"):
        read_list(tmp_path)


# ----- shapes sibling lists use -----------------------------------------------------------------------------------

SIBLING_SHAPES = """# Awesome X

<h2 id="toc">Table of Contents</h2>

- [Datasets](#datasets)

<h2 id="datasets">Datasets &amp; Benchmarks</h2>

| Dataset | Date | Link |
|---|---|---|
| [PersonaChat](https://arxiv.org/abs/1801.07243) | 1801 | [code](https://github.com/x/y) |
| [LaMP](https://arxiv.org/abs/2304.11406) | 2304 | |
| Internal set | 2301 | |

<h3>Alignment methods</h3>

| Title | Date | Code |
|---|---|---|
| [Personalized soups](https://arxiv.org/abs/2310.11564) | 2405 | |
| [A paper without a date](https://arxiv.org/abs/2402.17977) |  | |

<h2>Position papers</h2>

- “Whose opinions do language models reflect?” (Santurkar et al., 2023, p. 361) [ICML](https://proceedings.mlr.press/v202/santurkar23a.html)
- Modular Pluralism: Pluralistic Alignment via Multi-LLM Collaboration. [ICLR, 2022] [[paper](https://arxiv.org/abs/2406.15951)] [[code](https://github.com/x/y)]
- Aligning to thousands of preferences. [EMNLP23] [[paper](https://arxiv.org/abs/2405.17977)]
- A preprint on steering. [Arxiv23] [[paper](https://arxiv.org/abs/2305.11111)]
- A paper at ACL. [ACL'24] [[paper](https://arxiv.org/abs/2401.22222)]
"""


def test_the_shapes_sibling_lists_use():
    """HTML headings as sections, YYMM dates, the year of an arXiv id when none is written, a Dataset column that
    links papers, quoted titles with a citation, venues with glued or bracketed years — each read as a maintainer
    reading the excerpt would."""
    parsed = parse_list_text(SIBLING_SHAPES, "shapes.md")
    rows = {row.title: (str(row.section), row.year, row.month, row.venue) for row in parsed.rows}
    assert rows == {
        "PersonaChat": ("Datasets & Benchmarks", 2018, 1, None),
        "LaMP": ("Datasets & Benchmarks", 2023, 4, None),
        "Personalized soups": ("Datasets & Benchmarks › Alignment methods", 2024, 5, None),
        "A paper without a date": ("Datasets & Benchmarks › Alignment methods", 2024, 2, None),
        "Whose opinions do language models reflect?": ("Position papers", 2023, None, "ICML"),
        "Modular Pluralism: Pluralistic Alignment via Multi-LLM Collaboration": ("Position papers", 2022, None, "ICLR"),
        "Aligning to thousands of preferences": ("Position papers", 2023, None, "EMNLP"),
        "A preprint on steering": ("Position papers", 2023, None, None),
        "A paper at ACL": ("Position papers", 2024, None, "ACL"),
    }  # "Internal set" links no paper: a row of the dataset table, but no paper
    assert parsed.malformed == [] and parsed.title == "Awesome X"
