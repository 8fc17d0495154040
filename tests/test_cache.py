from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from pa_graph.errors import CacheError
from pa_graph.sources.response_cache import ResponseCache, cache_dir_from


def test_answers_round_trip_with_their_provenance(tmp_path):
    cache = ResponseCache(tmp_path)
    cache.put("match:x", None, "GET https://api/match?query=x", "2026-01-02T03:04:05+00:00")
    cache.put_many({"paper:A": {"paperId": "A"}, "paper:B": None}, "POST https://api/batch")
    assert cache.get("match:x").value is None and cache.get("match:x").retrieved_at == "2026-01-02T03:04:05+00:00"
    assert cache.get("paper:A").value == {"paperId": "A"} and cache.get("paper:A").request == "POST https://api/batch"
    assert cache.get("paper:C") is None
    assert ResponseCache(tmp_path).get("paper:B").value is None  # survives reopening


def test_expire_drops_only_old_answers(tmp_path):
    cache = ResponseCache(tmp_path)
    cache.put("paper:old", {"paperId": "old"}, "r", "2020-01-01T00:00:00+00:00")
    cache.put("paper:new", {"paperId": "new"}, "r")
    assert cache.expire(timedelta(days=30)) == 1
    assert cache.get("paper:old") is None and cache.get("paper:new") is not None
    assert cache.info()["by_kind"] == {"paper": 1}


def test_a_second_connection_sees_committed_answers_at_once(tmp_path):
    writer, reader = ResponseCache(tmp_path), ResponseCache(tmp_path)
    writer.put("paper:A", {"paperId": "A"}, "r")
    assert reader.get("paper:A").value == {"paperId": "A"}
    mode = sqlite3.connect(writer.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_cache_folder_choice(tmp_path):
    assert cache_dir_from(tmp_path / "x", {"PA_GRAPH_CACHE_DIR": "/elsewhere"}) == tmp_path / "x"
    assert str(cache_dir_from(None, {"PA_GRAPH_CACHE_DIR": "/elsewhere"})) == "/elsewhere"
    assert cache_dir_from(None, {}).name == "pa-graph"


def test_unusable_cache_folder_is_a_clear_error_on_first_use(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    cache = ResponseCache(blocker / "sub")  # opened on first use: a session that never asks creates nothing
    with pytest.raises(CacheError, match="cannot open the cache"):
        cache.get("paper:x")


def test_offline_reads_open_the_cache_read_only_so_a_cache_one_may_not_write_still_answers(tmp_path):
    import pytest

    from pa_graph import BuildOptions, build
    from pa_graph.errors import CacheError

    writable = ResponseCache(tmp_path)
    writable.put("paper:x", {"paperId": "x"}, "GET https://example.org/x")
    writable.close()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix == ".sqlite3"}
    reader = ResponseCache(tmp_path, read_only=True)
    assert reader.get("paper:x").value == {"paperId": "x"}
    with pytest.raises(CacheError, match="open for reading only"):
        reader.put("paper:y", {}, "GET https://example.org/y")
    reader.close()
    result = build(options=BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path, offline=True))
    assert result.graph.enrichment.mode == "offline"
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix == ".sqlite3"} == before
    empty = ResponseCache(tmp_path / "none", read_only=True)  # no cache file: an empty cache, nothing created
    assert empty.get("paper:x") is None and not (tmp_path / "none").exists()
