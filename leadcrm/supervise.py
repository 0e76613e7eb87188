"""Keep one process running: `python -m leadcrm.supervise NAME COMMAND [ARG ...]`.

`make run` starts web, worker and beat with honcho (Procfile), which stops all three as
soon as one exits: a Celery worker killed by the kernel took the web server down with
it, refusing inquiries. Each Procfile line runs its process under this loop instead: a
process that dies is started again (after 1 s, doubling up to 30 s while it keeps dying
within a minute of starting), and honcho only ever sees the loop, which stops when it
is told to (SIGTERM or SIGINT: Ctrl-C, honcho's shutdown) after passing the signal on.

Standard library only: it must not load Django or depend on anything it supervises.
"""

import signal
import subprocess
import sys
import time

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
HEALTHY_AFTER_SECONDS = 60.0


def supervise(name: str, command: list[str]) -> int:
    stopping = False
    child: subprocess.Popen | None = None

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    delay = FIRST_DELAY_SECONDS
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)  # noqa: S603 - the Procfile's own command
        _say(f"started {name} (pid {child.pid})")
        returncode = child.wait()
        if stopping:
            return returncode
        if time.monotonic() - started > HEALTHY_AFTER_SECONDS:
            delay = FIRST_DELAY_SECONDS
        _say(f"{name} (pid {child.pid}) exited with {returncode}; restarting in {delay:.0f} s")
        deadline = time.monotonic() + delay
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.1)
        if stopping:
            return returncode
        delay = min(delay * 2, MAX_DELAY_SECONDS)


def _say(message: str) -> None:
    print(f"supervise: {message}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: python -m leadcrm.supervise NAME COMMAND [ARG ...]")
    sys.exit(supervise(sys.argv[1], sys.argv[2:]))
