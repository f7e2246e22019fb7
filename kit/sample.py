"""The demo workshop from sample_data/demo.yaml, written through the store like any session."""

from __future__ import annotations

import yaml

from kit.store import Store
from kit.workshop import data_path


def load_demo(store: Store, path=None, language: str | None = None) -> dict:
    """The demo workshop, the second meeting of its network when the file has an `earlier_meeting`
    (the first: the start of the map, the first action items); `language` is its default language
    (kit demo --language), else the file's. Returns the last meeting."""
    spec = yaml.safe_load((path or data_path("sample_data") / "demo.yaml").read_text(encoding="utf-8"))
    if language:
        spec["language"] = language
    titles = spec["title"] if isinstance(spec["title"], dict) else None
    net = spec.get("network") or {}
    roles = spec.get("roles") or {}
    em = spec.get("earlier_meeting")
    hs, tasks = [], {}
    if em:  # the network's first meeting: the start of the map and its action items
        first = store.create_workshop(titles["fi"] if titles else spec["title"], spec["template"],
                                      spec.get("language", "fi"), titles=titles)
        store.set_minutes_info(first["id"], {"date": em.get("date"), "place": em.get("place"), **(em.get("minutes") or {})})
        early = [_actor(store, first["id"], a) for a in net.get("actors", [])[:em.get("actors", 0)]]
        for x in net.get("links", [])[:em.get("links", 0)]:
            store.add_link(first["id"], early[x["source"]]["id"], early[x["target"]]["id"], x["type"],
                           x.get("bidirectional", False))
        hs = _holders(store, first["id"], roles)
        for n in em.get("tasks", []):
            tasks[n] = _task(store, first["id"], roles["tasks"][n], hs)
        nxt = spec.get("next_meeting") or {}
        ws, _ = store.next_meeting(first["id"], date=nxt.get("date"), place=nxt.get("place"))
    else:
        ws = store.create_workshop(titles["fi"] if titles else spec["title"], spec["template"],
                                   spec.get("language", "fi"), titles=titles)
    if spec.get("network_info"):
        store.set_network_info(ws["id"], spec["network_info"])
    copied = store.actors(ws["id"])  # a later meeting's map starts from the last one's
    acts = copied + [_actor(store, ws["id"], a) for a in net.get("actors", [])[len(copied):]]
    tray_acts = (spec.get("tray") or {}).get("activities", [])
    between = (spec.get("tray") or {}).get("between", 0) if em else 0
    for a in tray_acts[:between]:  # added between the meetings: "since last time" names them
        _activity(store, ws["id"], a, acts)
    people = [store.add_participant(ws["id"], p.get("nickname"), p.get("group"), spec.get("language", "fi"))[0]
              for p in spec.get("participants", [])]
    ideas = [store.add_idea(ws["id"], i["text"], people[i["by"]]["id"] if "by" in i else None,
                            tags=i.get("tags"), cost=i.get("cost"))
             for i in spec.get("ideas", [])]
    for r in spec.get("rounds", []):
        items = [ideas[n]["id"] for n in r["items"]] if "items" in r else None
        method = r.get("method", "dots")
        titles = r["title"] if isinstance(r["title"], dict) else None
        title = titles["fi"] if titles else r["title"]
        if method == "dots":
            rnd = store.create_round(ws["id"], title, r.get("preset", "n3"), r.get("dots"), r.get("cap"),
                                     idea_ids=items, titles=titles)
        else:
            rnd = store.create_round(ws["id"], title, method=method, options=r.get("options"), idea_ids=items,
                                     titles=titles)
        store.open_round(rnd["id"])
        for b in r.get("ballots", []):
            if "dots" in b:
                body = {"dots": {ideas[int(k)]["id"]: v for k, v in b["dots"].items()}}
            elif "ranking" in b:
                body = {"ranking": [ideas[n]["id"] for n in b["ranking"]]}
            else:
                body = {"choices": [ideas[n]["id"] for n in b["choices"]]}
            store.save_ballot(rnd["id"], people[b["by"]]["id"], body)
        if r.get("status") == "closed":
            store.close_round(rnd["id"])
        if r.get("results_visible"):
            store.set_results_visible(rnd["id"], True)
    for n, x in enumerate(net.get("links", [])):
        if n == net.get("snapshot_after"):
            store.take_snapshot(ws["id"], net.get("snapshot_label"))
        if em and n < em.get("links", 0):
            continue
        store.add_link(ws["id"], acts[x["source"]]["id"], acts[x["target"]]["id"], x["type"],
                       x.get("bidirectional", False))
    hs = hs or _holders(store, ws["id"], roles)
    for n, tk in enumerate(roles.get("tasks", [])):
        if n not in tasks:
            tasks[n] = _task(store, ws["id"], tk, hs)
    if roles:
        plan = dict(roles.get("plan") or {})
        if "responsible_person" in roles:
            plan["responsible_person"] = hs[roles["responsible_person"]]["id"]
        if "budget_owner" in roles:
            plan["budget_owner"] = hs[roles["budget_owner"]]["id"]
        store.set_plan(ws["id"], **plan)
    for a in tray_acts[between:]:
        _activity(store, ws["id"], a, acts)
    if (spec.get("tray") or {}).get("open"):
        store.set_setting(ws["id"], "tray_open", True)
    return store.workshop(ws["id"])


def _activity(store: Store, workshop_id: int, a: dict, acts: list[dict]) -> dict:
    a = dict(a)
    org = a.pop("organiser", None)
    return store.add_activity(workshop_id, a, acts[org]["id"] if org is not None else None)


def _actor(store: Store, workshop_id: int, a: dict) -> dict:
    return store.add_actor(workshop_id, a["name"], a["sector"], a.get("organisation"), a.get("is_person", False),
                           a.get("notes"), a.get("influence"), a.get("interest"), a.get("goals"))


def _holders(store: Store, workshop_id: int, r: dict) -> list[dict]:
    hs = []
    for h in r.get("holders", []):
        holder = store.add_holder(workshop_id, h["name"], h.get("kind", "person"), chair=h.get("chair"),
                                  unpaid=h.get("unpaid", False))
        for comp, level in (h.get("competences") or {}).items():
            store.set_level(holder["id"], comp, level)
        hs.append(holder)
    return hs


def _task(store: Store, workshop_id: int, tk: dict, hs: list[dict]) -> dict:
    task = store.add_task(workshop_id, tk["title"], tk.get("section", "implementation"), tk.get("effort"), tk.get("due"))
    for n, letters in (tk.get("letters") or {}).items():
        store.set_letter(task["id"], hs[int(n)]["id"], letters)
    return task
