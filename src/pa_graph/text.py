"""Small, pure text helpers shared by the parser and the resolver: keys, slugs, years, venues, arXiv ids."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from pa_graph.errors import InvalidIRIError

__all__ = [
    "normalize_title",
    "redacted_url",
    "loads_bounded",
    "single_line",
    "inert",
    "MAX_JSON_DEPTH",
    "slugify",
    "label_key",
    "strip_heading_decoration",
    "parse_year_month",
    "parse_venue",
    "is_author_label",
    "is_missing_value",
    "arxiv_id_from_url",
    "arxiv_base_id",
    "arxiv_year_month",
    "short_hash",
    "counted",
    "markdown_text",
    "ARXIV_ID",
    "impossible_arxiv_id",
    "safe_link",
    "DOI",
    "S2_PAPER_ID",
    "checked_iri",
    "without_credentials",
]

_HYPHEN_BREAK = re.compile(r"(\w)- (\w)")
_NON_ALNUM = re.compile(r"[^\w]+")


@functools.lru_cache(maxsize=1 << 16)  # the same titles come back: every version of a list in a history
def normalize_title(title: str) -> str:
    """Key for comparing titles: case-, accent-, punctuation- and line-break-hyphen-insensitive.

    >>> normalize_title("The unlocking spell on base llms: Rethink- ing alignment")
    'the unlocking spell on base llms rethinking alignment'
    >>> normalize_title("Don’t throw away your value model!")
    'don t throw away your value model'
    """
    text = unicodedata.normalize("NFKC", title)
    text = _HYPHEN_BREAK.sub(r"\1\2", text)  # "re- sponses" is a PDF line break, not two words
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _NON_ALNUM.sub(" ", text.casefold()).replace("_", " ")
    return " ".join(text.split())


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number.

    >>> counted(1, "row"), counted(2, "row"), counted(1_200, "entry", "entries")
    ('1 row', '2 rows', '1,200 entries')
    """
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def slugify(text: str, max_words: int | None = None) -> str:
    """A lower-case, hyphenated IRI segment; non-Latin letters are kept (IRIs allow them).

    >>> slugify("Learning From Human Feedback")
    'learning-from-human-feedback'
    >>> slugify("β-DPO")
    'β-dpo'
    >>> slugify("A very long title indeed", max_words=3)
    'a-very-long'
    """
    words = normalize_title(text).split()
    if max_words is not None:
        words = words[:max_words]
    return "-".join(words) or "x"


def label_key(label: str) -> str:
    """Identity of a tag, method or venue label: spelling variants such as ``USER-LLM``/``UserLLM`` share one key.

    >>> label_key("USER-LLM") == label_key("UserLLM")
    True
    """
    return normalize_title(label).replace(" ", "")


