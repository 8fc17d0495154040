from __future__ import annotations

from collections import Counter

from fake_s2.world import bundled_counts

from pa_graph.model import nodes_of_kind


def test_node_counts_by_kind(bundled):
    kinds = Counter(data["kind"] for _, data in bundled.model.nodes(data=True))
    # counted by hand from the list's columns: 23 distinct tags, 98 distinct method abbreviations
    # (author labels excluded, USER-LLM/UserLLM one method), 23 venues besides "arxiv"
    raw = bundled_counts()
    assert kinds == {"work": raw["works"], "section": 12, "tag": 23, "method": 98, "venue": 23}
    types = Counter(data["work_type"] for node, data in bundled.model.nodes(data=True) if data["kind"] == "work")
    assert types == {"paper": raw["works"] - raw["surveys"], "survey": raw["surveys"]}


def test_sections_have_two_levels(bundled):
    model = bundled.model
    levels = Counter(model.nodes[node]["level"] for node in nodes_of_kind(model, "section"))
    assert levels == {1: 3, 2: 9}
    broader = [(u, v) for u, v, key in model.edges(keys=True) if key == "broader"]
    assert len(broader) == 9
    assert ("section/test-time-personalized-alignment/rag", "section/test-time-personalized-alignment") in broader


def test_tags_and_categories_with_one_label_are_different_nodes(bundled):
    model = bundled.model
    assert model.nodes["tag/rag"]["label"] == "RAG"
    assert model.nodes["section/test-time-personalized-alignment/rag"]["label"] == "RAG"
    assert model.nodes["tag/agent"]["kind"] == "tag"


def test_author_labels_are_not_methods_and_arxiv_is_not_a_venue(bundled):
    labels = {bundled.model.nodes[node]["label"] for node in nodes_of_kind(bundled.model, "method")}
    assert not {"Zhang et al.", "Salemi and Zamani", "Au et al.", "Deng et al.", "Shen et al.", "Salemi et al."} & labels
    venues = {bundled.model.nodes[node]["label"] for node in nodes_of_kind(bundled.model, "venue")}
    assert "arxiv" not in {venue.casefold() for venue in venues}
    assert {"NeurIPS", "SIGIR", "TOIS"} <= venues


def test_method_spellings_become_alt_labels(bundled):
    node = bundled.model.nodes["method/user-llm"]
    assert (node["label"], node["alt_labels"]) == ("USER-LLM", ["UserLLM"])


def test_merged_work_carries_every_relation(bundled):
    model = bundled.model
    title = "Personalized language modeling from"
    (work,) = [n for n in nodes_of_kind(model, "work") if model.nodes[n]["title"].startswith(title)]
    relations = Counter(key for _, _, key in model.out_edges(work, keys=True))
    assert relations == {"listed_in": 1, "has_tag": 2, "proposes_method": 2}
    assert [source["line"] for source in model.nodes[work]["sources"]] == [215, 229]


def test_edge_counts(bundled):
    relations = Counter(key for _, _, key in bundled.model.edges(keys=True))
    # 164 rows less the merges inside one section (rewrite prompts, PGraphRAG, UniMS-RAG, P-RLHF/P-DPO)
    assert relations["listed_in"] == 160
    assert relations["proposes_method"] == 98
    assert relations["broader"] == 9


def test_importing_the_package_or_the_model_loads_no_http_client():
    import subprocess
    import sys

    code = "import sys, pa_graph, pa_graph.model, pa_graph.analysis.gaps; print('httpx' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
