"""One TLS context for every HTTP client pa-graph makes (Semantic Scholar, OpenAlex, a list fetched by URL, a
SPARQL store).

httpx builds a fresh ``ssl.SSLContext`` for each client it makes, and reading the CA bundle into it costs about 30 ms
(more for a proxy, which gets its own): a notebook or a test run that builds many times paid that on every build.
The context is made once, the way httpx makes its default (``SSL_CERT_FILE``/``SSL_CERT_DIR`` honoured, otherwise
certifi's bundle), and shared; it is only ever read, which ``ssl`` allows across threads.
"""

from __future__ import annotations

import functools
import ssl

__all__ = ["tls_context"]


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The verifying context for ``httpx.Client(verify=...)``, made on first use (the environment read then)."""
    import httpx

    return httpx.create_ssl_context()
