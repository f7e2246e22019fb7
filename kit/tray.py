"""The service tray (palvelutarjotin) and the step model (askelmalli): pure functions.

An activity is a dict: name, organiser_id (an actor of stage 1) and organiser (its name as text),
place, accessibility, schedule, days (mon..sun), cost (exact decimal text; "0" is free of charge,
None is not known), step_level, target_groups (ids; none means open to everyone), languages
(codes), contact, description. Source model: ../shared/seeds/002_... (Satelliittiyhteistyö).

Rules used here (the domain spec leaves them to the kit, so they are written down here):
* coverage: an activity counts in every (step level, target group) cell it names; one that names
  no target group is open to everyone and counts in every group of its level;
* gaps: a step level with no activity; a (level, target group) cell with no activity; a language
  the tray should serve (template's `tray_languages`, default Finnish and Swedish) that no activity
  uses; a level with nothing free of charge;
* a narrow organiser: the tray uses two or more step levels and all the organiser's activities sit
  on one level ("knows only their own slice", seed 002).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kit.errors import KitError
from kit.i18n import label, t
from kit.text import clean_text

NAME_CHARS = 120
TEXT_CHARS = 500
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# the step model's levels as seed 002 names them; a template's `step_levels` replaces them
DEFAULT_LEVELS = [
    {"id": 1, "label": {"fi": "Avoin matalan kynnyksen toiminta", "sv": "Öppen lågtröskelverksamhet",
                        "en": "Open low-threshold activity"}},
    {"id": 2, "label": {"fi": "Ryhmätoiminta", "sv": "Gruppverksamhet", "en": "Group activity"}},
    {"id": 3, "label": {"fi": "Kurssit ja koulutus", "sv": "Kurser och utbildning", "en": "Courses and training"}},
    {"id": 4, "label": {"fi": "Työllisyyspalvelut", "sv": "Sysselsättningsåtgärder", "en": "Employment measures"}},
]
# who the satellite model serves (people outside working life); a template's `tray_target_groups` replaces them
DEFAULT_GROUPS = [
    {"id": "young_adults", "label": {"fi": "Nuoret aikuiset", "sv": "Unga vuxna", "en": "Young adults"}},
    {"id": "long_term_unemployed", "label": {"fi": "Pitkäaikaistyöttömät", "sv": "Långtidsarbetslösa",
                                             "en": "Long-term unemployed"}},
    {"id": "immigrants", "label": {"fi": "Maahan muuttaneet", "sv": "Invandrare", "en": "Immigrants"}},
    {"id": "rehabilitees", "label": {"fi": "Kuntoutujat", "sv": "Rehabiliteringsklienter", "en": "Rehabilitees"}},
    {"id": "older_people", "label": {"fi": "Ikääntyneet", "sv": "Äldre", "en": "Older people"}},
]
DEFAULT_LANGUAGES = ("fi", "sv")
LANGUAGE_NAMES = {  # what people write in a language column -> code
    "fi": ("fi", "suomi", "finnish", "finska", "fin"), "sv": ("sv", "ruotsi", "swedish", "svenska", "swe"),
    "en": ("en", "englanti", "english", "engelska", "eng"), "ru": ("ru", "venäjä", "russian", "ryska"),
    "ar": ("ar", "arabia", "arabic", "arabiska"), "so": ("so", "somali", "somalia", "somaliska"),
    "et": ("et", "viro", "estonian", "estniska"), "uk": ("uk", "ukraina", "ukrainian", "ukrainska"),
    "fa": ("fa", "persia", "farsi", "persian", "persiska"), "se": ("se", "saame", "sami", "samiska", "saamen"),
    "fi-plain": ("selkosuomi", "selkokieli", "plain finnish"), "fi-sign": ("viittomakieli", "sign language", "teckenspråk"),
}
DAY_NAMES = {
    "mon": ("mon", "monday", "ma", "maanantai", "må", "måndag"), "tue": ("tue", "tuesday", "ti", "tiistai", "tis", "tisdag"),
    "wed": ("wed", "wednesday", "ke", "keskiviikko", "ons", "onsdag"),
    "thu": ("thu", "thursday", "to", "torstai", "tor", "torsdag"), "fri": ("fri", "friday", "pe", "perjantai", "fre", "fredag"),
    "sat": ("sat", "saturday", "la", "lauantai", "lör", "lördag"), "sun": ("sun", "sunday", "su", "sunnuntai", "sön", "söndag"),
}
FREE_WORDS = ("maksuton", "ilmainen", "free", "gratis", "avgiftsfri", "kostnadsfri", "0", "0 €", "0€")
# the fields of an activity, in the order a form and an import mapping show them
FIELDS = ("name", "organiser", "place", "accessibility", "schedule", "days", "cost", "step_level",
          "target_groups", "languages", "contact", "description")
REQUIRED = ("name", "step_level")
# column headings an import recognises without help (fi, sv, en)
ALIASES = {
    "name": ("name", "nimi", "namn", "activity", "toiminta", "toiminnan nimi", "verksamhet"),
    "organiser": ("organiser", "organizer", "järjestäjä", "arrangör", "toimija", "organisation"),
    "place": ("place", "paikka", "plats", "location", "osoite", "address", "adress"),
    "accessibility": ("accessibility", "saavutettavuus", "esteettömyys", "tillgänglighet"),
    "schedule": ("schedule", "aika", "ajankohta", "tid", "time", "when"),
    "days": ("days", "päivät", "viikonpäivä", "dagar", "weekday", "day"),
    "cost": ("cost", "hinta", "maksu", "pris", "price", "avgift", "fee"),
    "step_level": ("step_level", "step level", "step", "askel", "askeltaso", "taso", "steg", "nivå", "level"),
    "target_groups": ("target_groups", "target groups", "kohderyhmä", "kohderyhmät", "målgrupp", "målgrupper"),
    "languages": ("languages", "language", "kieli", "kielet", "språk"),
    "contact": ("contact", "yhteystieto", "yhteystiedot", "kontakt", "ilmoittautuminen", "sign up"),
    "description": ("description", "kuvaus", "beskrivning", "lisätiedot", "notes"),
}
# a Finnish mobile or landline number: the tray gives a contact route, never a private phone number
PHONE = re.compile(r"(?<![\d])(?:\+358|0)[\s-]?\d{1,3}(?:[\s-]?\d){5,8}(?![\d])")


def levels(tpl: dict | None) -> list[dict]:
    return (tpl or {}).get("step_levels") or DEFAULT_LEVELS


def groups(tpl: dict | None) -> list[dict]:
    return (tpl or {}).get("tray_target_groups") or DEFAULT_GROUPS


def languages_wanted(tpl: dict | None) -> list[str]:
    return list((tpl or {}).get("tray_languages") or DEFAULT_LANGUAGES)


def level_label(levels_: list[dict], level_id, lang: str) -> str:
    for lv in levels_:
        if lv["id"] == level_id:
            return label(lv["label"], lang)
    return str(level_id)


def group_label(groups_: list[dict], gid: str, lang: str) -> str:
    for g in groups_:
        if g["id"] == gid:
            return label(g["label"], lang)
    return gid


LANGUAGE_KEYS = {"fi": "tray.lang_fi", "sv": "tray.lang_sv", "en": "tray.lang_en", "ru": "tray.lang_ru",
                 "ar": "tray.lang_ar", "so": "tray.lang_so", "et": "tray.lang_et", "uk": "tray.lang_uk",
                 "fa": "tray.lang_fa", "se": "tray.lang_se", "fi-plain": "tray.lang_fi_plain",
                 "fi-sign": "tray.lang_fi_sign"}
FIELD_KEYS = {"name": "tray.field_name", "organiser": "tray.field_organiser", "place": "tray.field_place",
              "accessibility": "tray.field_accessibility", "schedule": "tray.field_schedule",
              "days": "tray.field_days", "cost": "tray.field_cost", "step_level": "tray.field_step_level",
              "target_groups": "tray.field_target_groups", "languages": "tray.field_languages",
              "contact": "tray.field_contact", "description": "tray.field_description"}
DAY_KEYS = {"mon": "tray.day_mon", "tue": "tray.day_tue", "wed": "tray.day_wed", "thu": "tray.day_thu",
            "fri": "tray.day_fri", "sat": "tray.day_sat", "sun": "tray.day_sun"}


def language_label(code: str, lang: str) -> str:
    return t(LANGUAGE_KEYS[code], lang) if code in LANGUAGE_KEYS else code


def day_label(day: str, lang: str) -> str:
    return t(DAY_KEYS[day], lang) if day in DAY_KEYS else day


def _text(value, limit: int, field_: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise KitError("bad_field", field=field_)
    s = " ".join(clean_text(str(value), limit * 4, field=field_).split())  # runs of space fold to one
    if len(s) > limit:
        raise KitError("too_long", field=field_, max=limit)
    return s or None


def _list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [x.strip() for x in re.split(r"[,;/\n]", value) if x.strip()]
    if isinstance(value, list | tuple):
        return [str(x).strip() for x in value if str(x).strip()]
    raise KitError("bad_field", field="list")


def parse_level(value, levels_: list[dict]) -> int:
    """A step level by its number or by its name in any language."""
    if isinstance(value, bool):
        raise KitError("unknown_step_level", level=str(value), known=_known_levels(levels_))
    ids = [lv["id"] for lv in levels_]
    if isinstance(value, int | float) and int(value) == value and int(value) in ids:
        return int(value)
    s = str(value or "").strip()
    if s.isdigit() and int(s) in ids:
        return int(s)
    low = s.casefold()
    for lv in levels_:
        names = lv["label"].values() if isinstance(lv["label"], dict) else [lv["label"]]
        if low and any(low == str(n).casefold() for n in names):
            return lv["id"]
    raise KitError("unknown_step_level", level=s[:40] or "–", known=_known_levels(levels_))


def _known_levels(levels_: list[dict]) -> str:
    return ", ".join(str(lv["id"]) for lv in levels_)


def parse_groups(value, groups_: list[dict]) -> list[str]:
    """Target groups by id or by name in any language; a group not in the list is kept as written."""
    out = []
    for item in _list(value):
        low = item.casefold()
        gid = next((g["id"] for g in groups_ if low == g["id"].casefold() or any(
            low == str(n).casefold() for n in (g["label"].values() if isinstance(g["label"], dict) else [g["label"]]))),
            item[:64])
        if gid not in out:
            out.append(gid)
    return out


def parse_languages(value) -> list[str]:
    out = []
    for item in _list(value):
        low = item.casefold()
        code = next((c for c, names in LANGUAGE_NAMES.items() if low in names), low[:20])
        if code not in out:
            out.append(code)
    return out


def parse_days(value) -> list[str]:
    out = set()
    for item in _list(value) if not isinstance(value, str) else re.split(r"[\s,;/]+", value.strip()):
        low = item.casefold().rstrip(".")
        if not low:
            continue
        day = next((d for d, names in DAY_NAMES.items() if low in names), None)
        if day is None:
            raise KitError("unknown_day", day=item[:20])
        out.add(day)
    return [d for d in DAYS if d in out]


def parse_cost(value) -> str | None:
    """Cost to the participant as exact decimal text: "0" is free of charge; empty is not known."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    s = str(value).strip()
    if not s:
        return None
    if s.casefold() in FREE_WORDS:
        return "0"
    from kit.budgeting import to_amount
    from kit.numbers import amount_text

    return amount_text(to_amount(s.replace("€", "").replace("eur", "").strip(), "cost"))


