"""The fake Semantic Scholar's database, generated deterministically from the bundled list.

It is built from the list's raw lines with plain regular expressions (not with pa-graph's parser), so the tests
that compare pa-graph's results with it compare two independent readings. What it plants on purpose:

* every listed work is a paper on S2 under its title in Title Case (so matching must ignore case), with 1-4 authors
  from a shared pool and a venue;
* ``WRONG_LINKS``: rows whose listed arXiv id belongs, on S2, to another paper (a decoy, or another listed paper for
  the five shared ids); the work's own arXiv id is a different one;
* ``UNKNOWN_IDS``: listed arXiv ids S2 does not know (``null`` in a batch); the work has another id;
* ``NO_ARXIV``: a work S2 knows without any arXiv id (its listed link points to a decoy: reported, not fixable);
* ``UNKNOWN_WORKS``: a work S2 does not know at all (its id is unknown, title match answers 404);
* the survey listed with an OpenReview link only has an arXiv id on S2 (a missing link);
* citations: each listed work cites up to 3 earlier listed works and 4-12 papers of a pool of 150 external
  "classics" drawn with Zipf weights (so a few are cited by many listed works: the missing papers a gap analysis
  should find), plus one reference S2 could not resolve (``paperId: null``); each listed work is cited by 25-45
  external papers (for ``--citations``).
  The classics are cited beyond the list too: each has ``40000 / (rank + 1)²`` more citations on S2 than the
  fake serves (``extra_citations``): the four most used (``GENERAL_CLASSICS``, 2,500-40,000 more, cited by listed
  works of every section) are general works, the next ones moderately cited background, the rest niche works;
  each cites 3-6 "old works" no listed work cites.
* ``TOPICAL_GAPS``: one paper per named section, cited by about 60% of that section's listed works and by few
  papers overall (5-15 more), citing 4 of that section's listed works: the missing papers a maintainer would add.
* ``EXTRA_TITLES``: papers that are not in the bundled list, with ``&``, ``+``, ``#`` and ``%`` in their titles.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

BUNDLED = Path(__file__).resolve().parents[2] / "src" / "pa_graph" / "data" / "awesome-personalized-alignment.md"
SEED = 20261127

# Title (as listed, after mojibake repair) → the work's own arXiv id on S2. The listed link points elsewhere.
WRONG_LINKS = {
    "Personalm: Language model personalization via domain-distributed span aggregated k-nearest n-gram retrieval"
    " augmentation": "2305.11451",
    "Parm: Multi-objective test-time alignment via preference-aware autoregressive reward model": "2505.06274",
    "Language models as zero-shot planners: Extracting actionable knowledge for embodied agents": "2201.07207",
    "Personalized Graph-Based Retrieval for Large Language Models": "2501.02157",
    "User embedding model for personalized language prompting": "2401.04858",
    "Args: Alignment as reward-guided search": "2402.01694",
    "Pad: Personalized alignment at decoding-time": "2410.04070",
    "Controlled decoding from language models": "2310.17022",
    "Don’t throw away your value model! generating more preferable text with value-guided monte-carlo tree search"
    " decoding": "2309.15028",
    "Evaluating and inducing personality in pre-trained language models": "2206.07550",
}
UNKNOWN_IDS = {
    "Improving Personalized Sentiment Representation with Knowledge-enhanced and Parameter-efficient Layer"
    " Normalization": "2403.11234",
    "β-DPO: Direct Preference Optimization with Dynamic β": "2407.08639",
}
NO_ARXIV = {"GroupAligner: A Deep Reinforcement Learning with Domain Adaptation for Social Group Alignment"}
UNKNOWN_WORKS = {"Multi-agent collaboration mechanisms based on distributed online meta-learning for mass personalization"}
MISSING_LINK = {"A Survey on Alignment for Large Language Model Agents": "2502.11111"}
# Listed spellings S2 knows under another title.
S2_TITLES = {
    "Efficient llm contextualization with user embeddings": "User-LLM: Efficient LLM Contextualization with User Embeddings",
}
#: Titles of the general works among the classics (see the module docstring).
TOPICAL_GAP_VENUE = "NeurIPS"  # the topical gaps are published: their rows must say so, not "arxiv"
GENERAL_CLASSICS = {f"Classic Study {n} of Preference Learning" for n in range(4)}
#: Section (as headed in the list, decoration stripped) → the title of the topical gap planted in it.
TOPICAL_GAPS = {
    "RAG": "Topical Gap: Retrieval Over User Histories for Personal Assistants",
    "Guided Decoding": "Topical Gap: Token-Level Reward Guidance for Per-User Decoding",
    "Learning From Human Feedback": "Topical Gap: Learning Individual Reward Models from Sparse Feedback",
}
EXTRA_TITLES = [
    "R&D for LLMs: Alignment + Personalization",
    "C# Code Models Are 100% Personalizable",
    "Tuning #Hashtags & +Plus Signs at 50% Cost",
]


@dataclass
class Paper:
    paper_id: str
    title: str
    year: int | None
    corpus_id: int
    arxiv_id: str | None = None
    doi: str | None = None
    venue: str | None = None
    authors: list[tuple[str, str]] = field(default_factory=list)
    references: list[str | None] = field(default_factory=list)  # None: a reference S2 could not resolve
    citations: list[str] = field(default_factory=list)
    listed: bool = False
    extra_citations: int = 0  # citations S2 counts in citationCount but the fake does not serve

    @property
    def citation_count(self) -> int:
        return len(self.citations) + self.extra_citations


@dataclass
class World:
    papers: dict[str, Paper]
    by_arxiv: dict[str, str]
    listed_titles: dict[str, str]  # listed title → paper id

    def planted_cites(self, citing: set[str] | None = None) -> set[tuple[str, str]]:
        """Every (citing, cited) S2 paper-id pair the nested references give, for the given citing papers."""
        chosen = citing if citing is not None else {p.paper_id for p in self.papers.values() if p.listed}
        return {(pid, ref) for pid in chosen for ref in self.papers[pid].references if ref is not None}

    def expected_cites(self, resolved: set[str], fetched: int = 200) -> set[tuple[str, str]]:
        """What a build that resolved ``resolved`` holds: their references, plus the references of the ``fetched``
        works not in the list most cited by them (cited by at least two; ties by id) that point to a work the graph
        has (a resolved work or one of their references)."""
        planted = self.planted_cites(resolved)
        counts: dict[str, int] = {}
        for _, cited in planted:
            if cited not in resolved:
                counts[cited] = counts.get(cited, 0) + 1
        candidates = sorted((c for c, n in counts.items() if n >= 2), key=lambda c: (-counts[c], c))[:fetched]
        known = resolved | {cited for _, cited in planted}
        return planted | {(c, ref) for c in candidates for ref in self.papers[c].references
                          if ref is not None and ref in known and ref != c}


def _norm(title: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", title.casefold()).split())


def _pid(text: str) -> str:
    return hashlib.sha1(f"s2:{text}".encode()).hexdigest()


def raw_lines() -> list[str]:
    """The bundled list's lines with Mac-Roman mojibake undone — read independently of pa-graph's parser."""
    lines = []
    for raw in BUNDLED.read_text(encoding="utf-8").split("\n"):
        try:
            lines.append(raw.encode("mac_roman").decode("utf-8"))
        except (UnicodeEncodeError, UnicodeDecodeError):
            lines.append(raw)
    return lines


def _listed_rows() -> list[tuple[str, str | None, int | None, str]]:
    """(title, arXiv base id, year, section heading) of every table row, read with regular expressions."""
    rows = []
    heading = ""
    for line in raw_lines():
        if line.startswith("#"):
            heading = re.sub(r"^#+\s*[^\w(]*", "", line).strip()
        if not line.startswith("| ") or line.startswith("| Paper") or line.startswith("| Title"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        linked = re.match(r"\[(.+)\]\((\S+)\)$", cells[0])
        title = linked.group(1) if linked else cells[0]
        found = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", line)
        years = re.findall(r"\b(20\d\d)\b", " ".join(cells[1:3]))
        rows.append((title, found.group(1) if found else None, int(years[0]) if years else None, heading))
    return rows


def build_world() -> World:
    rng = random.Random(SEED)
    papers: dict[str, Paper] = {}
    by_arxiv: dict[str, str] = {}
    listed_titles: dict[str, str] = {}
    authors = [(str(1000 + n), f"Author {n:03d}") for n in range(300)]
    venues = ["NeurIPS", "ICLR", "ACL", "EMNLP", "SIGIR", "WWW", None]

    def add(paper: Paper) -> Paper:
        papers[paper.paper_id] = paper
        if paper.arxiv_id:
            by_arxiv[paper.arxiv_id] = paper.paper_id
        return paper

    order: list[Paper] = []
    sections: dict[str, list[str]] = {}  # heading → paper ids of its rows
    for title, arxiv_id, year, heading in _listed_rows():
        sections.setdefault(heading, []).append(_pid(_norm(S2_TITLES.get(title, title))))
        s2_title = S2_TITLES.get(title, title)
        pid = _pid(_norm(s2_title))
        listed_titles[title] = pid
        if pid in papers or title in UNKNOWN_WORKS:
            continue
        own = WRONG_LINKS.get(title) or UNKNOWN_IDS.get(title) or MISSING_LINK.get(title)
        if title in NO_ARXIV:
            own = None
        elif own is None:
            own = arxiv_id
        paper = Paper(pid, s2_title.title() if s2_title == title else s2_title, year, int(pid[:7], 16),
                      arxiv_id=own, doi=f"10.5555/{pid[:10]}" if rng.random() < 0.5 else None,
                      venue=rng.choice(venues), authors=rng.sample(authors, rng.randint(1, 4)), listed=True)
        order.append(add(paper))
    listed_titles = {t: pid for t, pid in listed_titles.items() if pid in papers}

    # Decoys: the papers the wrong and no-arXiv links really point to.
    for title, arxiv_id, _year, _ in _listed_rows():
        if (title in WRONG_LINKS or title in NO_ARXIV) and arxiv_id not in by_arxiv:
            add(Paper(_pid(f"decoy {arxiv_id}"), f"Decoy Paper Behind arXiv {arxiv_id}", 2000 + int(arxiv_id[:2]),
                      int(_pid(f"decoy {arxiv_id}")[:7], 16), arxiv_id=arxiv_id))

    old_works = [add(Paper(_pid(f"old {n}"), f"Old Work {n} on Statistics", 1990 + n % 20, int(_pid(f"old {n}")[:7], 16)))
                 for n in range(40)]
    classics = [add(Paper(_pid(f"classic {n}"), f"Classic Study {n} of Preference Learning", 2015 + n % 8,
                          int(_pid(f"classic {n}")[:7], 16), arxiv_id=f"{15 + n % 8}{n % 12 + 1:02d}.{n:05d}",
                          authors=rng.sample(authors, 2), extra_citations=40000 // (n + 1) ** 2,
                          references=sorted(o.paper_id for o in rng.sample(old_works, rng.randint(3, 6)))))
                for n in range(150)]
    weights = [1 / (rank + 1) for rank in range(len(classics))]
    for index, paper in enumerate(order):
        earlier = [other for other in order[:index] if (other.year or 0) <= (paper.year or 0)]
        cited = rng.sample(earlier, min(len(earlier), rng.randint(0, 3)))
        picked = {c.paper_id for c in rng.choices(classics, weights=weights, k=rng.randint(4, 12))}
        paper.references = [c.paper_id for c in cited] + sorted(picked) + [None]
        for n in range(rng.randint(25, 45)):
            citing = add(Paper(_pid(f"citing {paper.paper_id} {n}"), f"Follow-up {n} on {paper.title[:40]}",
                               (paper.year or 2024) + 1, int(_pid(f"citing {paper.paper_id} {n}")[:7], 16),
                               authors=rng.sample(authors, 1)))
            paper.citations.append(citing.paper_id)
    for n, (heading, title) in enumerate(TOPICAL_GAPS.items()):
        members = [papers[pid] for pid in dict.fromkeys(sections[heading]) if pid in papers]
        citing = rng.sample(members, round(0.6 * len(members)))
        gap = add(Paper(_pid(_norm(title)), title, 2023, 8_000_000 + n, arxiv_id=f"2305.{80000 + n}",
                        venue=TOPICAL_GAP_VENUE, authors=rng.sample(authors, 3),
                        extra_citations=round(0.6 * len(members)) + rng.randint(5, 15),
                        references=sorted(p.paper_id for p in rng.sample(members, 4)) + [classics[n + 40].paper_id]))
        for paper in citing:
            paper.references.insert(-1, gap.paper_id)  # before the unresolved reference, which stays last
    for n, title in enumerate(EXTRA_TITLES):
        add(Paper(_pid(_norm(title)), title, 2024, 9_000_000 + n, arxiv_id=f"2406.{90000 + n}"))
    return World(papers, by_arxiv, listed_titles)


def raw_rows():
    """(title, section, year, venue) per table row, read with regular expressions; titles of one work unified."""
    rows, section = [], None
    for line in raw_lines():
        heading = re.match(r"(#{2,4}) \W*(.+)", line)
        if heading:
            section = heading.group(2).strip()
        elif line.startswith("| ") and not line.startswith(("| Paper", "| Title")):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            title = re.sub(r"^\[(.+)\]\(\S+\)$", r"\1", cells[0])
            if title.lower() == "user-llm: efficient llm contextualization with user embeddings":
                title = "Efficient llm contextualization with user embeddings"  # USER-LLM's second spelling
            year = int(re.search(r"\b20\d\d\b", " ".join(cells[1:3])).group())
            survey = section == "Related Surveys"
            venue = None if survey or cells[3] == "arxiv" else {"NIPS": "NeurIPS"}.get(cells[3], cells[3])
            rows.append((title, section, year, venue))
    return rows


def bundled_counts() -> dict[str, int]:
    """Rows, works and surveys of the bundled list counted from its raw Markdown with regular expressions — an
    answer computed without pa-graph's reader, for the tests that check a total."""
    rows = raw_rows()
    return {"rows": len(rows), "works": len({title.casefold() for title, *_ in rows}),
            "surveys": len({title.casefold() for title, section, *_ in rows if section == "Related Surveys"})}
