"""The Semantic Scholar response cache: one SQLite file, one row per answer (negative answers included).

SQLite gives what a cache of a long, killable build needs: each answer is committed on its own, so a build killed
mid-way keeps everything it finished; WAL mode and a busy timeout let concurrent builds share one cache. Only
:mod:`pa_graph.sources.s2` writes to it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

from pa_graph.errors import CacheError
from pa_graph.settings import cache_dir_from, default_cache_dir
from pa_graph.text import loads_bounded

__all__ = ["Cached", "ResponseCache", "default_cache_dir", "cache_dir_from"]

_DAMAGED = object()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    request TEXT NOT NULL,
    retrieved_at TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Cached:
    """One stored answer: the JSON value (``None`` for "S2 knows no such thing"), the request that produced it and
    when it was retrieved (UTC, ISO 8601) — the provenance of every statement derived from it."""

    value: Any  # parsed JSON, checked by whoever reads it
    request: str
    retrieved_at: str


class ResponseCache:
    """Key → :class:`Cached` in ``<folder>/s2.sqlite3``. ``read_only`` (offline builds) opens the file for reading
    only, so a cache the user may not write to still answers; a missing file is then an empty cache."""

    FILE_NAME = "s2.sqlite3"

    def __init__(self, folder: str | Path, read_only: bool = False) -> None:
        self.path = Path(folder) / self.FILE_NAME
        self.read_only = read_only
        self.damaged: list[str] = []  # keys whose stored value was no answer (dropped)

    @cached_property
    def _db(self) -> sqlite3.Connection:
        """The file, opened on first use: a session that never reads or writes an answer creates nothing."""
        if self.read_only:
            try:
                if self.path.is_file():
                    # a WAL file needs its -shm beside it even to read; in a folder the user cannot write to,
                    # read it as immutable (a cleanly closed cache holds everything in the main file)
                    immutable = "&immutable=1" if not os.access(self.path.parent, os.W_OK) else ""
                    db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro{immutable}", uri=True,
                                         timeout=30, isolation_level=None)
                    db.execute("PRAGMA busy_timeout=30000")
                else:
                    db = sqlite3.connect(":memory:", isolation_level=None)
                    db.execute(_SCHEMA)
            except sqlite3.Error as err:
                raise CacheError(f"{self.path}: cannot open the cache ({err})") from err
            return db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA busy_timeout=30000")
            self._use_wal(db)
            db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as err:
            raise CacheError(f"{self.path}: cannot open the cache ({err})") from err
        return db

    @staticmethod
    def _use_wal(db: sqlite3.Connection) -> None:
        """WAL mode, which lets builds share the file. Switching needs the file to itself for a moment, and SQLite
        answers "locked" at once instead of waiting when another build is switching it too: try again briefly."""
        for attempt in range(50):
            try:
                if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or attempt == 49:
                    raise
                time.sleep(0.1)

    def get(self, key: str) -> Cached | None:
        """The stored answer; ``None`` when there is none or it cannot be read back (then it is asked again)."""
        try:
            row = self._db.execute("SELECT value, request, retrieved_at FROM answers WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError as err:
            if "malformed" in str(err) or "not a database" in str(err):
                raise CacheError(f"{self.path}: the cache file is damaged ({err}); remove it or run "
                                 "'pa-graph cache clear'") from err
            raise CacheError(f"{self.path}: the cache cannot be read ({err})") from err
        if row is None:
            return None
        try:
            value = loads_bounded(row[0])
        except ValueError:
            value = _DAMAGED
        if value is _DAMAGED or not (value is None or isinstance(value, (dict, list))):
            self.damaged.append(key)  # a string, a number or JSON too deep: never an answer; asked again online
            return None
        return Cached(value, row[1], row[2])

    def put(self, key: str, value: object, request: str, retrieved_at: str | None = None) -> Cached:
        entry = Cached(value, request, retrieved_at or datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self._write([(key, json.dumps(value, separators=(",", ":")), entry.request, entry.retrieved_at)])
        return entry

    def put_many(self, entries: dict[str, object], request: str) -> None:
        """Store the answers of one request in one transaction: all of them or none."""
        retrieved_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._write([(key, json.dumps(value, separators=(",", ":")), request, retrieved_at)
                     for key, value in entries.items()])

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        if self.read_only:
            raise CacheError(f"{self.path}: the cache is open for reading only (an offline build writes nothing)")
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO answers (key, value, request, retrieved_at) VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error as err:
            raise CacheError(f"{self.path}: cannot write to the cache ({err})") from err

    def info(self) -> dict[str, Any]:
        """Size, answer counts per kind (the key's prefix) and the oldest and newest retrieval."""
        kinds = Counter(key.split(":", 1)[0] for (key,) in self._db.execute("SELECT key FROM answers"))
        oldest, newest = self._db.execute("SELECT MIN(retrieved_at), MAX(retrieved_at) FROM answers").fetchone()
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.FILE_NAME + "*"))
        return {"path": str(self.path), "bytes": size, "answers": sum(kinds.values()), "by_kind": dict(sorted(kinds.items())),
                "oldest": oldest, "newest": newest}

    def clear(self) -> int:
        with self._db:
            return self._db.execute("DELETE FROM answers").rowcount

    def expire(self, older_than: timedelta) -> int:
        """Drop answers retrieved longer ago than ``older_than``; the next build fetches them again."""
        cutoff = (datetime.now(timezone.utc) - older_than).isoformat(timespec="seconds")
        with self._db:
            return self._db.execute("DELETE FROM answers WHERE retrieved_at < ?", (cutoff,)).rowcount

    def close(self) -> None:
        if "_db" in self.__dict__:
            self.__dict__.pop("_db").close()