def clean_activity(data: dict, levels_: list[dict], groups_: list[dict]) -> dict:
    """An activity from a form, the API or an import row, checked; raises KitError naming the field."""
    if not isinstance(data, dict):
        raise KitError("bad_json")
    name = _text(data.get("name"), NAME_CHARS, "name")
    if not name:
        raise KitError("activity_name_missing")
    if data.get("step_level") in (None, ""):
        raise KitError("unknown_step_level", level="–", known=_known_levels(levels_))
    out = {
        "name": name,
        "organiser": _text(data.get("organiser"), NAME_CHARS, "organiser"),
        "place": _text(data.get("place"), NAME_CHARS, "place"),
        "accessibility": _text(data.get("accessibility"), TEXT_CHARS, "accessibility"),
        "schedule": _text(data.get("schedule"), NAME_CHARS, "schedule"),
        "days": parse_days(data.get("days")),
        "cost": parse_cost(data.get("cost")),
        "step_level": parse_level(data.get("step_level"), levels_),
        "target_groups": parse_groups(data.get("target_groups"), groups_),
        "languages": parse_languages(data.get("languages")),
        "contact": _text(data.get("contact"), NAME_CHARS, "contact"),
        "description": _text(data.get("description"), TEXT_CHARS, "description"),
    }
    return out


