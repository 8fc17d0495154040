"""The fake OpenAlex's database: the fake Semantic Scholar's world (``fake_s2.world``) as OpenAlex would hold it.

Every S2 paper is one OpenAlex work, ``W`` + a number given in the order of the S2 ids (so the two fakes agree on
who cites whom, and a test can map one onto the other). How OpenAlex differs, as it does for real:

* a work's ``doi`` is its publisher DOI when it has one, else its arXiv DOI ``10.48550/arxiv.<id>`` (lower case, as
  an ``https://doi.org/`` URL); its arXiv id otherwise shows only as an ``arxiv.org`` location — so a listed arXiv
  link of a published paper is *not* found by DOI and the title search must find it;
* references are bare work ids (``referenced_works``); authors are ``A…`` ids; the venue is the primary location's
  source.

With ``plant=True`` it also disagrees with S2 on purpose (``PLANTED``): one listed work is a year later, one has
another arXiv id, and one is missing (nothing references it either). Without, the two sources agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fake_s2.world import World

#: Planted disagreements, by kind: the S2 paper chosen (see :func:`build_openalex_world`).
PLANTED_KINDS = ("year", "arxiv-id", "only-s2")


@dataclass
class OAWork:
    work_id: str
    paper_id: str  # the S2 paper it stands for
    title: str
    year: int | None
    doi: str | None
    arxiv_id: str | None
    venue: str | None
    authors: list[tuple[str, str]]
    referenced: list[str]
    cited_by_count: int
    listed: bool = False


@dataclass
class OpenAlexWorld:
    works: dict[str, OAWork]  # W id → work
    by_paper: dict[str, str]  # S2 paper id → W id
    planted: dict[str, str] = field(default_factory=dict)  # kind → S2 paper id

    def citing(self, cited: str) -> list[OAWork]:
        return sorted((w for w in self.works.values() if cited in w.referenced), key=lambda w: int(w.work_id[1:]))


def build_openalex_world(world: World, plant: bool = False) -> OpenAlexWorld:
    ids = {pid: f"W{4000 + n}" for n, pid in enumerate(sorted(world.papers))}
    listed = sorted(p.paper_id for p in world.papers.values() if p.listed)
    planted: dict[str, str] = {}
    if plant:
        plain = [pid for pid in listed if world.papers[pid].arxiv_id and not world.papers[pid].doi
                 and world.papers[pid].year]
        planted = {"year": plain[0], "arxiv-id": plain[1], "only-s2": plain[2]}
    works: dict[str, OAWork] = {}
    for pid, paper in world.papers.items():
        if pid == planted.get("only-s2"):
            continue
        arxiv = paper.arxiv_id
        if pid == planted.get("arxiv-id"):
            arxiv = "2599.00042"
        year = paper.year + 1 if pid == planted.get("year") else paper.year
        doi = paper.doi.lower() if paper.doi else f"10.48550/arxiv.{arxiv}" if arxiv else None
        # citations S2 serves come from the citing papers' references: OpenAlex has them the same way
        works[ids[pid]] = OAWork(
            ids[pid], pid, paper.title, year, doi, arxiv, paper.venue,
            [(f"A{aid}", name) for aid, name in paper.authors],
            [ids[ref] for ref in paper.references if ref is not None and ref != planted.get("only-s2")],
            paper.citation_count, paper.listed)
    for pid, paper in world.papers.items():  # S2's /citations of a listed paper: the citing papers cite it
        for citing in paper.citations:
            work = works.get(ids[citing])
            if work is not None and pid != planted.get("only-s2") and ids[pid] not in work.referenced:
                work.referenced.append(ids[pid])
    return OpenAlexWorld(works, {pid: ids[pid] for pid in world.papers if ids[pid] in works}, planted)
