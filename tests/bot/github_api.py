"""A real HTTP server on 127.0.0.1 that plays GitHub's pulls API (list, create, update)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    """One request the server answered."""

    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any] | None
    authorization: str


@dataclass
class FakeGitHub:
    """Pull requests of any repository, kept in memory; `status` refuses every call with it."""

    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    status: int | None = None

    def answer(self, call: Call) -> tuple[int, Any]:
        """The status and JSON body for one call."""
        if self.status is not None:
            return self.status, {"message": "Bad credentials"}
        parts = call.path.strip("/").split("/")  # repos / owner / name / pulls [/ number]
        if len(parts) < 4 or parts[0] != "repos" or parts[3] != "pulls":
            return 404, {"message": "Not Found"}
        repo = f"{parts[1]}/{parts[2]}"
        if call.method == "GET":
            head = call.query.get("head", "")
            found = [
                p
                for p in self.pulls.values()
                if p["repo"] == repo
                and p["state"] == call.query.get("state", "open")
                and f"{parts[1]}:{p['head']['ref']}" == head
                and p["base"]["ref"] == call.query.get("base", p["base"]["ref"])
            ]
            return 200, found
        if call.method == "POST" and call.body is not None:
            number = len(self.pulls) + 1
            self.pulls[number] = {
                "repo": repo,
                "number": number,
                "state": "open",
                "title": call.body["title"],
                "body": call.body["body"],
                "head": {"ref": call.body["head"]},
                "base": {"ref": call.body["base"]},
                "html_url": f"https://github.com/{repo}/pull/{number}",
            }
            return 201, self.pulls[number]
        if call.method == "PATCH" and call.body is not None and len(parts) == 5:
            pull = self.pulls[int(parts[4])]
            pull.update({k: call.body[k] for k in ("title", "body") if k in call.body})
            return 200, pull
        return 422, {"message": "Validation Failed"}


class GitHubServer:
    """Serves a FakeGitHub on a free port in a background thread."""

    def __init__(self, github: FakeGitHub) -> None:
        self.github = github

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                call = Call(
                    self.command,
                    split.path,
                    {k: v[0] for k, v in parse_qs(split.query).items()},
                    json.loads(raw) if raw else None,
                    self.headers.get("Authorization", ""),
                )
                github.calls.append(call)
                status, body = github.answer(call)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The API's base URL."""
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        """Shut down."""
        self._http.shutdown()
        self._http.server_close()