def duplicate_key(a: dict) -> tuple[str, str]:
    norm = lambda s: " ".join(re.sub(r"[^\w\s]", " ", (s or "").casefold()).split())
    return norm(a.get("name")), norm(a.get("organiser"))


def duplicates(activities: list[dict]) -> list[list[int]]:
    """Groups of activity ids with the same name and organiser (case and punctuation aside)."""
    seen: dict[tuple, list[int]] = defaultdict(list)
    for a in activities:
        seen[duplicate_key(a)].append(a["id"])
    return [ids for ids in seen.values() if len(ids) > 1]


# -- import ---------------------------------------------------------------------------------


def guess_mapping(columns: list[str]) -> dict[str, str | None]:
    """Which column holds which field, by heading (fi/sv/en); the facilitator corrects it."""
    out: dict[str, str | None] = {}
    for f in FIELDS:
        out[f] = next((c for c in columns if c.strip().casefold() in ALIASES[f]), None)
    return out


@dataclass
class ImportResult:
    rows: list[dict] = field(default_factory=list)      # clean activities to add
    errors: list[tuple[int, KitError]] = field(default_factory=list)  # (row number as in the file, error)
    duplicates: list[tuple[int, str]] = field(default_factory=list)   # (row number, name) already on the tray


def import_rows(rows: list[dict], mapping: dict[str, str | None], levels_: list[dict], groups_: list[dict],
                existing: list[dict] = (), lang: str = "fi") -> ImportResult:
    """Check every row; row numbers count the heading as row 1, as a spreadsheet shows them.
    Duplicates of what is on the tray, or of an earlier row, are flagged and left out."""
    missing = [f for f in REQUIRED if not mapping.get(f)]
    if missing:
        raise KitError("mapping_missing", field=", ".join(t(FIELD_KEYS[f], lang) for f in missing))
    res = ImportResult()
    seen = {duplicate_key(a) for a in existing}
    for n, row in enumerate(rows, start=2):
        data = {f: row.get(col) for f, col in mapping.items() if col}
        if not any(str(v or "").strip() for v in data.values()):
            continue  # an empty line
        try:
            a = clean_activity(data, levels_, groups_)
        except KitError as err:
            res.errors.append((n, err))
            continue
        key = duplicate_key(a)
        if key in seen:
            res.duplicates.append((n, a["name"]))
            continue
        seen.add(key)
        res.rows.append(a)
    return res


