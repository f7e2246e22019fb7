"""A round's results as the projector, the facilitator's desk and the report show them: the ranked
list with result bars, both budgeting rules with their steps, the results by stakeholder group, the
printable paper ballot."""

from __future__ import annotations

from kit import budgeting, voting
from kit.i18n import t
from kit.numbers import money
from kit.render import render

SCORE_KEY = {"dots": "ui.unit_dots", "ranking": "ui.unit_points"}  # else votes
RULE_TITLE = {"greedy": "ui.pb_greedy", "mes": "ui.pb_mes", "choose1": "ui.pb_choose1"}


def results_html(data: dict, lang: str) -> str:
    rnd = data["round"]
    rows = []
    if rnd and rnd["results_visible"] and voting.has_result(data["results"]):
        top = max(r.score for r in data["results"]) or 1
        for r in data["results"]:
            text, status = data["texts"].get(r.idea_id, ("", "visible"))
            rows.append({"id": r.idea_id, "score": r.score, "rank": r.rank, "text": text, "visible": status == "visible",
                         "tie": r.idea_id in data["ties"], "width": f"{100 * r.score / top:.0f}"})
    unit = t(SCORE_KEY.get(rnd["method"], "ui.unit_votes"), lang) if rnd else ""
    pb = pb_html(data["pb"], lang, voting.pb_rule(rnd["rules"])) if rows and data.get("pb") else ""
    title = voting.round_title(rnd, lang) if rnd else ""
    return render("voting/results.html", lang, rnd=rnd, title=title, rows=rows, unit=unit, pb=pb)


def pb_html(pb: dict, lang: str, rule: str = "mes") -> str:
    """The one result of a budgeting round, by the rule fixed when it opened, with its step-by-step
    explanation; the other rule beside it only as a comparison, labelled so, on the desk (never on the
    projector's view: the room sees the decision)."""
    e = pb["election"]
    cols = [{"rule": r, "binding": r == rule,
             "title": t("ui.pb_binding" if r == rule else "ui.pb_compare", lang, rule=t(RULE_TITLE[r], lang)),
             "left": t("ui.pb_left", lang, left=money(pb[r].left, lang)),
             "funded": [{"id": pid, "label": e.project(pid).label, "cost": money(e.project(pid).cost, lang)}
                        for pid in pb[r].funded],
             "steps": budgeting.explain(pb[r], e, lang)}
            for r in (rule, *voting.pb_comparisons(rule))]
    not_fundable = ", ".join(e.project(pid).label for pid in pb[rule].not_fundable)
    return render("voting/pb.html", lang, cols=cols, not_fundable=not_fundable)


def groups_html(data: dict, lang: str, group_names: dict) -> str:
    g = data["groups"]
    rnd = data["round"]
    if not rnd or not rnd["results_visible"] or g is None:
        return ""
    names = [(gid, group_names.get(gid, t("ui.group_other", lang) if gid == "other" else gid)) for gid in g["groups"]]
    cols = [{"name": n, "size": g["sizes"][gid]} for gid, n in names]
    rows = []
    for r in data["results"]:
        text, status = data["texts"].get(r.idea_id, ("", "visible"))
        rows.append({"text": text, "visible": status == "visible", "counts": [g["groups"][gid][r.idea_id] for gid, _ in names]})
    single = [{"idea": data["texts"].get(s["item"], ("", ""))[0], "group": dict(names).get(s["group"], s["group"])}
              for s in g["single_group"]]
    return render("voting/groups.html", lang, cols=cols, rows=rows, min_group=g["min_group"],
                  suppressed=g["suppressed_voters"], single=single)


def paper_ballot_html(round_: dict, items: list[dict], lang: str) -> str:
    """A printable paper ballot: the visible items, numbered as the facilitator enters them."""
    rules = round_["rules"]
    items = [i for i in items if i["status"] == "visible"]
    how = {"dots": lambda: t("paper.how_dots", lang, dots=rules.get("dots")),
           "approval": lambda: t("paper.how_approval", lang, max=rules.get("max") or len(items)),
           "ranking": lambda: t("paper.how_ranking", lang, k=rules.get("k")),
           "choose_one": lambda: t("paper.how_choose_one", lang),
           "pb": lambda: t("paper.how_pb", lang, budget=money(budgeting.to_amount(rules.get("budget") or 0), lang))}
    costs = rules.get("costs") or {}
    shown = [{"text": i["text"], "cost": money(budgeting.to_amount(costs[str(i["id"])]), lang) if str(i["id"]) in costs
              else ""} for i in items]
    return render("voting/paper_ballot.html", lang, title=voting.round_title(round_, lang), how=how[round_["method"]](), items=shown)


def codes_sheet_html(round_: dict, codes: list[str], url: str | None, lang: str, tz: str | None = None) -> str:
    """One-time voting codes as a printable sheet: a card to cut out per code, each with the vote's name,
    the code, how to use it and the join address with its QR code. Nothing on a card names a person."""
    from markupsafe import Markup

    from kit.qr import qr_svg

    closes = t("codes.step_change", lang)
    if round_.get("closes_at"):
        closes = t("codes.step_change_until", lang, time=local_time(round_["closes_at"], tz, lang))
    title = t("codes.sheet_title", lang, title=voting.round_title(round_, lang), n=len(codes))
    qr = Markup(qr_svg(url, scale=3, title=t("codes.qr_title", lang), fit=True)) if url else ""
    return render("voting/codes_sheet.html", lang, title=title, round_title=voting.round_title(round_, lang),
                  codes=codes, url=url or "", qr=qr, closes=closes)


def codes_csv(codes: list[str], url: str | None) -> str:
    """The same codes for a mail merge: one row per code, with the join address."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["code", "address"])
    for c in codes:
        w.writerow([c, url or ""])
    return buf.getvalue()


def local_time(iso: str, tz: str | None, lang: str) -> str:
    """A UTC time as the network reads it: in its time zone (default Europe/Helsinki), in the reader's
    language (Babel's medium date and short time)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from babel.dates import format_date, format_time

    from kit.numbers import LOCALES

    at = datetime.fromisoformat(iso).astimezone(ZoneInfo(tz or "Europe/Helsinki"))
    loc = LOCALES.get(lang, "fi_FI")
    return f"{format_date(at, 'medium', locale=loc)} {format_time(at, 'short', locale=loc)}"
