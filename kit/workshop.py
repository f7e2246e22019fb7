"""Workshop templates (the five source operating models) and creating workshops from them.

A template is a YAML file in templates/workshops/: its default agenda (run of show), the actor sectors and
stakeholder groups, required competences, standard roles, evaluation dimensions and prompts in
fi/sv/en. Templates are data: a network can add its own file without touching code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from kit.config import DEFAULT_TEMPLATE
from kit.errors import KitError
from kit.i18n import label

_PKG = Path(__file__).parent


def data_path(name: str) -> Path:
    """templates/ and sample_data/ live at the repository root and, installed, in kit/_data/."""
    installed = _PKG / "_data" / name
    return installed if installed.exists() else _PKG.parent / name


REQUIRED_KEYS = ("id", "name", "agenda", "stakeholder_groups", "sectors", "competences", "roles",
                 "evaluation_dimensions", "prompts")


@cache
def templates() -> dict[str, dict]:
    out = {}
    for path in sorted((data_path("templates") / "workshops").glob("*.yaml")):
        tpl = yaml.safe_load(path.read_text(encoding="utf-8"))
        missing = [k for k in REQUIRED_KEYS if k not in tpl]
        if missing:
            raise ValueError(f"{path.name}: missing {', '.join(missing)}")
        out[tpl["id"]] = tpl
    return out


def template(template_id: str | None) -> dict:
    tpls = templates()
    tid = template_id or DEFAULT_TEMPLATE
    if tid not in tpls:
        raise KitError("unknown_template", template=str(tid)[:40], known=", ".join(tpls))
    return tpls[tid]


def groups(template_id: str, lang: str) -> list[dict]:
    """Stakeholder groups a participant can choose from, labelled in `lang`."""
    return [{"id": g["id"], "label": label(g["label"], lang)} for g in template(template_id)["stakeholder_groups"]]


def group_label(template_id: str, group_id: str | None, lang: str) -> str:
    for g in template(template_id)["stakeholder_groups"]:
        if g["id"] == group_id:
            return label(g["label"], lang)
    return group_id or ""


def sector_label(template_id: str, sector: str | None, lang: str) -> str:
    """A sector's name: the template's group of that id, else any template's, else the id."""
    if not sector:
        return ""
    for tpl in [template(template_id), *templates().values()]:
        for g in tpl["stakeholder_groups"]:
            if g["id"] == sector:
                return label(g["label"], lang)
    return sector


def prompt(template_id: str, key: str, lang: str) -> str:
    return label(template(template_id)["prompts"].get(key), lang)


def template_name(template_id: str, lang: str) -> str:
    return label(template(template_id)["name"], lang)


def template_titles(template_id: str) -> dict[str, str]:
    """The template's name in every language: a new workshop's title until the facilitator types one."""
    from kit.config import LANGUAGES

    return {lang: template_name(template_id, lang) for lang in LANGUAGES}


def title(ws: dict, lang: str) -> str:
    """A workshop's title for a reader: in their language where it has one per language (the
    template's, or the facilitator's own typed per language), else as typed."""
    return ((ws.get("settings") or {}).get("titles") or {}).get(lang) or ws["title"]


def welcome(ws: dict, lang: str) -> str:
    """The join page's welcome: the facilitator's own in the reader's language, else the template's."""
    return ((ws.get("settings") or {}).get("welcome") or {}).get(lang) or prompt(ws["template"], "welcome", lang)


MIN_GROUP = 5  # groups (and answers) under it are not shown on their own
MAX_MIN_GROUP = 100


def min_group(ws: dict) -> int:
    """The small-group threshold of this meeting: 5 unless the meeting agreed to another (down to 1,
    for a working group whose 2-3 experts by experience could otherwise never be seen; the minutes
    record that decision)."""
    n = (ws.get("settings") or {}).get("min_group")
    return n if isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_MIN_GROUP else MIN_GROUP
