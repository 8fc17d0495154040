"""What every web service pa-graph reads shares: the cache in front, a throttle, bounded retries, bounded answers.

:class:`ServiceClient` is the base of every source's client (Semantic Scholar's, OpenAlex's, arXiv's), so all get
the same guarantees from one piece of code: every answer cached as it arrives (a killed build repeats nothing it
finished), a throttle below each service's limit that slows down for the rest of the build after a 429, retries
that honour ``Retry-After`` within one :class:`RetryBudget` shared by all sources of a build, a deadline and a size
cap on every answer, and a service that proves unreachable or refuses the key is not asked again in that build.
"""

from __future__ import annotations

import math
import os
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode

import httpx

from pa_graph.errors import ServiceAuthError, ServiceError, ServiceRequestError, ServiceUnavailable
from pa_graph.sources.response_cache import Cached, ResponseCache
from pa_graph.text import loads_bounded, single_line, without_credentials
from pa_graph.tls import tls_context
from pa_graph.version import __version__

__all__ = ["ServiceClient", "ServiceSettings", "RetryBudget", "MAX_ANSWER_BYTES"]

_MAX_REDIRECTS = 3
MAX_ANSWER_BYTES = 50_000_000  # decoded; S2 documents 10 MB for a batch answer
_Settings = TypeVar("_Settings", bound="ServiceSettings")


@dataclass(frozen=True)
class ServiceSettings:
    """How to talk to a service: what both sources' settings share (each adds its own and its defaults)."""

    api_key: str | None = None
    api_url: str = ""
    rate: float = 1.0  # requests per second, all endpoints together
    timeout: float = 30.0  # seconds for an answer once the service has answered this build
    first_answer_timeout: float = 8.0  # the first request decides quickly whether the service is reachable at all
    max_attempts: int = 6  # per request, the first one included
    retry_budget: float = 120.0  # seconds of back-off waiting in one build, all requests together
    backoff: float = 1.0  # first back-off wait; doubles each attempt, with jitter
    max_wait: float = 30.0  # cap on one wait, Retry-After included
    max_answer_bytes: int = MAX_ANSWER_BYTES  # decoded
    max_rate: float = math.inf  # what the service allows at most: ``--rate`` never asks faster

    @classmethod
    def from_environment(cls: type[_Settings], environ: Mapping[str, str] = os.environ, **overrides: Any) -> _Settings:
        """The settings as the environment gives them (each service reads its own variables)."""
        return cls().overridden(overrides)

    def overridden(self: _Settings, overrides: Mapping[str, Any]) -> _Settings:
        """These settings with every override that is not ``None``."""
        return replace(self, **{name: value for name, value in overrides.items() if value is not None})


@dataclass
class RetryBudget:
    """Seconds of back-off waiting left in one build, for every request to every source together."""

    seconds: float