# -- analysis -------------------------------------------------------------------------------


def is_free(a: dict) -> bool:
    return a.get("cost") is not None and float(a["cost"]) == 0


def coverage(activities: list[dict], levels_: list[dict], groups_: list[dict]) -> dict[int, dict[str, int]]:
    """{level: {group: number of activities}}; an activity with no target group counts for every group."""
    gids = [g["id"] for g in groups_]
    out = {lv["id"]: dict.fromkeys(gids, 0) for lv in levels_}
    for a in activities:
        row = out.get(a["step_level"])
        if row is None:
            continue
        for g in (a.get("target_groups") or gids):
            if g in row:
                row[g] += 1
    return out


def gaps(activities: list[dict], levels_: list[dict], groups_: list[dict], wanted_languages=DEFAULT_LANGUAGES
         ) -> list[dict]:
    """What the tray lacks, each as {kind, key, level?, group?, language?}; `key` names the gap for good."""
    out = []
    cov = coverage(activities, levels_, groups_)
    by_level = Counter(a["step_level"] for a in activities)
    for lv in levels_:
        if not by_level[lv["id"]]:
            out.append({"kind": "level", "key": f"level:{lv['id']}", "level": lv["id"]})
            continue
        for g in groups_:
            if not cov[lv["id"]][g["id"]]:
                out.append({"kind": "cell", "key": f"cell:{lv['id']}:{g['id']}", "level": lv["id"], "group": g["id"]})
        if not any(is_free(a) for a in activities if a["step_level"] == lv["id"]):
            out.append({"kind": "free", "key": f"free:{lv['id']}", "level": lv["id"]})
    used = {code for a in activities for code in a.get("languages") or []}
    for code in wanted_languages:
        if code not in used:
            out.append({"kind": "language", "key": f"language:{code}", "language": code})
    return out


def narrow_organisers(activities: list[dict]) -> list[dict]:
    """Organisers whose activities all sit on one step level while the tray spans several."""
    if len({a["step_level"] for a in activities}) < 2:
        return []
    by_org: dict[str, list[dict]] = defaultdict(list)
    for a in activities:
        if a.get("organiser"):
            by_org[a["organiser"]].append(a)
    out = []
    for org, acts in sorted(by_org.items(), key=lambda kv: kv[0].casefold()):
        lvls = {a["step_level"] for a in acts}
        if len(lvls) == 1:
            out.append({"organiser": org, "level": lvls.pop(), "activities": len(acts)})
    return out


