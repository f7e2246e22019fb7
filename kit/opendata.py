"""The workshop as open data: one plain table per entity of every stage (participants, ideas, rounds,
ballot marks, results; actors and links; the tray; stage 3's plan, holders, tasks, RACI letters,
competences, offers and terms; stage 4's logic model, indicators, forms aggregated as the report
shows them, the activity log), written as XLSX or a bundle of CSV files. No tokens, no device data,
nicknames only when asked for; nothing per person from the feedback forms.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

from kit import network as nw
from kit import workshop as wsmod
from kit.store import Store

MIN_GROUP = wsmod.MIN_GROUP  # as the report's: groups and answers under it are not shown on their own


def tables(store: Store, workshop_id: int, include_nicknames: bool = False) -> dict[str, list[dict]]:
    """One table per entity, as plain rows (no tokens, no device data; nicknames only if asked)."""
    doc = store.dump_workshop(workshop_id)
    tb = doc["tables"]
    parts = []
    for p in tb["participants"]:
        row = {"id": p["id"], "stakeholder_group": p["stakeholder_group"], "kind": p.get("kind") or "device",
               "language": p["language"], "created_at": p["created_at"]}
        if include_nicknames:
            row["nickname"] = p["nickname"]
        parts.append(row)
    ideas = [{"id": i["id"], "text": i["text"], "status": i["status"], "participant_id": i["participant_id"],
              "reject_reason": i.get("reject_reason"), "merged_into": i.get("merged_into"), "cost": i.get("cost"),
              "pore_level": (i.get("tags") or {}).get("pore_level"),
              "thl": ",".join((i.get("tags") or {}).get("thl", [])),
              "target_groups": ",".join((i.get("tags") or {}).get("target_groups", [])),
              "step_level": (i.get("tags") or {}).get("step_level"), "created_at": i["created_at"]} for i in tb["ideas"]]
    rounds = [{"id": r["id"], "title": r["title"], "method": r["method"], "status": r["status"],
               "rules": json.dumps({k: v for k, v in r["rules"].items() if k != "lot"}, ensure_ascii=False),
               "opened_at": r["opened_at"], "closed_at": r["closed_at"]} for r in tb["rounds"]]
    ballot_round = {b["id"]: (b["round_id"], b["participant_id"], b.get("source") or "device") for b in tb["ballots"]}
    marks = [{"round_id": ballot_round[m["ballot_id"]][0], "ballot_id": m["ballot_id"],
              "participant_id": ballot_round[m["ballot_id"]][1], "source": ballot_round[m["ballot_id"]][2],
              "idea_id": m["idea_id"], "mark": m["mark"]} for m in tb["ballot_marks"]]
    results = []
    for r in store.rounds(workshop_id):
        if r["status"] == "draft":
            continue
        res = store.results(r["id"]).results
        results += [{"round_id": r["id"], "idea_id": x.idea_id, "score": x.score, "rank": x.rank, "voters": x.voters}
                    for x in res]
    actors, links = store.map_data(workshop_id)
    counts = store.interest_counts(workshop_id)
    # the tray's columns are the import's headings: the file comes back in as it went out
    acts = [{"id": a["id"], "name": a["name"], "organiser": a["organiser"], "place": a["place"],
             "accessibility": a["accessibility"], "schedule": a["schedule"], "days": ", ".join(a["days"]),
             "cost": a["cost"], "step_level": a["step_level"], "target_groups": ", ".join(a["target_groups"]),
             "languages": ", ".join(a["languages"]), "contact": a["contact"], "description": a["description"],
             "interested": counts.get(a["id"], {}).get("interested", 0),
             "organise": counts.get(a["id"], {}).get("organise", 0)} for a in store.activities(workshop_id)]
    return {
        "participants": parts, "ideas": ideas, "rounds": rounds, "ballot_marks": marks, "results": results,
        "actors": [{**a, "goals": "|".join(a["goals"])} for a in actors], "links": links, "activities": acts,
        **roles_tables(store, workshop_id, include_nicknames), **evaluation_tables(store, workshop_id),
        **run_tables(store, workshop_id),
    }


def run_tables(store: Store, workshop_id: int) -> dict[str, list[dict]]:
    """The run of show: the agenda, the warm-up's word clouds (counted, as the projector showed them:
    nothing per person) and the questions from the room with their votes."""
    items = store.agenda(workshop_id)
    lang = store.workshop(workshop_id)["language"]
    from kit.agenda import activity_title

    return {
        "agenda": [{"position": i + 1, "id": a["id"], "type": a["type"], "title": activity_title(a, lang),
                    "minutes": a["minutes"]} for i, a in enumerate(items)],
        "words": [{"activity_id": a["id"], "word": c["word"], "count": c["n"]}
                  for a in items if a["type"] == "words" for c in store.word_cloud(workshop_id, a["id"], top=10**6)],
        "questions": [{"id": q["id"], "activity_id": q["activity_uid"], "text": q["text"], "status": q["status"],
                       "votes": q["votes"], "created_at": q["created_at"]}
                      for q in store.questions(workshop_id) if q["status"] in ("visible", "answered")],
    }


# the columns of each table, so an empty one still says what it would hold (open data reads headers)
COLUMNS = {
    "participants": ("id", "stakeholder_group", "kind", "language", "created_at"),
    "ideas": ("id", "text", "status", "participant_id", "reject_reason", "merged_into", "cost", "pore_level", "thl",
              "target_groups", "step_level", "created_at"),
    "rounds": ("id", "title", "method", "status", "rules", "opened_at", "closed_at"),
    "ballot_marks": ("round_id", "ballot_id", "participant_id", "source", "idea_id", "mark"),
    "results": ("round_id", "idea_id", "score", "rank", "voters"),
    "actors": ("id", "name", "sector", "organisation", "is_person", "notes", "influence", "interest", "goals"),
    "links": ("id", "source", "target", "type", "bidirectional", "weight", "informal"),
    "activities": ("id", "name", "organiser", "place", "accessibility", "schedule", "days", "cost", "step_level",
                   "target_groups", "languages", "contact", "description", "interested", "organise"),
    "plan": ("field", "value"),
    "holders": ("id", "name", "kind", "chair", "unpaid", "removed", "actor_id", "participant_id"),
    "tasks": ("id", "title", "section", "effort", "due", "deputy_id", "done", "idea_id", "role", "a_implies_r"),
    "raci": ("task_id", "holder_id", "letters"),
    "competence_levels": ("holder_id", "competence", "level"),
    "offers": ("id", "task_id", "participant_id", "kind", "competences", "status", "created_at"),
    "terms": ("holder_id", "role", "start", "end"),
    "logic_model_nodes": ("id", "level", "text", "thl", "task_id", "idea_id"),
    "logic_model_links": ("source", "target"),
    "indicators": ("id", "node_id", "name", "kind", "unit", "method", "baseline", "target", "target_date", "current",
                   "source", "frequency", "thl", "target_group"),
    "indicator_values": ("indicator_id", "value", "source", "day"),
    "forms": ("id", "title", "status", "questions", "responses", "min_answers"),
    "form_results": ("form_id", "question_id", "question", "kind", "answers", "shown", "mean", "value", "count"),
    "form_open_answers": ("form_id", "question_id", "text"),
    "activity_log": ("id", "date", "type", "participants", "total", "staff_hours", "node_id"),
    "agenda": ("position", "id", "type", "title", "minutes"),
    "words": ("activity_id", "word", "count"),
    "questions": ("id", "activity_id", "text", "status", "votes", "created_at"),
}


def _json(v) -> str:
    return json.dumps(v, ensure_ascii=False, sort_keys=True) if v not in (None, "", [], {}) else ""


def roles_tables(store: Store, workshop_id: int, include_nicknames: bool = False) -> dict[str, list[dict]]:
    """Stage 3 as tables: the plan, holders (a volunteer under "Volunteer N" unless nicknames are
    asked for, as in the report), tasks, RACI letters, competence levels, offers and terms."""
    from kit import roles

    d = store.roles_data(workshop_id)
    if not include_nicknames:
        lang = store.workshop(workshop_id)["language"]
        d = {**d, "holders": roles.volunteer_names(d["holders"], store.participants(workshop_id), lang)}
    plan = store.plan(workshop_id)
    holder_rows = {h["id"]: h for h in store.holders(workshop_id)}
    return {
        "plan": [{"field": k, "value": v if isinstance(v, str) else _json(v)} for k, v in sorted(plan.items())
                 if k not in ("criteria",) and v not in (None, "", [], {})],
        "holders": [{"id": h["id"], "name": h["name"], "kind": h["kind"], "chair": holder_rows[h["id"]]["chair"],
                     "unpaid": bool(h["unpaid"]), "removed": bool(h["removed"]), "actor_id": h["actor_id"],
                     "participant_id": h["participant_id"]} for h in d["holders"]],
        "tasks": [{"id": x["id"], "title": x["title"], "section": x["section"], "effort": x["effort"], "due": x["due"],
                   "deputy_id": x["deputy"], "done": bool(x["done"]), "idea_id": x["idea_id"], "role": x["role"],
                   "a_implies_r": bool(x["a_implies_r"])} for x in d["tasks"]],
        "raci": [{"task_id": task, "holder_id": holder, "letters": letters}
                 for (task, holder), letters in sorted(d["assignments"].items())],
        "competence_levels": [{"holder_id": holder, "competence": comp, "level": level}
                              for (holder, comp), level in sorted(d["levels"].items())],
        "offers": [{"id": o["id"], "task_id": o["task_id"], "participant_id": o["participant_id"], "kind": o["kind"],
                    "competences": _json(o["competences"]), "status": o["status"], "created_at": o["created_at"]}
                   for o in store.offers(workshop_id)],
        "terms": [{"holder_id": x["holder"], "role": x["role"], "start": x["start"], "end": x["end"]}
                  for x in d["terms"]],
    }


def evaluation_tables(store: Store, workshop_id: int) -> dict[str, list[dict]]:
    """Stage 4 as tables: the logic model's nodes and links, indicators with their values, forms,
    responses aggregated as the report shows them (nothing per person, nothing under the threshold),
    the approved open answers and the activity log."""
    from kit import evaluation as ev
    from kit.render.evaluation import current_values

    nodes, edges = store.logic_model(workshop_id)
    inds = store.indicators(workshop_id)
    log = store.activity_log(workshop_id)
    now_ = current_values(inds, log)
    forms_, answers, open_answers = [], [], []
    for f in store.forms(workshop_id):
        if f["status"] == "draft":
            continue
        resp = store.responses(f["id"])
        least = max(f["min_answers"], wsmod.min_group(store.workshop(workshop_id)))
        forms_.append({"id": f["id"], "title": f["title"], "status": f["status"], "questions": len(f["questions"]),
                       "responses": len(resp), "min_answers": least})
        texts = {q["id"]: q["text"] for q in f["questions"]}
        approved = set(f["approved"] or [])
        for row in ev.aggregate(f["questions"], resp, least):
            base = {"form_id": f["id"], "question_id": row["id"], "question": texts.get(row["id"], ""),
                    "kind": row["kind"], "answers": row["n"], "shown": row["shown"]}
            spread = row.get("distribution") or row.get("counts")
            if spread:
                answers += [{**base, "mean": row.get("mean"), "value": str(k), "count": n} for k, n in spread.items()]
            else:
                answers.append({**base, "mean": row.get("mean"), "value": "", "count": None})
            if row["kind"] == "text" and row["shown"]:
                open_answers += [{"form_id": f["id"], "question_id": row["id"], "text": r["answers"][row["id"]]}
                                 for r in resp if f"{r['id']}:{row['id']}" in approved and row["id"] in r["answers"]]
    return {
        "logic_model_nodes": [{"id": n["id"], "level": n["level"], "text": n["text"], "thl": ",".join(n.get("thl") or []),
                               "task_id": n.get("task_id"), "idea_id": n.get("idea_id")} for n in nodes],
        "logic_model_links": [{"source": a, "target": b} for a, b in edges],
        "indicators": [{"id": i["id"], "node_id": i["node"], "name": i.get("name") or i.get("text") or "",
                        "kind": i.get("kind"), "unit": i.get("unit"), "method": i.get("method"),
                        "baseline": i.get("baseline"), "target": i.get("target"), "target_date": i.get("target_date"),
                        "current": now_.get(i["id"]), "source": i.get("source"), "frequency": i.get("frequency"),
                        "thl": ",".join(i.get("thl") or []), "target_group": i.get("target_group")} for i in inds],
        "indicator_values": [{"indicator_id": i["id"], "value": r.get("value"), "source": r.get("source"),
                              "day": r.get("day")} for i in inds for r in i.get("results") or []],
        "forms": forms_, "form_results": answers, "form_open_answers": open_answers,
        "activity_log": [{"id": a["id"], "date": a["date"], "type": a["type"], "participants": _json(a["participants"]),
                          "total": sum((a["participants"] or {}).values()), "staff_hours": a["staff_hours"],
                          "node_id": a["node_id"]} for a in log],
    }


def xlsx(store: Store, workshop_id: int, include_nicknames: bool = False) -> bytes:
    """One sheet per table. Text is written as typed, as text: a cell a participant began with = + - @
    is a string cell with Excel's quote prefix, never a formula; a control character a spreadsheet
    cannot hold is left out of that cell only, so no cell can fail the export."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, rows in tables(store, workshop_id, include_nicknames).items():
        sheet = book.create_sheet(name[:31])
        cols = list(rows[0]) if rows else list(COLUMNS.get(name, ()))
        sheet.append(cols)
        for c in sheet[1]:
            c.font = Font(bold=True)
        for r, row in enumerate(rows, start=2):
            for k, col in enumerate(cols, start=1):
                v = row.get(col)
                if isinstance(v, (dict, list)):
                    v = _json(v)
                cell = sheet.cell(r, k)
                if isinstance(v, str):
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", v)
                    cell.data_type = "s"  # as typed, never run
                    if v[:1] in ("=", "+", "-", "@"):
                        cell.quotePrefix = True
                else:
                    cell.value = v
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def csv_zip(store: Store, workshop_id: int, include_nicknames: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, rows in tables(store, workshop_id, include_nicknames).items():
            out = io.StringIO()
            cols = list(rows[0]) if rows else list(COLUMNS.get(name, ()))
            w = csv.writer(out, lineterminator="\n")
            w.writerow(cols)
            for r in rows:
                w.writerow([nw._safe_cell("" if r[c] is None else r[c]) for c in cols])
            z.writestr(f"{name}.csv", out.getvalue())
    return buf.getvalue()


def pb_files(store: Store, workshop_id: int) -> dict[str, str]:
    return {f"round-{r['id']}.pb": store.pb_file(r["id"]) for r in store.rounds(workshop_id)
            if r["method"] == "pb" and r["status"] != "draft"}


