"""Lists given by URL: an ``http(s)`` URL of a raw file, a GitHub ``blob/`` URL (read as its raw file), or
``github:owner/repo[@ref][:path]`` (default branch, ``README.md``).

Each fetch is bounded — one deadline for the whole answer, redirects only within the same scheme (at most 5), at
most :data:`MAX_LIST_BYTES` read — and every failure is a :class:`~pa_graph.errors.ListInputError` naming the URL.
A fetched list is kept in the response cache (key ``list:<url>``), so ``--offline`` rebuilds read it from there and
a build whose fetch cannot reach the host falls back to it with a warning. ``PA_GRAPH_GITHUB_RAW_URL`` replaces
``https://raw.githubusercontent.com`` (a mirror, a test server).
"""

from __future__ import annotations

import os
import posixpath
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

import httpx

from pa_graph.errors import ListInputError
from pa_graph.sources.response_cache import Cached, ResponseCache
from pa_graph.text import redacted_url
from pa_graph.tls import tls_context
from pa_graph.version import __version__

__all__ = ["ListLocation", "locate", "is_remote", "ListFetcher", "FetchedList", "MAX_LIST_BYTES",
           "DEFAULT_GITHUB_RAW_URL"]

MAX_LIST_BYTES = 10_000_000
DEFAULT_GITHUB_RAW_URL = "https://raw.githubusercontent.com"
_GITHUB_SHORTHAND = re.compile(r"github:(?P<owner>[^/\s]+)/(?P<repo>[^/@:\s]+)(?:@(?P<ref>[^:\s]+))?(?::(?P<path>\S+))?")
_GITHUB_BLOB = re.compile(r"https?://(?:www\.)?github\.com/(?P<owner>[^/\s]+)/(?P<repo>[^/\s]+)/blob/(?P<rest>\S+)")
#: GitHub's grammar: an owner is 1-39 letters, digits and inner single hyphens; a repository 1-100 letters, digits,
#: ``.``, ``_``, ``-`` (not ``.`` or ``..``); a ref is a Git ref name without ``..``, ``//``, a leading ``-``.
_GITHUB_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_GITHUB_REPO = re.compile(r"(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}")
_GIT_REF = re.compile(r"(?!-)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/-]{1,250}(?<![/.])")
_MAX_REDIRECTS = 5
_TEXT_TYPES = ("text/", "application/octet-stream")


@dataclass(frozen=True)
class ListLocation:
    """Where a list is: the URL to fetch and the name its sources are cited by (``repo/README.md:12``)."""

    given: str  # as the user gave it, credentials redacted: for messages
    url: str  # what is fetched (credentials included, never stored)
    name: str

    @property
    def shown(self) -> str:
        """The URL as it may be stored (cache key, provenance, build.json) or printed."""
        return redacted_url(self.url)


def is_remote(given: str) -> bool:
    return given.startswith(("http://", "https://", "github:"))


def locate(given: str, environ: Mapping[str, str] = os.environ) -> ListLocation:
    """The URL and name of a list given as a URL or ``github:`` shorthand.

    >>> locate("github:owner/awesome-x", {}).url
    'https://raw.githubusercontent.com/owner/awesome-x/HEAD/README.md'
    >>> locate("https://github.com/o/r/blob/main/docs/list.md", {}).url
    'https://raw.githubusercontent.com/o/r/main/docs/list.md'
    >>> locate("github:o/r@v1.0:lists/papers.md", {"PA_GRAPH_GITHUB_RAW_URL": "http://127.0.0.1:9"}).name
    'r/lists/papers.md'
    """
    raw = (environ.get("PA_GRAPH_GITHUB_RAW_URL") or DEFAULT_GITHUB_RAW_URL).rstrip("/")
    shown = redacted_url(given) if given.startswith(("http://", "https://")) else given
    shorthand = _GITHUB_SHORTHAND.fullmatch(given)
    if shorthand:
        return _github(shown, raw, shorthand["owner"], shorthand["repo"], shorthand["ref"] or "HEAD",
                       shorthand["path"] or "README.md")
    if given.startswith("github:"):
        raise ListInputError(f"{given}: not a GitHub list; write github:owner/repo[@ref][:path]")
    blob = _GITHUB_BLOB.fullmatch(given)
    if blob:
        rest = blob["rest"].split("?", 1)[0].split("#", 1)[0]
        ref, _, path = rest.partition("/")
        return _github(shown, raw, blob["owner"], blob["repo"], ref, path)
    parts = urlsplit(given)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ListInputError(f"{shown}: not an http(s) URL")
    return ListLocation(shown, given, f"{parts.hostname}/{parts.path.rstrip('/').rsplit('/', 1)[-1] or 'index'}")


