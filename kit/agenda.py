"""The run of show: a workshop's agenda of activities, moving the room through it, and the two
activities that are nothing but their own data (the one-word warm-up's word cloud, questions from the
room with upvotes). Pure: data in, data out; kit/store/agenda.py keeps it, kit/ui/run.py steps it.

An activity is a dict {"id", "type", "title", "minutes", "config"}:
- `id` is stable (six letters and digits): words and questions name the activity they belong to by it,
  and a move "from" an activity is checked against it;
- `type` is one of TYPES; `title` is None (the type's name in the reader's language) or a title per
  language; `minutes` an optional countdown; `config` what the type needs (a vote's round, a form,
  whether ideas wait for moderation, a slide's text).

Entering an activity opens what the room does in it and leaving closes it (Claper's rule: an
interaction is open while its slide is active): leaving a vote closes its round, so a ballot
acknowledged before the move counts and one sent after is refused."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections import Counter

from kit.config import LANGUAGES
from kit.errors import KitError
from kit.text import clean_text

TYPES = ("join", "since", "ideas", "vote", "map", "tasks", "form", "tray", "words", "questions", "slide")
ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
ID_RE = re.compile(r"^[a-z0-9]{4,12}$")
MAX_ACTIVITIES = 40
MAX_MINUTES = 240
TITLE_CHARS = 120
SLIDE_CHARS = 1000
WORD_CHARS = 40
QUESTION_CHARS = 300
WORDS_PER_PERSON = 3  # a warm-up: a few words each, so one voice cannot fill the cloud

# what each type may carry in its config, and of which kind
CONFIG = {
    "ideas": {"moderate": bool},
    "vote": {"round_id": int, "method": str, "budget": str, "rule": str},
    "form": {"form_id": int},
    "words": {"prompt": dict, "per_person": int, "closed": bool},
    "questions": {"moderate": bool, "closed": bool},
    "slide": {"text": dict},
}
# what the secretary minutes on any activity (kit/minutes.py): the discussion and the decision
MINUTED = {"note": str, "decision": str}
MINUTED_CHARS = 2000
# a setting of the workshop that a type opens while it is the room's activity
OPENS = {"map": "map_open", "tasks": "tasks_open", "tray": "tray_open"}


def new_id(taken=()) -> str:
    while True:
        out = "".join(secrets.choice(ID_ALPHABET) for _ in range(6))
        if out not in taken:
            return out


def _texts(value, limit: int, field: str) -> dict | None:
    """A text per language ({fi, sv, en}, each optional); a plain string counts for every language."""
    if value is None:
        return None
    if isinstance(value, str):
        value = {lang: value for lang in LANGUAGES}
    if not isinstance(value, dict):
        raise KitError("bad_field", field=field)
    out = {k: clean_text(v, limit, "too_long", field) for k, v in value.items() if k in LANGUAGES}
    out = {k: v for k, v in out.items() if v}
    return out or None


def check_activity(a: dict, taken=()) -> dict:
    """One activity, cleaned: a known type, a title per language, minutes 1..240, the config keys of
    its type only. A missing id gets a fresh one."""
    if not isinstance(a, dict) or a.get("type") not in TYPES:
        raise KitError("unknown_activity_type", type=str((a or {}).get("type") if isinstance(a, dict) else a)[:40],
                       known=", ".join(TYPES))
    aid = a.get("id") or new_id(taken)
    if not isinstance(aid, str) or not ID_RE.match(aid):
        raise KitError("bad_field", field="id")
    minutes = a.get("minutes")
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)
                                or not 1 <= minutes <= MAX_MINUTES):
        raise KitError("bad_minutes", max=MAX_MINUTES)
    allowed = {**CONFIG.get(a["type"], {}), **MINUTED}
    config = {}
    for k, v in (a.get("config") or {}).items():
        kind = allowed.get(k)
        if kind is None or v is None:
            continue
        if k in MINUTED:
            v = clean_text(v, MINUTED_CHARS, "too_long", k)
            if v:
                config[k] = v
            continue
        if kind is dict:
            v = _texts(v, SLIDE_CHARS, "text")
            if v is None:
                continue
        elif kind is int and (isinstance(v, bool) or not isinstance(v, int)):
            raise KitError("bad_field", field=k)
        elif not isinstance(v, kind):
            raise KitError("bad_field", field=k)
        config[k] = v
    if "per_person" in config and not 1 <= config["per_person"] <= 10:
        raise KitError("bad_field", field="per_person")
    return {"id": aid, "type": a["type"], "title": _texts(a.get("title"), TITLE_CHARS, "title"),
            "minutes": minutes, "config": config}


def check_agenda(items) -> list[dict]:
    """A whole agenda, cleaned: at most 40 activities, each id once."""
    if not isinstance(items, list) or len(items) > MAX_ACTIVITIES:
        raise KitError("agenda_too_long", max=MAX_ACTIVITIES)
    out: list[dict] = []
    for a in items:
        act = check_activity(a, {x["id"] for x in out})
        if any(x["id"] == act["id"] for x in out):
            raise KitError("bad_field", field="id")
        out.append(act)
    return out


def from_template(tpl: dict, since: bool = False) -> list[dict]:
    """A template's default agenda (its `agenda` key), with fresh ids; a bare join when it has none.
    A later meeting of a network (`since`) opens with "since last time" right after joining."""
    items = [{k: v for k, v in a.items() if k != "id"} for a in (tpl.get("agenda") or [{"type": "join"}])]
    if since and not any(a.get("type") == "since" for a in items):
        at = 1 if items and items[0].get("type") == "join" else 0
        items.insert(at, {"type": "since", "minutes": 10})
    return check_agenda(items)


def index(agenda: list[dict], activity_id: str | None) -> int | None:
    for i, a in enumerate(agenda):
        if a["id"] == activity_id:
            return i
    return None


def find(agenda: list[dict], activity_id: str) -> dict:
    i = index(agenda, activity_id)
    if i is None:
        raise KitError("unknown_activity", status=404)
    return agenda[i]


# -- editing: each returns a new agenda -----------------------------------------------------------------
def add(agenda: list[dict], activity: dict, at: int | None = None) -> list[dict]:
    """`activity` inserted at 0-based `at` (the end when None)."""
    act = check_activity({k: v for k, v in activity.items() if k != "id"}, {a["id"] for a in agenda})
    out = list(agenda)
    out.insert(len(out) if at is None else max(0, min(at, len(out))), act)
    return check_agenda(out)


def remove(agenda: list[dict], activity_id: str) -> list[dict]:
    find(agenda, activity_id)
    return [a for a in agenda if a["id"] != activity_id]


def move(agenda: list[dict], activity_id: str, to: int) -> list[dict]:
    """The activity moved to 0-based position `to` (clamped to the agenda)."""
    act = find(agenda, activity_id)
    out = [a for a in agenda if a["id"] != activity_id]
    out.insert(max(0, min(to, len(out))), act)
    return out


def duplicate(agenda: list[dict], activity_id: str) -> list[dict]:
    """A copy right after the activity, with a new id and without what ties it to its own data (a
    vote's round, a form): the copy is a new vote, not the same one twice."""
    act = find(agenda, activity_id)
    copy = {**act, "id": None, "config": {k: v for k, v in act["config"].items() if k not in ("round_id", "form_id")}}
    return add(agenda, copy, index(agenda, activity_id) + 1)


def update(agenda: list[dict], activity_id: str, **changes) -> list[dict]:
    """The activity with some of title, minutes, config changed (config keys merge; None drops one)."""
    act = find(agenda, activity_id)
    new = dict(act)
    if "title" in changes:
        new["title"] = changes["title"]
    if "minutes" in changes:
        new["minutes"] = changes["minutes"]
    if "config" in changes:
        new["config"] = {k: v for k, v in {**act["config"], **(changes["config"] or {})}.items() if v is not None}
    new = check_activity(new)
    return [new if a["id"] == activity_id else a for a in agenda]


# -- moving the room ------------------------------------------------------------------------------------
def target(agenda: list[dict], current: str | None, position: int | None = None, move: str | None = None,
           from_id: str | None = None) -> str:
    """The id of the activity the room moves to: `position` (1-based) or `move` next / previous from
    the current one. With `from_id` the move applies only while the room is still there (two
    facilitator windows pressing Next at once move the room once; the second gets 409)."""
    if not agenda:
        raise KitError("agenda_empty", status=409)
    if from_id is not None and from_id != current:
        raise KitError("agenda_moved", status=409)
    if position is not None:
        if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= len(agenda):
            raise KitError("agenda_position", status=400, n=len(agenda))
        return agenda[position - 1]["id"]
    i = index(agenda, current)
    if move == "next":
        if i is not None and i + 1 >= len(agenda):
            raise KitError("agenda_end", status=409)
        return agenda[0 if i is None else i + 1]["id"]
    if move == "previous":
        if not i:
            raise KitError("agenda_start", status=409)
        return agenda[i - 1]["id"]
    raise KitError("bad_field", field="move")


def effects(leaving: dict | None, entering: dict | None) -> list[tuple[str, object, bool]]:
    """What a move opens and closes, in order: (what, which, open?). `what` is "ideas", "setting" (a
    workshop setting), "round" or "form". Leaving closes, entering opens; an activity left for itself
    changes nothing."""
    if leaving is not None and entering is not None and leaving["id"] == entering["id"]:
        return []
    out: list[tuple[str, object, bool]] = []
    for act, is_open in ((leaving, False), (entering, True)):
        if act is None:
            continue
        kind, cfg = act["type"], act["config"]
        if kind == "ideas":
            out.append(("ideas", bool(cfg.get("moderate")), is_open))
        elif kind in OPENS:
            out.append(("setting", OPENS[kind], is_open))
        elif kind == "vote" and cfg.get("round_id") and not is_open:
            out.append(("round", cfg["round_id"], False))  # a vote opens by the facilitator's own button
        elif kind == "form" and cfg.get("form_id"):
            out.append(("form", cfg["form_id"], is_open))
    return out


def public(a: dict, position: int, lang: str, title: str) -> dict:
    """An activity as the API and the pages show it."""
    out = {"id": a["id"], "type": a["type"], "title": title, "position": position, "minutes": a["minutes"]}
    if a["type"] == "slide":
        out["text"] = text_in(a["config"].get("text"), lang)
    if a["type"] == "since":  # the phone shows it as a slide: the list is on the screen
        from kit.i18n import t

        out["text"] = t("since.phone", lang)
    if a["type"] == "words":
        out["prompt"] = text_in(a["config"].get("prompt"), lang)
    if a["type"] == "vote":
        out["round_id"] = a["config"].get("round_id")
    return out


def activity_title(a: dict, lang: str) -> str:
    """An activity's title for a reader: the facilitator's in their language, else the type's name."""
    from kit.i18n import t

    return text_in(a.get("title"), lang) or t(f"agenda.type_{a['type']}", lang)


def text_in(texts: dict | None, lang: str) -> str:
    """A text per language in the reader's, else Finnish, else any."""
    if not texts:
        return ""
    return texts.get(lang) or texts.get("fi") or next(iter(texts.values()), "")


def remaining(minutes: int | None, started_epoch: float | None, now_epoch: float) -> int | None:
    """Seconds left of an activity's countdown (0 once over), or None without one."""
    if not minutes or started_epoch is None:
        return None
    return max(0, int(round(minutes * 60 - (now_epoch - started_epoch))))


# -- word cloud ---------------------------------------------------------------------------------------
STOP_WORDS = {  # optional: the commonest little words, which say nothing in a cloud
    "fi": {"ja", "on", "ei", "se", "että", "kun", "tai", "mutta", "niin", "myös", "oli", "olla", "kuin", "jo"},
    "sv": {"och", "att", "det", "som", "en", "ett", "är", "på", "av", "för", "med", "till", "den", "i"},
    "en": {"the", "a", "an", "and", "or", "of", "to", "in", "is", "it", "for", "on", "with", "be"},
}
_EDGE = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)


