"""Time the participatory-budgeting rules on the real pabulib files (what `kit pb` and the projector run).

    python benchmarks/pb.py [--repeat 1]

Prints one line per file and rule: ballots, projects, funded, seconds (best of --repeat), and the
process's peak resident memory so far (it only grows: read it as an upper bound per line).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from kit import budgeting

PABULIB = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "pabulib"
CASES = [
    ("poland_wieliczka_2023.pb", "greedy", None),
    ("poland_wieliczka_2023.pb", "mes", "none"),
    ("poland_wieliczka_2023.pb", "mes", "add1"),
    ("poland_warszawa_2017_anin.pb", "mes", "add1"),
    ("france_toulouse_2019_.pb", "greedy", None),
    ("france_toulouse_2019_.pb", "mes", "add1"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--data", type=Path, default=PABULIB)
    args = ap.parse_args()
    print(f"{'file':32} {'rule':12} {'ballots':>7} {'proj':>5} {'funded':>6} {'read s':>7} {'count s':>8} {'maxrss MB':>8}")
    for name, rule, completion in CASES:
        text = (args.data / name).read_text(encoding="utf-8")
        t0 = time.perf_counter()
        e = budgeting.read_pb(text)
        read_s = time.perf_counter() - t0
        best, outcome = None, None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            outcome = budgeting.compute(e, rule, completion or "add1")
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        label = rule + (f"/{completion}" if completion else "")
        print(f"{name:32} {label:12} {len(e.ballots):7d} {len(e.projects):5d} {len(outcome.funded):6d} "
              f"{read_s:7.2f} {best:8.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.1f}")


if __name__ == "__main__":
    main()
