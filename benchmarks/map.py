"""Time what the stakeholder map page does on every change of the map: read it from the store,
analyse it (networkx), and draw the interactive map, the static SVG and the grid.

    python benchmarks/map.py [--sizes 13 50 150] [--links-per-actor 2] [--repeat 3]

Prints, per network size, the best of --repeat in milliseconds; the page also waits up to 0.5 s
for its poll, so "redraws within a second" needs the total under 500 ms.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time

from kit import workshop as wsmod
from kit.store import Store
from kit.ui.stakeholders import MapView


def build(store: Store, n: int, per: int) -> dict:
    ws = store.create_workshop(f"Bench {n}", "osallisuusverkosto", "fi")
    sectors = wsmod.template(ws["template"])["sectors"]
    rnd = random.Random(n)
    ids = [store.add_actor(ws["id"], f"Toimija {i}", sectors[i % len(sectors)], influence=rnd.randint(0, 10),
                           interest=rnd.randint(0, 10))["id"] for i in range(n)]
    types = ["information", "funding", "referral", "cooperation"]
    for _ in range(n * per):
        a, b = rnd.sample(ids, 2)
        store.add_link(ws["id"], a, b, rnd.choice(types))
    return store.workshop(ws["id"])


def best(fn, repeat: int) -> tuple[float, object]:
    out, times = None, []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1000, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[13, 50, 150])
    ap.add_argument("--links-per-actor", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    store = Store.open(tempfile.mkdtemp())
    print(f"{'actors':>6} {'links':>6} {'read+analyse ms':>16} {'interactive ms':>15} {'html KB':>8} "
          f"{'svg+grid ms':>12} {'total ms':>9}")
    for n in args.sizes:
        ws = build(store, n, args.links_per_actor)
        t_an, view = best(lambda ws=ws: MapView(store, ws, "fi"), args.repeat)
        t_map, page = best(view.interactive, args.repeat)
        t_svg, _ = best(lambda view=view: (view.svg(), view.grid()), args.repeat)
        print(f"{n:6d} {len(view.links):6d} {t_an:16.1f} {t_map:15.1f} {len(page) / 1024:8.0f} {t_svg:12.1f} "
              f"{t_an + t_map + t_svg:9.1f}")


if __name__ == "__main__":
    main()
