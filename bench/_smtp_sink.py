"""A local SMTP sink for benchmarks: accepts every message on 127.0.0.1 and appends one
line per message to a file: the time received and its Message-ID.

    python bench/_smtp_sink.py PORT LOG_PATH

Prints "ready" once it listens; stops on SIGTERM.
"""

import re
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.IGNORECASE | re.MULTILINE)


class Sink:
    def __init__(self, log_path: str):
        self.log = open(log_path, "a", buffering=1, encoding="ascii")  # noqa: SIM115

    async def handle_DATA(self, server, session, envelope):
        match = MESSAGE_ID.search(envelope.original_content or envelope.content)
        message_id = match.group(1).decode() if match else "<none>"
        self.log.write(f"{time.time():.6f} {message_id}\n")
        return "250 Message accepted"


def main() -> None:
    port, log_path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(log_path), hostname="127.0.0.1", port=port)
    controller.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print("ready", flush=True)
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()