def short_hash(text: str, length: int = 8) -> str:
    """Deterministic short hex digest used to keep IRIs unique without making them unreadable."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def strip_heading_decoration(text: str) -> str:
    """Drop leading emoji, symbols and private-use characters from a heading: '📄 Related Surveys' → 'Related Surveys'.

    >>> strip_heading_decoration("⚙️ Training-time Personalized Alignment")
    'Training-time Personalized Alignment'
    """
    start = 0
    while start < len(text) and not (text[start].isalnum()):
        start += 1
    return text[start:].strip()


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_YEAR_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[/.-]\s*(\d{1,2})(?!\d)")
_SHORT_YEAR = re.compile(r"['’](\d{2})(?!\d)")
#: A year of two digits written onto a venue (``EMNLP23``, ``Arxiv23``): 2000-2039.
_GLUED_YEAR = re.compile(r"(?<=[A-Za-z])([0-3]\d)(?!\d)")
#: A date written ``YYMM`` as arXiv ids are (``2405``: May 2024), from 2007, the first year of such ids.
_YYMM = re.compile(r"(0[7-9]|[1-3]\d)(0[1-9]|1[0-2])")


def parse_year_month(text: str) -> tuple[int | None, int | None]:
    """Year and month (when written) from cells such as ``2023``, ``2023.0``, ``2025/4``, ``EMNLP'23 Findings``,
    ``EMNLP23`` or a ``YYMM`` date like ``2405``.

    >>> parse_year_month("2020.0")
    (2020, None)
    >>> parse_year_month("2405"), parse_year_month("EMNLP23"), parse_year_month("2012")
    ((2024, 5), (2023, None), (2012, None))
    >>> parse_year_month("2025/4")
    (2025, 4)
    >>> parse_year_month("EMNLP'23 Findings")
    (2023, None)
    >>> parse_year_month("nan")
    (None, None)
    """
    text = text.strip()
    if re.fullmatch(r"\d{4}\.0", text):  # spreadsheet float export, not a month
        return int(text[:4]), None
    found = _YEAR_MONTH.search(text)
    if found and 1 <= int(found.group(2)) <= 12:
        return int(found.group(1)), int(found.group(2))
    found = _YEAR.search(text)
    if found:
        return int(found.group(1)), None
    found = _YYMM.fullmatch(text)
    if found:
        return 2000 + int(found.group(1)), int(found.group(2))
    found = _SHORT_YEAR.search(text) or _GLUED_YEAR.search(text)
    if found:
        return 2000 + int(found.group(1)), None
    return None, None


_PREPRINT_VENUES = {"arxiv", "arxivpreprint", "preprint", "corr", "biorxiv", "medrxiv", "ssrn"}
_VENUE_ALIASES = {"nips": "NeurIPS", "neurips": "NeurIPS"}


def parse_venue(text: str) -> str | None:
    """The venue named in a Source / Published-At cell, without its year; ``None`` for preprints and blanks.

    >>> parse_venue("EMNLP'23 Findings")
    'EMNLP Findings'
    >>> parse_venue("NeurIPS 2023")
    'NeurIPS'
    >>> parse_venue("NIPS")
    'NeurIPS'
    >>> parse_venue("arxiv") is None, parse_venue("Arxiv23") is None, parse_venue("EMNLP23")
    (True, True, 'EMNLP')
    """
    text = _GLUED_YEAR.sub(" ", _SHORT_YEAR.sub(" ", _YEAR.sub(" ", text)))
    text = " ".join(text.replace("()", " ").split()).strip(" ,;-")
    if is_missing_value(text) or label_key(text) in _PREPRINT_VENUES:
        return None
    return _VENUE_ALIASES.get(label_key(text), text)


_AUTHOR_LABEL = re.compile(
    r"^[^\W\d_][\w'’-]*(?:\s+et\s+al\.?|\s+(?:and|&)\s+[^\W\d_][\w'’-]*)$", re.IGNORECASE
)


def is_author_label(text: str) -> bool:
    """Whether an abbreviation cell names authors ("Zhang et al.", "Salemi and Zamani") rather than a method.

    >>> is_author_label("Zhang et al.")
    True
    >>> is_author_label("Salemi and Zamani")
    True
    >>> is_author_label("MaxMin-RLHF")
    False
    """
    return bool(_AUTHOR_LABEL.match(text.strip()))


def is_missing_value(text: str | None) -> bool:
    """Blank cells and the placeholders spreadsheets export for them.

    >>> [is_missing_value(v) for v in ("", "nan", "N/A", "—", "PAD")]
    [True, True, True, True, False]
    """
    return text is None or text.strip().casefold() in {"", "nan", "none", "null", "n/a", "na", "-", "—", "–", "/"}


_ARXIV_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/((?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)", re.IGNORECASE
)


def arxiv_id_from_url(url: str) -> str | None:
    """The arXiv id exactly as written in an arxiv.org link (version suffix kept).

    >>> arxiv_id_from_url("http://arxiv.org/pdf/2310.09520v4.pdf")
    '2310.09520v4'
    >>> arxiv_id_from_url("https://arxiv.org/abs/cs/0101001")
    'cs/0101001'
    >>> arxiv_id_from_url("https://openreview.net/pdf?id=gkxt5kZS84") is None
    True
    """
    found = _ARXIV_URL.search(url)
    return found.group(1) if found else None


def arxiv_base_id(arxiv_id: str) -> str:
    """The id without its version suffix, the form Semantic Scholar accepts.

    >>> arxiv_base_id("2402.13598v2")
    '2402.13598'
    """
    return re.sub(r"v\d+$", "", arxiv_id)


def arxiv_year_month(arxiv_id: str) -> tuple[int, int] | None:
    """Submission year and month encoded in a new-style id (``YYMM.NNNNN``); ``None`` for old-style ids.

    >>> arxiv_year_month("1912.00180v1")
    (2019, 12)
    """
    found = re.match(r"(\d{2})(\d{2})\.\d{4,5}", arxiv_id)
    if not found:
        return None
    return 2000 + int(found.group(1)), int(found.group(2))


_ARXIV_LINK_PATH = re.compile(r"arxiv\.org/(?:abs|pdf|html)/([^\s?#]+?)(?:\.pdf)?/?(?:[?#]|$)", re.IGNORECASE)
_NEW_STYLE_ID = re.compile(r"(\d{2})(\d{2})\.(\d+)(?:v\d+)?")
_OLD_STYLE_ID = re.compile(r"[a-z-]+(?:\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}(?:v\d+)?")


def impossible_arxiv_id(url: str, today: tuple[int, int]) -> tuple[str, str] | None:
    """The id an arxiv.org paper link gives and why no paper can have it — ``None`` for a possible id or another
    link. An id is ``YYMM.NNNN`` (April 2007 to December 2014) or ``YYMM.NNNNN`` (since January 2015), its month
    1-12 and not after ``today`` (year, month); or ``archive/YYMMNNN`` (1991 to March 2007).

    >>> impossible_arxiv_id("https://arxiv.org/abs/2401.1234", (2026, 12))
    ('2401.1234', 'arXiv ids of 2401 have 5 digits after the dot')
    >>> impossible_arxiv_id("https://arxiv.org/pdf/2413.01234v2.pdf", (2026, 12))
    ('2413.01234v2', 'there is no month 13')
    >>> impossible_arxiv_id("https://arxiv.org/abs/2401.01234", (2026, 12)) is None
    True
    """
    found = _ARXIV_LINK_PATH.search(url)
    if not found:
        return None
    written = found.group(1)
    if old := _OLD_STYLE_ID.fullmatch(written):
        month = int(old.group(2))
        return None if 1 <= month <= 12 else (written, f"there is no month {month:02d}")
    new = _NEW_STYLE_ID.fullmatch(written)
    if not new:
        return written, "it is not of the form YYMM.NNNNN"
    year, month, digits = 2000 + int(new.group(1)), int(new.group(2)), len(new.group(3))
    if not 1 <= month <= 12:
        return written, f"there is no month {month:02d}"
    if (year, month) > today:
        return written, f"{year}-{month:02d} is after this month"
    if (year, month) < (2007, 4):
        return written, f"ids of the form YYMM.NNNN began in 2007-04, not {year}-{month:02d}"
    expected = 4 if year < 2015 else 5
    if digits != expected:
        return written, f"arXiv ids of {new.group(1)}{new.group(2)} have {expected} digits after the dot"
    return None


#: An arXiv id by either published grammar (``2401.01234``, ``cs/0101001``), optional version suffix.
ARXIV_ID = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")
#: A DOI: ``10.<registrant>/<suffix>`` with no whitespace or control characters.
DOI = re.compile(r"10\.\d{4,9}/[^\s\x00-\x1f\x7f]+")
#: A Semantic Scholar paper id (40 hex digits).
S2_PAPER_ID = re.compile(r"[0-9a-f]{40}")
OPENALEX_ID = re.compile(r"W[1-9][0-9]{0,14}")  # an OpenAlex work id

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def markdown_text(text: object) -> str:
    """Text from a list or a service made safe for a Markdown table cell: one line, no markup, no HTML.

    >>> print(markdown_text("A | B <img src=x> [link](y) *bold*"))
    A \\| B \\<img src=x\\> \\[link\\](y) \\*bold\\*
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


