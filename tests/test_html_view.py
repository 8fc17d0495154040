from __future__ import annotations

import json
import re

from conftest import write_list
from pa_graph import assemble
from pa_graph.html_view import render_html

PAYLOADS = ['<img src=x onerror="alert(1)">', "<script>alert(2)</script>"]
HOSTILE_LIST = f"""## Section {PAYLOADS[1]}

### Sub <img src=x onerror=alert(3)>

| Paper | Abbr. | Year | Source | Tag | PDF |
|---|---|---|---|---|---|
| [{PAYLOADS[0]} title](javascript:alert(4)) | {PAYLOADS[1]} | 2024 | arxiv | {PAYLOADS[0]} | |
"""


def test_page_loads_nothing_from_the_network(built):
    page = (built / "graph.html").read_text(encoding="utf-8")
    assert not re.search(r"""<(?:script|link)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "bootstrap" not in page.lower()
    assert "vis.DataSet" in page and "new vis.Network" in page


def test_page_has_one_node_per_work_section_tag_method_venue(built):
    page = (built / "graph.html").read_text(encoding="utf-8")
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, re.DOTALL).group(1))
    assert len(nodes) == 156 + 12 + 23 + 98 + 23
    groups = {node["group"] for node in nodes}
    assert groups == {"paper", "survey", "section", "tag", "method", "venue"}
    assert all("x" in node and "y" in node for node in nodes)


def test_list_content_never_reaches_the_page_as_markup(tmp_path):
    kg = assemble([write_list(tmp_path, "hostile.md", HOSTILE_LIST)])
    page = render_html(kg.model)
    for payload in PAYLOADS + ["<img src=x onerror=alert(3)>"]:
        assert payload not in page
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, re.DOTALL).group(1))
    labels = {node["label"] for node in nodes}
    assert PAYLOADS[1] in labels  # the abbreviation, kept as text, escaped in the page source
    assert any(PAYLOADS[0] in node["title"] for node in nodes)
