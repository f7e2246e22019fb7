"""The minutes (pöytäkirja) as one document, drawn three ways: HTML (and so the A4 PDF), plain text,
and an editable DOCX, because secretaries finish minutes in a word processor. The numbering is
kit/minutes.py's; the facts come from what the secretary typed on the outputs page and what the
meeting recorded (votes, tasks, questions). Everything typed stays text: Jinja2 escapes it in HTML,
python-docx writes it as runs of text (never as markup or a field)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from kit import minutes as mn
from kit.agenda import activity_title
from kit.workshop import MIN_GROUP
from kit.numbers import date_text
from kit.render import render

# characters a DOCX (XML 1.0) cannot hold; typed text is cleaned on the way in, old data on the way out
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Section:
    number: int
    heading: str
    lines: list[str] = field(default_factory=list)  # what the meeting recorded (results, tasks, questions)
    note: str = ""  # the discussion, as the secretary typed it
    decision: str = ""


@dataclass
class MinutesDoc:
    title: str
    facts: list[tuple[str, str]]
    present: list[str]
    by_group: list[str]
    sections: list[Section]
    signatures: list[str]
    labels: dict


def build(rep) -> MinutesDoc:
    """The minutes of the meeting `rep` (a kit.report.Report) reports on."""
    t, ws = rep.t, rep.ws
    info = (ws["settings"] or {}).get("minutes") or {}
    number = info.get("number") or (str(ws["meeting_no"]) if (ws.get("meeting_no") or 1) > 1 else "")
    title = t("minutes.title", title=rep.title) + (f" {t('minutes.number', number=number)}" if number else "")
    prev = rep.store.previous_meeting(ws["id"])
    day = date_text(info.get("date") or ws["created_at"][:10], rep.lang)
    when = day + (f" {t('minutes.clock', start=info['start'], end=info.get('end') or '')}".rstrip(" –")
                  if info.get("start") else "")
    facts = [(t("minutes.when"), when), (t("minutes.where"), info.get("place") or (ws["settings"] or {}).get("place") or "–")]
    for key in ("chair", "secretary"):
        if info.get(key):
            facts.append((t(f"minutes.{key}"), info[key]))
    if info.get("checkers"):
        facts.append((t("minutes.checkers"), ", ".join(info["checkers"])))
    by_group = [f"{g}: {n}" for g, n in rep.group_counts(unnamed=True)]
    # present by name: whom the secretary wrote down, and who asked to be named on their own device
    present = list(dict.fromkeys(info.get("present", []) + [p["minutes_name"] for p in rep.participants
                                                             if p.get("minutes_name")]))
    agenda = rep.store.agenda(ws["id"])
    rounds = {r["id"]: r for r in rep.rounds}
    sections = []
    held = {a["config"].get("round_id") for a in agenda if a["type"] == "vote"}
    others = [r for r in rep.rounds if r["status"] == "closed" and r["id"] not in held]
    lowered = rep.min_group < MIN_GROUP
    for item in mn.items(agenda, info, other_votes=bool(others), threshold=lowered, previous=prev is not None):
        s = Section(item.number, "", note=item.note, decision=item.decision)
        if item.kind == "opening":
            s.heading = t("minutes.opening")
            if info.get("start"):
                s.lines.append(t("minutes.opened", who=info.get("chair") or t("minutes.chair_unnamed"), time=info["start"]))
        elif item.kind == "previous":
            s.heading, s.decision = t("minutes.previous"), info.get("previous") or ""
            if prev is not None:
                s.lines.append(t("minutes.previous_meeting", number=prev["number"],
                                 date=date_text(prev["date"] or prev["created_at"][:10], rep.lang)))
        elif item.kind == "threshold":  # the meeting agreed to be seen in smaller groups (issue 17, item 9)
            s.heading = t("minutes.threshold")
            s.decision = t("minutes.threshold_decision", n=rep.min_group, default=MIN_GROUP)
        elif item.kind == "activity":
            a = item.activity
            s.heading = activity_title(a, rep.lang)
            if a["type"] == "vote" and a["config"].get("round_id") in rounds:
                s.lines.append(rep.decision_line(rounds[a["config"]["round_id"]]))
            if a["type"] == "questions":
                s.lines += [t("minutes.question", text=q["text"], n=q["votes"])
                            for q in rep.store.questions(ws["id"], a["id"]) if q["status"] == "visible"]
            s.lines += recorded(rep, a)
        elif item.kind == "votes":
            s.heading = t("minutes.votes")
            s.lines = [rep.decision_line(r) for r in others]
        elif item.kind == "actions":
            s.heading = t("minutes.actions")
            s.lines = rep.action_lines() or [t("minutes.no_actions")]
        else:
            s.heading = t("minutes.closing")
            if info.get("end"):
                s.lines.append(t("minutes.closed", who=info.get("chair") or t("minutes.chair_unnamed"), time=info["end"]))
        sections.append(s)
    signatures = [t("minutes.chair"), t("minutes.secretary")] + [t("minutes.checker")] * max(1, len(info.get("checkers", [])))
    labels = {k: t(f"minutes.{k}") for k in ("present", "by_group", "discussion", "decision", "signatures", "none")}
    return MinutesDoc(title, facts, present, by_group, sections, signatures, labels)


def recorded(rep, a: dict) -> list[str]:
    """What the meeting recorded on an activity, for its item: so that an item the secretary wrote
    nothing on still says what happened there."""
    t, wid = rep.t, rep.ws["id"]
    if a["type"] == "words":
        cloud = rep.store.word_cloud(wid, a["id"], rep.lang, top=8)
        return [t("minutes.words", words=", ".join(f"{c['word']} ({c['n']})" for c in cloud))] if cloud else []
    if a["type"] == "ideas":
        shown = [i for i in rep.store.ideas(wid) if i["status"] == "visible"]
        return [t("minutes.ideas", n=len(shown))] if shown else []
    if a["type"] == "map":
        actors, links = rep.store.map_data(wid)
        return [t("minutes.map", actors=len(actors), links=len(links))] if actors else []
    if a["type"] == "since":  # this meeting's word on each earlier action item
        data = rep.store.since_last_time(wid)
        out = []
        return [t("minutes.since_item", task=r.title, who=", ".join(r.who) or "–", state=r.state(t))
                for r in (data or {}).get("items", [])]
    if a["type"] == "form" and a["config"].get("form_id"):
        n = len(rep.store.responses(a["config"]["form_id"]))
        return [t("minutes.form", n=n)]
    return []


def html(doc: MinutesDoc, lang: str) -> str:
    return render("report/minutes.html", lang, doc=doc)


def text(doc: MinutesDoc) -> str:
    out = [doc.title, ""] + [f"{k}: {v}" for k, v in doc.facts] + ["", doc.labels["present"].upper()]
    out += [f"- {x}" for x in doc.present] + [f"- {doc.labels['by_group']}: {', '.join(doc.by_group) or doc.labels['none']}", ""]
    for s in doc.sections:
        out.append(f"§ {s.number} {s.heading.upper()}")
        out += [f"- {x}" for x in s.lines]
        if s.note:
            out.append(f"{doc.labels['discussion']}: {s.note}")
        if s.decision:
            out.append(f"{doc.labels['decision']}: {s.decision}")
        out.append("")
    out.append(doc.labels["signatures"].upper())
    out += [f"{x}: ____________________" for x in doc.signatures]
    return "\n".join(out)


def docx_text(x: str) -> str:
    """Text as a DOCX (XML 1.0) can hold it: control characters from old data dropped, nothing else."""
    return _NOT_XML.sub("", x or "")


def docx_document(title: str, lang: str):
    """A new A4 Word document (python-docx) with 20 mm margins, its title and language set and its
    title as the first heading: how the minutes and the summary both begin."""
    from docx import Document
    from docx.shared import Mm

    d = Document()
    sec = d.sections[0]
    sec.page_height, sec.page_width = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Mm(20))
    d.core_properties.title, d.core_properties.language = docx_text(title), lang
    d.add_heading(docx_text(title), level=1)
    return d


def docx_bytes(d) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def docx(doc: MinutesDoc, lang: str) -> bytes:
    """An editable Word document (python-docx): the same minutes, headings and paragraphs a secretary
    can go on writing in."""
    from docx.shared import Pt

    clean = docx_text
    d = docx_document(doc.title, lang)
    table = d.add_table(rows=0, cols=2)
    for k, v in doc.facts:
        row = table.add_row().cells
        row[0].text, row[1].text = clean(k), clean(v)
    d.add_heading(clean(doc.labels["present"]), level=2)
    for x in doc.present:
        d.add_paragraph(clean(x), style="List Bullet")
    d.add_paragraph(clean(f"{doc.labels['by_group']}: {', '.join(doc.by_group) or doc.labels['none']}"))
    for s in doc.sections:
        d.add_heading(clean(f"§ {s.number} {s.heading}"), level=2)
        for x in s.lines:
            d.add_paragraph(clean(x), style="List Bullet")
        for label, value in ((doc.labels["discussion"], s.note), (doc.labels["decision"], s.decision)):
            if value:
                p = d.add_paragraph()
                p.add_run(clean(label) + ": ").bold = True
                p.add_run(clean(value))
    d.add_heading(clean(doc.labels["signatures"]), level=2)
    for x in doc.signatures:
        p = d.add_paragraph()
        p.paragraph_format.space_before = Pt(24)
        p.add_run("_" * 40 + "\n" + clean(x))
    return docx_bytes(d)
