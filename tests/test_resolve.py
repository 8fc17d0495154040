from __future__ import annotations

import pytest
from fake_s2.world import bundled_counts

from pa_graph.records import ListRow, Section, SourceRef
from pa_graph.resolve import resolve_works


def works_with(bundled, fragment: str):
    fragment = fragment.casefold()
    return [work for work in bundled.works if any(fragment in row.title.casefold() for row in work.rows)]


def test_bundled_list_gives_one_work_per_distinct_title_and_its_surveys(bundled):
    """Against the rows, titles and surveys counted from the raw Markdown with regular expressions."""
    raw = bundled_counts()
    surveys = [work for work in bundled.works if work.is_survey]
    assert len(bundled.works) == raw["works"]
    assert len(surveys) == raw["surveys"]
    assert sum(len(work.rows) for work in bundled.works) == raw["rows"]


@pytest.mark.parametrize(
    ("fragment", "sections", "methods"),
    [
        ("Value augmented sampling", {"Guided Decoding", "Learning From Human Feedback"}, ("VAS",)),
        ("Efficient llm contextualization with user embeddings", {"RAG", "Embedding Learning"}, ("USER-LLM",)),
        ("Personalized language modeling from personalized human feedback", {"Learning From Human Feedback"},
         ("P-RLHF", "P-DPO")),
        ("Unims-rag", {"RAG"}, ("UniMS-RAG",)),
        ("Learning to rewrite prompts for personalized text generation", {"Prompt-based"}, ("Rewrite Prompt",)),
        ("Do llms understand user preferences", {"Prompt-based", "Fine-tune"}, ()),
        ("Integrating summarization and retrieval", {"Prompt-based", "RAG"}, ("PAG",)),
        ("Personalized Graph-Based Retrieval for Large Language Models", {"RAG"}, ("PGraphRAG",)),
    ],
)
def test_the_eight_repeated_rows_merge_keeping_every_membership(bundled, fragment, sections, methods):
    (work,) = works_with(bundled, fragment)
    assert len(work.rows) == 2
    assert {section.label for section in work.sections} == sections
    assert work.methods == methods
    assert len(work.tags) == 2


def test_user_llm_keeps_both_titles(bundled):
    (work,) = works_with(bundled, "llm contextualization with user embeddings")
    assert work.title == "Efficient llm contextualization with user embeddings"
    assert work.alternative_titles == ("User-llm: Efficient llm contextualization with user embeddings",)
    assert [row.abbreviation for row in work.rows] == ["USER-LLM", "UserLLM"]


def test_exactly_eight_works_come_from_several_rows(bundled):
    assert sum(1 for work in bundled.works if len(work.rows) > 1) == 8


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Lamp: When large language models meet personalization", "Personalm: Language model personalization"),
        ("Genarm: Reward guided generation", "Parm: Multi-objective test-time alignment"),
        ("Voyager: An open-ended embodied agent", "Language models as zero-shot planners"),
        ("Personalized Graph-Based Retrieval", "Optimization methods for personalizing"),
        ("Persoma: Personalized soft prompt adapter", "User embedding model for personalized language prompting"),
    ],
)
def test_different_papers_sharing_an_arxiv_id_stay_apart(bundled, first, second):
    (one,) = works_with(bundled, first)
    (other,) = works_with(bundled, second)
    assert one is not other
    shared = {row.arxiv_id for row in one.rows} & {row.arxiv_id for row in other.rows}
    assert shared, "the fixture premise: both rows link the same arXiv id"


def _row(title: str, line: int, arxiv_id: str | None = None, section: str = "A") -> ListRow:
    return ListRow(source=SourceRef("t.md", line), section=Section(section), title=title, arxiv_id=arxiv_id)


def test_same_title_in_two_sections_merges_and_keeps_order():
    works = resolve_works([_row("Alpha paper on things", 1, section="A"), _row("Beta", 2),
                           _row("ALPHA paper, on things!", 3, section="B")])
    assert [work.title for work in works] == ["Alpha paper on things", "Beta"]
    assert [section.top for section in works[0].sections] == ["A", "B"]


def test_typo_merges_but_a_shared_link_alone_does_not():
    works = resolve_works([
        _row("Few-shot personalization of llms with mis-aligned re- sponses", 1),
        _row("Few-shot personalization of LLMs with misaligned responses", 2),
        _row("Completely different study of graphs", 3, arxiv_id="2401.00001"),
        _row("Another unrelated paper about decoding", 4, arxiv_id="2401.00001v2"),
    ])
    assert [len(work.rows) for work in works] == [2, 1, 1]


def test_work_keys_are_deterministic_and_unique(bundled):
    keys = [work.key for work in bundled.works]
    assert len(set(keys)) == len(keys)
    again = resolve_works(row for parsed in bundled.lists for row in parsed.rows)
    assert [work.key for work in again] == keys


def test_near_duplicates_among_thousands_of_titles_are_found_by_blocking():
    import random

    from pa_graph.resolve import ALL_PAIRS_LIMIT, _near_duplicate_pairs

    rng = random.Random(3)
    words = "alignment personal reward model user memory retrieval agent decoding feedback preference".split()
    keys = list(dict.fromkeys(" ".join(rng.choice(words) for _ in range(9)) + f" {n}"
                              for n in range(ALL_PAIRS_LIMIT + 500)))
    planted = {(keys[10], "x" + keys[10][1:]), (keys[20], keys[20][:-4] + "q" + keys[20][-3:])}
    found = set(_near_duplicate_pairs(keys + [b for _, b in planted]))
    assert len(keys) > ALL_PAIRS_LIMIT
    assert all((a, b) in found or (b, a) in found for a, b in planted)


@pytest.mark.parametrize(("one", "other"), [("GPT-4 Technical Report", "GPT-4o Technical Report"),
                                            ("Qwen2 Technical Report", "Qwen2.5 Technical Report"),
                                            ("Scaling ViT-B for Alignment", "Scaling ViT-L for Alignment"),
                                            ("Persona Alignment, Part I", "Persona Alignment, Part II")])
def test_titles_that_differ_in_a_number_or_a_letter_are_two_works_even_on_one_link(one, other):
    rows = [ListRow(SourceRef("a.md", 1), Section("S"), one, arxiv_id="2407.10671"),
            ListRow(SourceRef("a.md", 2), Section("S"), other, arxiv_id="2407.10671")]
    assert [work.title for work in resolve_works(rows)] == [one, other]