@dataclass
class ServiceClient:
    """Cached, throttled, retrying access to one service; subclasses name the service and its endpoints.

    Pass one ``budget`` to several clients to share it.
    """

    SERVICE: ClassVar[str] = "the service"
    KEY_VARIABLE: ClassVar[str] = ""
    URL_VARIABLE: ClassVar[str] = ""
    REFUSALS: ClassVar[tuple[int, ...]] = (401, 403)  # the key is refused: stop asking
    SLOW_DOWN: ClassVar[tuple[int, ...]] = (429,)  # too fast: wait, retry, and stay slower
    ANSWER_FORMAT: ClassVar[str] = "JSON"

    settings: ServiceSettings
    cache: ResponseCache
    offline: bool = False
    refresh: bool = False
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    budget: RetryBudget | None = None
    requests_sent: int = 0
    warnings: list[str] = field(default_factory=list)
    unavailable: str | None = None  # why the service is asked no more (it failed); None offline, where nothing is asked

    def __post_init__(self) -> None:
        headers = {"user-agent": f"pa-graph/{__version__}", **self._headers()}
        self._base = self._base_url()
        self._http = httpx.Client(base_url=self._base, headers=headers, transport=self.transport, verify=tls_context(),
                                  timeout=httpx.Timeout(self.settings.timeout, connect=5.0))
        if self.budget is None:
            self.budget = RetryBudget(self.settings.retry_budget)
        self._next_slot = 0.0
        self._rate = self.settings.rate  # lowered for the rest of the build after each 429
        self._answered = False
        self._fresh: set[str] = set()

    # ----- what a subclass says about its service ----------------------------------------------------------------

    def _base_url(self) -> str:
        return self.settings.api_url.rstrip("/")

    def _headers(self) -> dict[str, str]:
        return {}

    def _describe(self, method: str, path: str, params: dict[str, Any]) -> str:
        """The request as provenance: method and URL, never a key nor credentials written into the URL (a client
        adds its key to what it sends, never to ``params``)."""
        return f"{method} {without_credentials(self._base)}{path}?{urlencode(params)}"

    def _final(self, status: int, response: httpx.Response, body: bytes, attempt: int) -> ServiceError | None:
        """An answer that ends the request at once whatever its status would otherwise mean (none by default)."""
        return None

    def _parsed(self, body: bytes) -> Any:
        """A successful answer's body as data (``ValueError`` when it is malformed): JSON unless the service says."""
        return _clean(loads_bounded(body))

    # ----- cache -------------------------------------------------------------------------------------------------

    def cached(self, key: str) -> Cached | None:
        """The stored answer, unless ``refresh`` asks to fetch it again in this build; a stored value that is no
        answer is dropped with one warning (and asked again when online)."""
        if self.refresh and key not in self._fresh:
            return None
        damaged = len(self.cache.damaged)
        hit = self.cache.get(key)
        if len(self.cache.damaged) > damaged:
            self.warnings.append(f"{self.SERVICE}: the cached answer for {single_line(key)[:120]} is damaged; dropped"
                                 + ("" if self.offline else " and asked again"))
        return hit

    def _store(self, entries: dict[str, object], request: str) -> None:
        self.cache.put_many(entries, request)
        self._fresh.update(entries)

    # ----- HTTP --------------------------------------------------------------------------------------------------

    @property
    def sends(self) -> bool:
        """Whether a request would be sent now (not offline, the service not given up on): calls are counted, and
        priced, only then."""
        return not self.offline and self.unavailable is None

    def _warn(self, err: ServiceError) -> None:
        if self.offline:
            return  # offline nothing is asked: the build says so once, not each source at each call
        message = f"{self.SERVICE}: {err}"
        if message not in self.warnings:
            self.warnings.append(message)

    def _throttle(self) -> None:
        now = self.clock()
        if self._next_slot > now:
            self.sleep(self._next_slot - now)
        self._next_slot = max(now, self._next_slot) + 1.0 / self._rate

    def _stop_asking(self, error: ServiceError) -> ServiceError:
        self.unavailable = str(error)
        return error

    def _send(self, method: str, path: str, *, params: dict[str, Any], json: object = None,
              not_found: re.Pattern[str] | None = None, split_on_overload: bool = False,
              refusal_stops: bool = True) -> Any:
        """One request with retries. ``not_found``: the service's documented "no such thing" (an HTTP 404 whose
        error text matches) answers ``None``; any other 404 — a wrong API URL, a proxy's page — means the service is
        not there, and no later request is sent. ``split_on_overload``: a 500/502/503/504 or a timeout raises
        :class:`Overloaded` at once instead of retrying, so the caller can send the batch in halves.
        ``refusal_stops=False``: a 401/403 raises :class:`Refused` for this request only (a paging mode the key
        does not allow) instead of ending the build's use of the service."""
        if self.offline:
            raise ServiceUnavailable("offline: only the cache is read")
        if self.unavailable:
            raise ServiceUnavailable(self.unavailable)
        api = without_credentials(self.settings.api_url)
        attempt = redirects = 0
        while True:
            attempt += 1
            self._throttle()
            self.requests_sent += 1
            retry_after: float | None = None
            timeout = self.settings.timeout if self._answered else self.settings.first_answer_timeout
            try:
                response, body = self._fetch(method, path, params, json, timeout)
            except _TooLarge as err:
                raise ServiceRequestError(f"{method} {path}: {err}; not read") from err
            except httpx.ConnectError as err:
                raise self._stop_asking(ServiceUnavailable(f"cannot connect to {api} ({err})")) from err
            except httpx.TimeoutException as err:
                if not self._answered:
                    raise self._stop_asking(ServiceUnavailable(f"{api} did not answer within {timeout:g} s")) from err
                if split_on_overload:
                    raise Overloaded(f"no answer within {timeout:g} s") from err
                reason = f"no answer within {timeout:g} s"
            except httpx.TransportError as err:
                if not self._answered:
                    raise self._stop_asking(ServiceUnavailable(f"cannot reach {api} ({err})")) from err
                reason = f"connection failed ({err})"
            else:
                self._answered = True
                status = response.status_code
                final = self._final(status, response, body, attempt)
                if final is not None:
                    raise final
                if status in (301, 302, 307, 308) and method == "GET" and redirects < _MAX_REDIRECTS:
                    path = self._redirected_path(response.headers.get("location", ""), method, path)
                    redirects += 1
                    attempt -= 1  # a redirect is no failed attempt
                    continue
                if status == 200:
                    try:
                        return self._parsed(body)
                    except ValueError:
                        reason = f"malformed {self.ANSWER_FORMAT} in the answer"
                elif status == 404 and not_found is not None and not_found.search(_error_text(body)):
                    return None
                elif status == 404:
                    raise self._stop_asking(ServiceUnavailable(
                        f"{api} answered HTTP 404 to {method} {path}, which is no answer of its API "
                        f"({_error_text(body) or 'no error text'}); check {self.URL_VARIABLE}"))
                elif status in self.REFUSALS and not refusal_stops:
                    raise Refused(f"HTTP {status}")
                elif status in self.REFUSALS:
                    hint = f"check {self.KEY_VARIABLE}" if self.settings.api_key else f"set {self.KEY_VARIABLE}"
                    raise self._stop_asking(ServiceAuthError(f"the API refused the request (HTTP {status}): {hint}"))
                elif split_on_overload and status in (500, 502, 503, 504):
                    raise Overloaded(f"HTTP {status}")
                elif status in self.SLOW_DOWN or status >= 500:
                    reason = f"HTTP {status}"
                    retry_after = _retry_after(response)
                    if status in self.SLOW_DOWN:  # the service says we are too fast: slower for the rest of the build
                        self._rate = max(self._rate * 0.8, self.settings.rate / 8)
                else:
                    raise ServiceRequestError(f"{method} {path}: HTTP {status} {_error_text(body)}".rstrip())
            backoff = self.settings.backoff * 2 ** (attempt - 1) * (0.5 + random.random())
            wait = retry_after if retry_after is not None else backoff
            wait = min(wait, self.settings.max_wait)
            budget = self.budget or RetryBudget(0.0)
            if attempt >= self.settings.max_attempts or wait > budget.seconds:
                raise ServiceRequestError(f"{method} {path}: {reason}; gave up after {attempt} attempts")
            budget.seconds -= wait
            self.sleep(wait)

    def _fetch(self, method: str, path: str, params: dict[str, Any], json: object,
               timeout: float) -> tuple[httpx.Response, bytes]:
        """One exchange, bounded: the whole answer within ``timeout`` seconds (not per read, so a drip-fed body
        ends), and at most ``max_answer_bytes`` once decoded (a compressed body cannot inflate past it)."""
        deadline = self.clock() + timeout
        with self._http.stream(method, path, params=params, json=json,
                               timeout=httpx.Timeout(timeout, connect=min(5.0, timeout))) as response:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.settings.max_answer_bytes:
                    raise _TooLarge(f"the answer is larger than {self.settings.max_answer_bytes:,} bytes")
                if self.clock() > deadline:
                    raise httpx.ReadTimeout(f"no complete answer within {timeout:g} s")
                chunks.append(chunk)
        return response, b"".join(chunks)

    def _redirected_path(self, location: str, method: str, path: str) -> str:
        """Where a redirect points, as a path under the API's base URL: only within the same host and base path
        (a merged OpenAlex work answers 301 to the work it was merged into)."""
        base = httpx.URL(self._base + "/")
        target = base.join(location) if location else base
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port) \
                or not target.path.startswith(base.path):
            raise ServiceRequestError(f"{method} {path}: redirected away from {without_credentials(self._base)}; "
                                      "not followed")
        return "/" + target.path[len(base.path):]

    def close(self) -> None:
        """Close the HTTP connections and the cache."""
        self._http.close()
        self.cache.close()


def _clean(value: Any) -> Any:
    """An answer with every string made storable: lone surrogates (valid JSON, invalid Unicode) replaced."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")  # fails on a lone surrogate, at C speed (answers hold millions of characters)
        except UnicodeEncodeError:
            return value.encode("utf-8", "replace").decode("utf-8")
        return value
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _clean(item) for key, item in value.items()}
    return value


class _TooLarge(Exception):
    """An answer past the size cap."""


class Overloaded(Exception):
    """A batch the service could not answer in one piece (500/502/503/504 or a timeout): send it in halves."""


class Refused(Exception):
    """A 401/403 on a request sent with ``refusal_stops=False``."""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _error_text(body: bytes) -> str:
    """A service's own word on an error, as one line (a line break in it would start a forged workflow command)."""
    try:
        answer = loads_bounded(body)
    except ValueError:
        return ""
    return single_line(str(answer.get("error") or answer.get("message") or ""))[:200] \
        if isinstance(answer, dict) else ""