def _github(shown: str, raw: str, owner: str, repo: str, ref: str, path: str) -> ListLocation:
    """A file of a GitHub repository on the raw mirror, every part checked so that the URL stays inside
    ``raw/owner/repo/`` (no ``..``, no encoded separators, no option-like ref)."""
    if not _GITHUB_OWNER.fullmatch(owner) or not _GITHUB_REPO.fullmatch(repo):
        raise ListInputError(f"{shown}: {owner}/{repo} is not a GitHub owner/repository name")
    if ref != "HEAD" and not _GIT_REF.fullmatch(ref):
        raise ListInputError(f"{shown}: {ref!r} is not a Git ref name")
    clean = posixpath.normpath("/" + path).lstrip("/")
    if not path or "\\" in path or "%" in path or any(part in ("..", ".") for part in path.split("/")) or not clean:
        raise ListInputError(f"{shown}: {path!r} is not a path inside the repository")
    prefix = f"{raw}/{owner}/{repo}/"
    url = prefix + quote(ref, safe="/") + "/" + quote(clean, safe="/")
    if not url.startswith(prefix):  # cannot happen after the checks above; kept as the invariant they serve
        raise ListInputError(f"{shown}: would be fetched outside {prefix}")
    return ListLocation(shown, url, f"{repo}/{clean}")


@dataclass(frozen=True)
class FetchedList:
    location: ListLocation
    data: bytes
    fetched_at: str
    from_cache: bool


@dataclass
class ListFetcher:
    """Fetches lists by URL through the response cache; ``offline`` reads the cache only."""

    cache: ResponseCache
    offline: bool = False
    timeout: float = 20.0  # seconds for the whole answer, connection included
    max_bytes: int = MAX_LIST_BYTES
    transport: httpx.BaseTransport | None = None
    warnings: list[str] = field(default_factory=list)

    def fetch(self, location: ListLocation) -> FetchedList:
        key = f"list:{location.shown}"
        cached = self.cache.get(key)
        if self.offline:
            if cached is None:
                raise ListInputError(f"{location.given}: not in the cache; fetch it once online")
            return self._from_cache(location, cached)
        try:
            data = self._download(location)
        except _Unreachable as err:
            if cached is None:
                raise ListInputError(f"{location.given}: {err}") from err
            self.warnings.append(f"{location.given}: {err}; using the copy fetched {cached.retrieved_at}")
            return self._from_cache(location, cached)
        stored = self.cache.put(key, {"text": data.decode("utf-8", "surrogateescape")}, f"GET {location.shown}")
        return FetchedList(location, data, stored.retrieved_at, False)

    @staticmethod
    def _from_cache(location: ListLocation, cached: Cached) -> FetchedList:
        text = cached.value.get("text") if isinstance(cached.value, dict) else None
        if not isinstance(text, str):
            raise ListInputError(f"{location.given}: the cached copy is damaged; fetch it again online")
        return FetchedList(location, text.encode("utf-8", "surrogateescape"), cached.retrieved_at, True)

    def _download(self, location: ListLocation) -> bytes:
        deadline = time.monotonic() + self.timeout
        url = location.url
        headers = {"user-agent": f"pa-graph/{__version__}", "accept": "text/markdown, text/plain, */*;q=0.1",
                   "accept-encoding": "identity"}
        with httpx.Client(transport=self.transport, headers=headers, follow_redirects=False,
                          verify=tls_context()) as client:
            for _ in range(_MAX_REDIRECTS + 1):
                left = deadline - time.monotonic()
                try:
                    with client.stream("GET", url, timeout=httpx.Timeout(max(left, 0.01))) as response:
                        if response.is_redirect:
                            target = urljoin(url, response.headers.get("location", ""))
                            if urlsplit(target).scheme != urlsplit(url).scheme:
                                raise ListInputError(f"{location.given}: redirected to another scheme "
                                                     f"({redacted_url(target)}); "
                                                     "not followed")
                            url = target
                            continue
                        return self._body(location, response, deadline)
                except httpx.TimeoutException as err:
                    raise _Unreachable(f"no complete answer within {self.timeout:g} s") from err
                except httpx.TransportError as err:
                    raise _Unreachable(f"cannot be reached ({err})") from err
            raise ListInputError(f"{location.given}: more than {_MAX_REDIRECTS} redirects")

    def _body(self, location: ListLocation, response: httpx.Response, deadline: float) -> bytes:
        if response.status_code == 404:
            raise ListInputError(f"{location.given}: not found (HTTP 404)")
        if response.status_code != 200:
            raise ListInputError(f"{location.given}: HTTP {response.status_code}")
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind and not kind.startswith(_TEXT_TYPES):
            raise ListInputError(f"{location.given}: not text (content type {kind})")
        chunks, size = [], 0
        for chunk in response.iter_raw():  # raw: a compressed body cannot inflate past the cap unnoticed
            size += len(chunk)
            if size > self.max_bytes:
                raise ListInputError(f"{location.given}: larger than {self.max_bytes:,} bytes; not read")
            if time.monotonic() > deadline:
                raise _Unreachable(f"no complete answer within {self.timeout:g} s")
            chunks.append(chunk)
        data = b"".join(chunks)
        if response.headers.get("content-encoding", "identity") not in ("identity", ""):
            raise ListInputError(f"{location.given}: compressed answer ({response.headers['content-encoding']}); "
                                 "not read")
        if b"\x00" in data:
            raise ListInputError(f"{location.given}: not text (it contains NUL bytes)")
        return data


class _Unreachable(Exception):
    """The host did not answer in time or could not be reached: a cached copy may stand in."""
