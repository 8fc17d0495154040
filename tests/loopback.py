"""Loopback HTTP servers for the tests and benchmarks, served from a daemon thread.

``shutdown()`` waits until the serving loop notices, and the loop looks every ``poll_interval`` — half a second by
default. The suite starts and stops some sixty servers (every fake service), so it spent a quarter of a second
waiting at each; at 20 ms the loop's wake-ups cost next to nothing."""

from __future__ import annotations

import threading
from socketserver import BaseServer

POLL_INTERVAL = 0.02


def serve_in_background(server: BaseServer) -> threading.Thread:
    """Start serving ``server`` on a daemon thread; ``server.shutdown()`` returns within :data:`POLL_INTERVAL`."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, daemon=True)
    thread.start()
    return thread
