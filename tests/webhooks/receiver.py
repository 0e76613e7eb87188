"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 that verifies each
request with the standardwebhooks library, as an integrator's off-the-shelf code would."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


class Receiver:
    """Collects verified events; can be taken down and brought back on the same port,
    answer with another status, or hold requests open (a slow receiver)."""

    def __init__(self, secret: str = ""):
        self.secret = secret
        self.received: list[dict] = []  # {"id", "payload", "headers"} per verified request
        self.rejected: list[str] = []
        self.status = 204
        self.hold_seconds = 0.0
        self.requests_started = 0
        self.location = ""
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/leadcrm"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.requests_started += 1
                if receiver.hold_seconds:
                    time.sleep(receiver.hold_seconds)
                try:
                    payload = Webhook(receiver.secret).verify(body, dict(self.headers))
                except WebhookVerificationError as exc:
                    with receiver._lock:
                        receiver.rejected.append(str(exc))
                    self.send_response(400)
                    self.end_headers()
                    return
                if 200 <= receiver.status < 300:
                    with receiver._lock:
                        receiver.received.append(
                            {
                                "id": self.headers["webhook-id"],
                                "payload": payload,
                                "headers": dict(self.headers),
                            }
                        )
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: the port refuses connections until start() again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def wait_for(self, count: int, timeout: float) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.1)
        raise AssertionError(f"{len(self.received)} of {count} events after {timeout}s")

    def payloads(self) -> list[dict]:
        return [json.loads(json.dumps(item["payload"])) for item in self.received]
