"""Run every benchmark in bench/ (what `make bench` calls), one after another.

    .venv/bin/python bench/run_all.py                      # all of them
    .venv/bin/python bench/run_all.py intake_and_list      # only the ones named

A benchmark is any bench/*.py script except this one and helper modules whose names
start with an underscore. `seed_demo_million` runs first (it reseeds the bench database
with the million leads the others use), then the rest in name order. Each prints its own
figures; a failing one does not stop the others, and the exit status says whether all of
them ran.
"""

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
FIRST = "seed_demo_million"


def benchmarks(names: list[str]) -> list[Path]:
    found = sorted(
        (
            path
            for path in BENCH_DIR.glob("*.py")
            if not path.name.startswith("_") and path.name != Path(__file__).name
        ),
        key=lambda path: (path.stem != FIRST, path.stem),
    )
    if names:
        wanted = {name.removesuffix(".py") for name in names}
        unknown = wanted - {path.stem for path in found}
        if unknown:
            raise SystemExit(f"Unknown benchmark(s): {', '.join(sorted(unknown))}")
        found = [path for path in found if path.stem in wanted]
    return found


def main() -> int:
    outcomes = []
    for script in benchmarks(sys.argv[1:]):
        print(f"\n=== {script.stem} ===", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(script)], cwd=ROOT)
        outcomes.append((script.stem, code, time.monotonic() - started))
    print("\n=== summary ===")
    for name, code, seconds in outcomes:
        print(f"  {name:<32} {'ok' if code == 0 else f'exit {code}':<8} {seconds:6.0f} s")
    return 0 if all(code == 0 for _, code, _ in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
