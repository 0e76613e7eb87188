"""Safety screening on the labelled corpus (issue 15): precision and recall per category,
false alarms on ordinary inquiries, and the time screening adds per inquiry.

    .venv/bin/python bench/safety.py [--repeat 5] [--misses]

No database: the engine is timed alone (the service adds one indexed read of the
hospital's own phrases). Targets: recall 100% on emergencies, at most 2% false alarms
on ordinary inquiries, median and p95 under 2 ms.
"""

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.safety import engine  # noqa: E402
from apps.safety.choices import SafetyCategory  # noqa: E402

CORPUS = ROOT / "tests" / "safety" / "corpus.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the corpus")
    parser.add_argument("--misses", action="store_true", help="print every wrong answer")
    args = parser.parse_args()

    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    started = time.perf_counter()
    engine.warm_up()
    print(f"pipelines loaded in {time.perf_counter() - started:.2f} s (once per process)")

    true_pos, false_pos, false_neg = Counter(), Counter(), Counter()
    false_alarms = 0
    for row in rows:
        found = engine.screen(row["text"]).category
        expected = row["category"]
        if found == expected:
            if expected:
                true_pos[expected] += 1
            continue
        if args.misses:
            print(f"  expected {expected}, got {found}: {row['text']}")
        if expected:
            false_neg[expected] += 1
        else:
            false_alarms += 1
        if found:
            false_pos[found] += 1

    emergencies = [row for row in rows if row["category"]]
    ordinary = len(rows) - len(emergencies)
    print(f"\n{len(rows)} messages: {len(emergencies)} emergencies, {ordinary} ordinary")
    print(f"{'category':<10} {'en':>4} {'es':>4} {'precision':>10} {'recall':>8}")
    for category in SafetyCategory.values:
        by_language = Counter(r["language"] for r in emergencies if r["category"] == category)
        tp, fp, fn = true_pos[category], false_pos[category], false_neg[category]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(
            f"{category:<10} {by_language['en']:>4} {by_language['es']:>4} "
            f"{precision:>10.1%} {recall:>8.1%}"
        )
    caught = len(emergencies) - sum(false_neg.values())
    print(f"\nrecall on emergencies: {caught}/{len(emergencies)} = {caught / len(emergencies):.1%}")
    print(f"false alarms on ordinary: {false_alarms}/{ordinary} = {false_alarms / ordinary:.1%}")

    wall, cpu = [], []
    for _ in range(args.repeat):
        for row in rows:
            started, started_cpu = time.perf_counter(), time.thread_time()
            engine.screen(row["text"])
            cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
    print(f"\nscreening time per message ({len(wall)} runs, load average {_load()}):")
    # On a shared machine the wall clock includes waiting for a core; CPU time does not.
    for name, timings in (("wall clock", wall), ("CPU time", cpu)):
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"  {name:<10} median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, "
            f"max {timings[-1]:.2f} ms"
        )
    return 0


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