#: Characters a link target must not hold as they are in Markdown, a table cell or a code span: percent-encoded.
_LINK_ESCAPES = {character: f"%{ord(character):02X}" for character in "()<>|`[]\"'\\{}^"}
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?|\[[0-9A-Fa-f:.]+\](?::\d{1,5})?")


def safe_link(url: str) -> str | None:
    """An http(s) URL as it can go into a list row, a table cell or a code span — the characters Markdown reads
    percent-encoded — or ``None`` when it is no well-formed http(s) URL (another scheme, no host, credentials,
    whitespace or a control character anywhere).

    >>> safe_link("https://example.org/a_(b)|c`d"), safe_link("http://[::1]:8080/x")
    ('https://example.org/a_%28b%29%7Cc%60d', 'http://[::1]:8080/x')
    >>> [safe_link(u) for u in ("https://x.org/a b", "javascript:alert(1)", "https://x.org/a\\n## heading")]
    [None, None, None]
    """
    if any(character.isspace() or ord(character) < 32 or 127 <= ord(character) < 160 for character in url):
        return None
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if scheme.lower() not in ("http", "https") or not _HOST.fullmatch(host):
        return None
    start = len(scheme) + 3 + len(host)  # the host as it is ([::1] stays a host)
    return url[:start] + "".join(_LINK_ESCAPES.get(character, character) for character in url[start:])


_IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def checked_iri(value: str, what: str) -> str:
    """``value`` when it is an absolute IRI that can be written between ``<…>`` in SPARQL or Turtle as it is;
    :class:`~pa_graph.errors.InvalidIRIError` naming ``what`` otherwise.

    >>> checked_iri("https://example.org/g", "named_graph")
    'https://example.org/g'
    """
    if not _IRI_SCHEME.match(value) or _IRI_FORBIDDEN.search(value):
        raise InvalidIRIError(f"{what} {value!r}: not an absolute IRI (a scheme such as https:, and no spaces or "
                              '<>"{}|^`\\ characters)', parameter=what)
    return value


#: JSON nested deeper than this is refused as malformed before Python builds it (a 200,000-deep answer would end
#: the build in a RecursionError).
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def loads_bounded(data: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` for untrusted text: ``ValueError`` (as for any malformed JSON) when it nests deeper than
    ``max_depth``.

    >>> loads_bounded('{"a": [1, {"b": "[[[["}]}')
    {'a': [1, {'b': '[[[['}]}
    >>> loads_bounded("[" * 100 + "]" * 100)
    Traceback (most recent call last):
    ValueError: JSON nested deeper than 64 levels
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    depth = deepest = 0
    for bracket in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > max_depth:
            raise ValueError(f"JSON nested deeper than {max_depth} levels")
    return json.loads(text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(text: str) -> str:
    """Text from a list or a service as one line: control characters and line breaks folded to a space.

    >>> single_line("A title\\n::error file=README.md::forged\\r\\tend")
    'A title ::error file=README.md::forged end'
    """
    return _CONTROL.sub(" ", text)


_ZWSP = "\u200b"
#: A line's start and the whitespace the runner trims there (.NET's TrimStart: any Unicode space, NBSP and U+3000
#: included, not only spaces and tabs).
_COMMAND_START = re.compile(r"(^|\r)([^\S\r\n]*)::", re.MULTILINE)


def inert(text: str) -> str:
    """Text made inert for the GitHub Actions runner, which runs ``::command::`` at a line's start and
    ``##[command]`` anywhere in a line of a step's output: a zero-width space (not whitespace, so the runner does
    not trim it) goes before such a line's ``::`` and inside every ``##[``. The text reads the same.

    >>> inert("ok\\n  ::error file=README.md::forged\\na ##[stop-commands]t") == (
    ...     "ok\\n  \\u200b::error file=README.md::forged\\na ##\\u200b[stop-commands]t")
    True
    >>> inert("\\u00a0::add-mask::x\\n\\u3000\\u2003::stop-commands::t") == (
    ...     "\\u00a0\\u200b::add-mask::x\\n\\u3000\\u2003\\u200b::stop-commands::t")
    True
    """
    return _COMMAND_START.sub(lambda m: m.group(1) + m.group(2) + _ZWSP + "::",
                              text.replace("##[", "##" + _ZWSP + "["))


_SECRET_PARAMETER = re.compile(r"(?:token|key|api[_-]?key|apikey|sig|signature|access[_-]?token|secret|password|"
                               r"passwd|auth|credential|x-amz-.*|x-goog-.*)", re.IGNORECASE)


def redacted_url(url: str) -> str:
    """A URL as it may be stored or printed: no user or password, the values of query parameters whose names look
    secret replaced by ``REDACTED``, the rest kept (a list URL's other parameters can matter).

    >>> redacted_url("https://u:p@raw.example/o/r/main/README.md?token=abc&ref=main&X-Amz-Signature=f")
    'https://raw.example/o/r/main/README.md?token=REDACTED&ref=main&X-Amz-Signature=REDACTED'
    """
    parts = urlsplit(url)
    query = "&".join(
        f"{name}=REDACTED" if _SECRET_PARAMETER.fullmatch(unquote(name)) else (f"{name}={value}" if sep else name)
        for name, sep, value in (item.partition("=") for item in parts.query.split("&") if item))
    return urlunsplit((parts.scheme, _host(parts), parts.path, query, ""))


def without_credentials(url: str) -> str:
    """A URL as it may be stored or shown: no user, password or query string.

    >>> without_credentials("http://user:secret@proxy.example:8080/s2/?key=abc")
    'http://proxy.example:8080/s2/'
    """
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, _host(parts), parts.path, "", ""))


def _host(parts: SplitResult) -> str:
    """The host and port of a URL, without user or password."""
    return (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