def clean_word(text) -> str:
    """A warm-up word as sent: cleaned, whitespace collapsed; empty or over 40 characters is refused."""
    word = " ".join(clean_text(text, 10 * WORD_CHARS, "word_too_long", "text").split())
    if not word:
        raise KitError("word_empty")
    if len(word) > WORD_CHARS:
        raise KitError("word_too_long", max=WORD_CHARS, given=len(word))
    return word


def fold(word: str) -> str:
    """What counts as the same word: case, width and spacing folded, punctuation at the ends dropped
    ("Yhteisö!", " yhteisö" and "YHTEISÖ" are one)."""
    w = unicodedata.normalize("NFKC", word).casefold()
    return _EDGE.sub("", " ".join(w.split()))


def cloud(words: list[str], lang: str | None = None, stop_words: bool = False, top: int = 60) -> list[dict]:
    """The cloud: each folded word once with its count, most first (ties: first sent first), shown as
    most people spelled it. With `stop_words`, the language's commonest little words are left out."""
    stop = STOP_WORDS.get(lang or "", set()) if stop_words else set()
    counts: Counter = Counter()
    spellings: dict[str, Counter] = {}
    first: dict[str, int] = {}
    for i, w in enumerate(words):
        key = fold(w)
        if not key or key in stop:
            continue
        counts[key] += 1
        spellings.setdefault(key, Counter())[" ".join(w.split())] += 1
        first.setdefault(key, i)
    ranked = sorted(counts, key=lambda k: (-counts[k], first[k]))[:top]
    most = counts[ranked[0]] if ranked else 0
    return [{"word": spellings[k].most_common(1)[0][0], "n": counts[k],
             "size": 1 + round(4 * (counts[k] - 1) / max(1, most - 1)) if most > 1 else 1} for k in ranked]


# -- questions from the room ----------------------------------------------------------------------------
def clean_question(text) -> str:
    q = clean_text(text, QUESTION_CHARS, "question_too_long", "text")
    if not q:
        raise KitError("question_empty")
    return q


def ranked_questions(questions: list[dict]) -> list[dict]:
    """Questions by votes, most first; equal votes: asked first, first. Answered ones go last."""
    return sorted(questions, key=lambda q: (q.get("status") == "answered", -q.get("votes", 0), q["id"]))
