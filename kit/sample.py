"""The demo workshop from sample_data/demo.yaml, written through the store like any session."""

from __future__ import annotations

import yaml

from kit.store import Store
from kit.workshop import data_path


def load_demo(store: Store, path=None) -> dict:
    spec = yaml.safe_load((path or data_path("sample_data") / "demo.yaml").read_text(encoding="utf-8"))
    ws = store.create_workshop(spec["title"], spec["template"], spec.get("language", "fi"))
    people = [store.add_participant(ws["id"], p.get("nickname"), p.get("group"), spec.get("language", "fi"))[0]
              for p in spec.get("participants", [])]
    ideas = [store.add_idea(ws["id"], i["text"], people[i["by"]]["id"] if "by" in i else None)
             for i in spec.get("ideas", [])]
    for r in spec.get("rounds", []):
        rnd = store.create_round(ws["id"], r["title"], r.get("preset", "n3"), r.get("dots"), r.get("cap"))
        store.open_round(rnd["id"])
        for b in r.get("ballots", []):
            dots = {ideas[int(k)]["id"]: v for k, v in b["dots"].items()}
            store.save_dot_ballot(rnd["id"], people[b["by"]]["id"], dots)
        if r.get("status") == "closed":
            store.close_round(rnd["id"])
        if r.get("results_visible"):
            store.set_results_visible(rnd["id"], True)
    return store.workshop(ws["id"])