def gap_text(gap: dict, levels_: list[dict], groups_: list[dict], lang: str) -> str:
    lv = level_label(levels_, gap.get("level"), lang) if gap.get("level") is not None else ""
    if gap["kind"] == "level":
        return t("tray.gap_level", lang, level=lv)
    if gap["kind"] == "cell":
        return t("tray.gap_cell", lang, level=lv, group=group_label(groups_, gap["group"], lang))
    if gap["kind"] == "free":
        return t("tray.gap_free", lang, level=lv)
    return t("tray.gap_language", lang, language=language_label(gap["language"], lang))


def gap_idea(gap: dict, levels_: list[dict], groups_: list[dict], lang: str) -> tuple[str, dict]:
    """The idea a gap becomes in stage 2: its text and tags (step level, target group)."""
    tags: dict = {}
    if gap.get("level") is not None:
        tags["step_level"] = gap["level"]
    if gap.get("group"):
        tags["target_groups"] = [group_label(groups_, gap["group"], lang)]
    return t("tray.gap_idea", lang, gap=gap_text(gap, levels_, groups_, lang)), tags


def narrow_text(n: dict, levels_: list[dict], lang: str) -> str:
    return t("tray.narrow", lang, organiser=n["organiser"], level=level_label(levels_, n["level"], lang),
             n=n["activities"])


def filter_activities(activities: list[dict], level=None, day=None, place=None, language=None,
                      free: bool = False) -> list[dict]:
    """What a participant's filters leave: step level, weekday, place (part of the name), language,
    free of charge only."""
    out = []
    place_low = (place or "").strip().casefold()
    for a in activities:
        if level not in (None, "") and a["step_level"] != int(level):
            continue
        if day and day not in (a.get("days") or []):
            continue
        if place_low and place_low not in (a.get("place") or "").casefold():
            continue
        if language and language not in (a.get("languages") or []):
            continue
        if free and not is_free(a):
            continue
        out.append(a)
    return sorted(out, key=lambda a: (a["step_level"], a["name"].casefold()))


def has_phone_number(text: str | None) -> bool:
    return bool(text and PHONE.search(text))


def catalogue_rows(activities: list[dict], levels_: list[dict]) -> list[tuple[dict, list[dict]]]:
    """The tray by step level, in the step model's order, for the printed catalogue."""
    by_level = defaultdict(list)
    for a in activities:
        by_level[a["step_level"]].append(a)
    return [(lv, sorted(by_level[lv["id"]], key=lambda a: a["name"].casefold())) for lv in levels_
            if by_level[lv["id"]]]


def feedback_text(f: dict | None, lang: str) -> str:
    """An activity's feedback from the public page, for its organisers: the counts, or only how many
    answers while there are too few to show without telling people apart."""
    from kit.i18n import t

    if not f:
        return ""
    if f.get("suppressed"):
        return t("tray.feedback_few", lang, n=f["n"])
    return t("tray.feedback_counts", lang, n=f["n"], good=f["good"], ok=f["ok"], bad=f["bad"])


def activity_fields(a: dict, groups_: list[dict], lang: str) -> list[tuple[str, str]]:
    """An activity as the printed catalogue and the public tray page show it: (label key, text) pairs,
    the empty ones left out (a free activity says so; no target group means open to everyone)."""
    from kit.i18n import t

    when = ", ".join(day_label(d, lang) for d in a["days"])
    fields = [("tray.field_organiser", a["organiser"]), ("tray.field_place", a["place"]),
              ("tray.field_schedule", " – ".join(x for x in (when, a["schedule"] or "") if x)),
              ("tray.field_cost", t("tray.free", lang) if is_free(a) else (f"{a['cost']} €" if a["cost"] else "")),
              ("tray.field_languages", ", ".join(language_label(c, lang) for c in a["languages"])),
              ("tray.field_target_groups", ", ".join(group_label(groups_, g, lang) for g in a["target_groups"])
               or t("tray.everyone", lang)),
              ("tray.field_accessibility", a["accessibility"]), ("tray.field_contact", a["contact"]),
              ("tray.field_description", a["description"])]
    return [(k, v) for k, v in fields if v]
