"""A real HTTP server on 127.0.0.1 that plays arXiv's export API: recorded pages, a fake index
that follows the announcement schedule, and injected faults (status codes, Retry-After, empty
pages, truncated bodies, stalls)."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from digest.announcements import announced_at
from digest.ports import Clock
from tests.digest.atom import Entry, feed_xml


@dataclass
class Reply:
    """What the server sends for one request."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0
    claimed_length: int | None = None


Responder = Callable[[dict[str, str]], Reply]


class ApiServer:
    """Answers every GET with `respond(query parameters)`; records the parameters."""

    def __init__(self, respond: Responder) -> None:
        self.respond = respond
        self.requests: list[dict[str, str]] = []
        self.faults: list[Reply] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                server.requests.append(params)
                reply = server.faults.pop(0) if server.faults else server.respond(params)
                if reply.stall:
                    server.release.wait(reply.stall)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                length = reply.claimed_length or len(reply.body)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                # The client may have given up already (the timeout tests).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(reply.body)
                if reply.claimed_length:
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._http.block_on_close = False
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        """The API endpoint."""
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}/api/query"

    def start(self) -> ApiServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release stalled replies and shut down."""
        self.release.set()
        self._http.shutdown()
        self._http.server_close()


_CATS = re.compile(r"cat:([\w.*-]+)")
_RANGE = re.compile(r"lastUpdatedDate:\[(\d{12}) TO (\d{12})\]")


def _minute(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M").replace(tzinfo=UTC)


@dataclass
class FakeArxiv:
    """An index of entries that shows each one `lag` after its mailing, answering window queries
    (categories and a lastUpdatedDate range) newest first, the way the real API pages them."""

    clock: Clock
    entries: list[Entry] = field(default_factory=list)
    lag: dict[str, timedelta] = field(default_factory=dict)

    def visible(self, entry: Entry) -> bool:
        """Announced and indexed by now."""
        shown = announced_at(entry.last_updated) + self.lag.get(entry.arxiv_id, timedelta(0))
        return shown <= self.clock.now()

    def __call__(self, params: dict[str, str]) -> Reply:
        query = params.get("search_query", "")
        cats = _CATS.findall(query)
        found = _RANGE.search(query)
        assert found, query
        first = _minute(found.group(1))
        last = _minute(found.group(2)) + timedelta(minutes=1)
        hits = [
            e
            for e in self.entries
            if first <= e.last_updated < last
            and self.visible(e)
            and any(
                c in e.categories
                or (c.endswith(".*") and any(x.startswith(c[:-1]) for x in e.categories))
                for c in cats
            )
        ]
        hits.sort(key=lambda e: e.last_updated, reverse=True)
        start, size = int(params.get("start", 0)), int(params.get("max_results", 100))
        return Reply(
            feed_xml(hits[start : start + size], total=len(hits), start=start, per_page=size)
        )


class RecordedPages:
    """Replays the recorded `all:testing` pages of ten, by start offset. They claim 214,881
    results; the total is rewritten to the 60 recorded, so the pages form a whole result set."""

    def __init__(self, shared: Path) -> None:
        folder = shared / "arxiv-api" / "recorded-2026"
        self.pages = {
            start: next(folder.glob(f"q_testing_s{start}_m10_*.xml"))
            .read_bytes()
            .replace(b"<opensearch:totalResults>214881<", b"<opensearch:totalResults>60<")
            for start in range(0, 60, 10)
        }

    def __call__(self, params: dict[str, str]) -> Reply:
        start = int(params.get("start", 0))
        return Reply(self.pages[start]) if start in self.pages else Reply(b"", status=404)


class IdIndex:
    """Answers id_list queries from a set of entries, in the order asked, as arXiv does (ids it
    lacks are left out)."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = {e.arxiv_id: e for e in entries}

    def __call__(self, params: dict[str, str]) -> Reply:
        ids = params["id_list"].split(",")
        found = [self.entries[i] for i in ids if i in self.entries]
        size = int(params["max_results"])
        return Reply(feed_xml(found, total=len(found), per_page=size))
