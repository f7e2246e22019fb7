"""Stage 4's shared pieces: the logic model, the indicators, a form's results and the activity log,
as the evaluation page, the projector and the report show them."""

from __future__ import annotations

from kit import evaluation as ev
from kit.i18n import t
from kit.numbers import number
from kit.render import render

LEVEL_KEYS = {lv: f"lm.{lv}" for lv in ev.LEVELS}
THL_KEYS = {d: f"thl.{d}" for d in ev.THL}
CHECK_KEYS = {"lm_cycle": "lm_check.lm_cycle", "activity_without_input": "lm_check.activity_without_input",
              "activity_without_output": "lm_check.activity_without_output",
              "outcome_without_activity": "lm_check.outcome_without_activity",
              "outcome_without_indicator": "lm_check.outcome_without_indicator",
              "dimension_not_reached": "lm_check.dimension_not_reached"}
CRITERION_KEYS = {"not_started": "criterion.not_started", "partly": "criterion.partly", "met": "criterion.met"}
STATUS_KEYS = {"draft": "form.status_draft", "scheduled": "form.status_scheduled", "open": "form.status_open",
               "closed": "form.status_closed"}


def criteria() -> list[dict]:
    """The promising-practice criteria of templates/evaluation/criteria.yaml."""
    from kit.workshop import data_path

    return ev.criteria(data_path("templates") / "evaluation" / "criteria.yaml")


def model_html(nodes: list[dict], edges, lang: str):
    """The logic model as columns left to right (a list per level; links named under each part)."""
    text = {n["id"]: n["text"] for n in nodes}
    cols = [{"heading": LEVEL_KEYS[lv],
             "nodes": [{"text": n["text"], "to": [text[b] for a, b in edges if a == n["id"]]}
                       for n in nodes if n["level"] == lv]} for lv in ev.LEVELS]
    return render("evaluation/model.html", lang, cols=cols) if nodes else ""


def current_values(inds: list[dict], log: list[dict]) -> dict:
    """What the activity log says now, for indicators collected from attendance statistics."""
    total = ev.log_totals(log)["participations"] if log else None
    out = {i["id"]: total for i in inds if i.get("method") == "attendance" and total is not None}
    for i in inds:  # a measured result (a survey import) wins: it is the latest value
        if i.get("results"):
            out[i["id"]] = i["results"][-1]["value"]
    return out


def indicators_html(inds: list[dict], node_text: dict, lang: str, current: dict | None = None):
    if not inds:
        return ""
    current = current or {}
    rows = []
    for i in inds:
        chart = ev.value_chart(i.get("results") or [], i.get("baseline"), i.get("target"))
        summary = t("ui.trend_summary", lang, name=i["name"], values=", ".join(
            f"{p['date']}: {number(p['value'], lang)}" for p in chart["points"])) if chart else ""
        rows.append({"ind": i, "node": node_text.get(i.get("node"), ""), "now": current.get(i["id"], ""),
                     "smart": ev.smart(i), "chart": chart, "summary": summary})
    return render("evaluation/indicators.html", lang, rows=rows)


def form_results_html(f: dict, resp: list[dict], agg: list[dict], lang: str, min_answers: int | None = None):
    """Each question's result once it has enough answers; until then only how many there are."""
    least = min_answers or f["min_answers"]
    approved = set(f["approved"] or [])
    qs = {q["id"]: q for q in f["questions"]}
    results = []
    for row in agg:
        q = qs[row["id"]]
        texts = [r["answers"][q["id"]] for r in resp if f"{r['id']}:{q['id']}" in approved] if q["kind"] == "text" else []
        results.append({"q": q, "row": row, "texts": texts})
    return render("evaluation/form_results.html", lang, form=f, answers=len(resp), results=results, least=least,
                  status_key=STATUS_KEYS[f["status"]])


def log_html(log: list[dict], group_names: dict, lang: str):
    tot = ev.log_totals(log) if log else None
    return render("evaluation/log.html", lang, log=log, totals=tot, names=group_names)


def paper_form_html(form: dict, lang: str):
    """A printable feedback form: the same questions, numbered as the facilitator enters them,
    with boxes to tick and lines to write on; a self-contained page (fi/sv/en)."""
    questions = ev.paper_questions(form["questions"])
    return render("evaluation/paper_form.html", lang, form=form, questions=questions,
                  skipped=len(form["questions"]) - len(questions))
