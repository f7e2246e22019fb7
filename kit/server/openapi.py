"""The participant API's OpenAPI 3.1 document, served at /kit/api/openapi.json (a public interface)."""

from __future__ import annotations

from kit import __version__
from kit.config import LIMITS

ERROR = {"$ref": "#/components/schemas/Error"}


def _err(desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": ERROR}}}


def _ok(desc: str, schema: dict) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": schema}}}


CODE = {"name": "code", "in": "path", "required": True, "description": "The workshop's join code (case-insensitive).",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9]{1,16}$"}}
# A visitor's choices, never a reason to refuse: an unknown language falls back, anything but 1 is standard
LANG = {"name": "lang", "in": "query", "required": False,
        "description": "Language of messages: fi, sv or en (anything else: Accept-Language, else the workshop's).",
        "schema": {"type": "string", "examples": ["fi", "sv", "en"]}}
PLAIN = {"name": "plain", "in": "query", "required": False,
         "description": "1: messages in plain language (selkokieli, lättläst, plain English); anything else: standard.",
         "schema": {"type": "string", "examples": ["1"]}}
BEARER = [{"participant": []}]
FACILITATOR = [{"facilitator": []}, {"remote": []}]
ACTIVITY = {"type": "object", "required": ["id", "type", "title", "position"], "properties": {
    "id": {"type": "string", "description": "Stable: words, questions and a move `from` name it."},
    "type": {"type": "string", "enum": ["join", "since", "ideas", "vote", "map", "tasks", "form", "tray", "words",
                                        "questions", "slide"]},
    "title": {"type": "string"}, "position": {"type": "integer", "minimum": 1},
    "minutes": {"type": ["integer", "null"], "description": "The countdown, if any."}}}
ID = {"type": "integer", "minimum": 0, "maximum": 2**53 - 1}  # ids and counts: what every database holds


def openapi_document(base: str) -> dict:
    doc = _document(base)
    for path, item in doc["paths"].items():
        for op in item.values():
            if LANG in op.get("parameters", []):  # every call that answers in words can in plain words
                op["parameters"] = [*op["parameters"], PLAIN]
            _common_answers(path, op)
    return doc


def _common_answers(path: str, op: dict) -> None:
    """The answers every operation can give besides its own: the document lists every status the
    server gives, and every request body is closed (a field the API does not know is refused)."""
    answers = op["responses"]
    answers.setdefault("400", _err("A parameter or a field of the body is not valid: the message names it."))
    if "{code}" in path:
        answers.setdefault("404", _err("Unknown join code."))
    if any(p.get("in") == "path" and p["name"] != "code" for p in op.get("parameters", [])):
        answers.setdefault("404", _err("Unknown join code, or nothing with that id in this workshop."))
    if op.get("security") == BEARER or any(p.get("name") == "since" for p in op.get("parameters", [])) \
            or path.endswith(("/map", "/tasks", "/form", "/tray", "/rounds/current", "/words", "/questions")):
        # views take an optional token: one that is not (or no longer) joined is refused
        answers.setdefault("401", _err("Not joined: no token, or one that is not (or no longer) valid."))
    body = op.get("requestBody")
    if body is not None:
        body["content"]["application/json"]["schema"]["additionalProperties"] = False
        answers.setdefault("413", _err(f"The body is over {LIMITS.body_bytes} bytes."))
        answers.setdefault("415", _err("The body is not application/json."))


def _document(base: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Co-design workshop kit: participant API",
            "version": __version__,
            "description": "What participants' devices use: join a workshop, submit ideas, vote. "
            "Errors answer 4xx with a message in the participant's language; nothing is stored then. "
            "A participant is told 'saved' only after the store has committed.",
            "license": {"name": "GPL-3.0-or-later", "identifier": "GPL-3.0-or-later"},
        },
        "servers": [{"url": base + "kit/api"}],
        "components": {
            "securitySchemes": {
                "participant": {"type": "http", "scheme": "bearer",
                                "description": "The token returned by POST /workshops/{code}/participants."},
                "facilitator": {"type": "apiKey", "in": "header", "name": "Authorization",
                                "description": "`token <the Jupyter server's token>`, as Jupyter's own API takes it."},
                "remote": {"type": "apiKey", "in": "header", "name": "Authorization",
                           "description": "`remote <key>` from POST /workshops/{code}/remote."}
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"], "properties": {
                    "error": {"type": "string", "description": "A stable code, e.g. round_closed."},
                    "message": {"type": "string", "description": "For people, in their language."}}},
                "Idea": {"type": "object", "properties": {
                    "id": ID, "text": {"type": "string", "maxLength": LIMITS.idea_chars},
                    "status": {"type": "string", "enum": ["visible", "hidden", "pending", "rejected", "merged"]},
                    "reason": {"type": "string", "description": "Why the facilitator rejected it (rejected only)."},
                    "merged_into": {"type": "string", "description": "The idea it was merged into (merged only)."},
                    "cost": {"type": "string", "description": "Budgeting rounds: the project's cost in euros."}}},
                "Ballot": {"type": "object", "properties": {
                    "round_id": ID,
                    "dots": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1},
                             "description": "Dot rounds: idea id -> dots."},
                    "choices": {"type": "array", "items": ID,
                                "description": "Approval, choose one, budgeting: the chosen idea ids."},
                    "ranking": {"type": "array", "items": ID,
                                "description": "Ranking rounds: idea ids, best first."},
                    "marks": {"type": "object", "description": "idea id -> dots, 1, or rank (any method)."},
                    "withdrawn": {"type": "boolean"},
                    "revision": ID, "saved_at": {"type": "string"}}},
                "Round": {"type": ["object", "null"], "properties": {
                    "id": ID, "title": {"type": "string"},
                    "method": {"type": "string", "enum": ["dots", "approval", "ranking", "choose_one", "pb"]},
                    "status": {"type": "string", "enum": ["scheduled", "open", "closed"],
                               "description": "scheduled: a vote open for a period that has not begun yet; the "
                               "store's clock opens and closes it at its times."},
                    "opens_at": {"type": ["string", "null"], "description": "A vote open for a period: when it "
                                 "opens (ISO 8601, UTC)."},
                    "closes_at": {"type": ["string", "null"], "description": "... and when it closes on its own."},
                    "dots_per_person": {"type": ["integer", "null"]}, "per_item_cap": {"type": ["integer", "null"]},
                    "min_choices": {"type": ["integer", "null"]}, "max_choices": {"type": ["integer", "null"]},
                    "max_ranked": {"type": ["integer", "null"]},
                    "budget": {"type": ["string", "null"], "description": "Budgeting rounds, in euros."},
                    "rule": {"type": "string", "enum": ["mes", "greedy", "choose1"],
                             "description": "Budgeting rounds: the rule that decides what is funded (equal shares "
                             "with Add1 completion, most votes first, or choose1: one plan chosen by most votes as in PORE), "
                             "fixed when the round opened."},
                    "rule_name": {"type": "string", "description": "Budgeting rounds: that rule's name in the "
                                  "reader's language."},
                    "funded": {"type": "array", "items": ID, "description": "Budgeting rounds once revealed: "
                               "the funded idea ids, in the order the round's rule chose them (the one result)."},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Idea"}},
                    "ballot": {"oneOf": [{"$ref": "#/components/schemas/Ballot"}, {"type": "null"}]},
                    "codes": {"type": "boolean", "description": "The vote needs a one-time voting code: the first "
                              "ballot from a device sends one (`code`), which then stays this device's."},
                    "code_ok": {"type": "boolean", "description": "This device has used a voting code in the round."},
                    "results": {"type": ["array", "null"], "description": "Only once the facilitator reveals them."}}},
            },
        },
        "paths": {
            "/workshops/{code}": {"get": {
                "summary": "The workshop a join code opens: title, groups to choose from, limits.",
                "parameters": [CODE, LANG],
                "responses": {"200": _ok("The workshop.", {"type": "object"}), "404": _err("Unknown join code.")}}},
            "/workshops/{code}/participants": {"post": {
                "summary": "Join: returns a token the device keeps (no name needed).",
                "parameters": [CODE, LANG],
                "requestBody": {"required": False, "content": {"application/json": {"schema": {
                    "type": "object", "properties": {
                        "nickname": {"type": "string", "maxLength": LIMITS.nickname_chars},
                        "group": {"type": ["string", "null"],
                                  "description": "A stakeholder group id of the workshop (null: none)."},
                        "language": {"type": "string", "enum": ["fi", "sv", "en"]},
                        "where": {"type": ["string", "null"], "enum": ["room", "remote", None],
                                  "description": "A hybrid meeting: in the room or remote, as the participant "
                                  "says (the projector counts each; nothing else about where they are)."}}}}}},
                "responses": {"201": _ok("Joined.", {"type": "object", "properties": {
                    "token": {"type": "string"}, "participant": {"type": "object"}}}),
                    "400": _err("Bad field or JSON."), "404": _err("Unknown join code."),
                    "429": _err("Too many joins from one network address in a minute (default 120).")}}},
            "/workshops/{code}/me": {"get": {
                "summary": "The participant behind the token, and the ideas they sent.",
                "parameters": [CODE, LANG], "security": BEARER,
                "responses": {"200": _ok("The participant.", {"type": "object"}),
                              "401": _err("Not joined (no or unknown token).")}},
                "delete": {
                "summary": "Withdraw: take back what this device sent, until the facilitator closes the workshop. "
                           "Removed: ideas not yet in a vote, ballots in open rounds, answers to open forms, pending "
                           "suggestions and offers, marks on the service tray, the nickname; the token stops working. "
                           "Kept with nothing pointing at the person: ideas already in a vote, ballots in closed rounds, "
                           "answers to closed forms, accepted suggestions and offers.",
                "parameters": [CODE, LANG], "security": BEARER,
                "responses": {"200": _ok("Withdrawn.", {"type": "object", "properties": {
                    "removed": {"type": "object", "additionalProperties": ID},
                    "kept": {"type": "object", "additionalProperties": ID},
                    "message": {"type": "string"}}}),
                              "401": _err("Not joined (no or unknown token)."),
                              "409": _err("The workshop is closed: contributions are final.")}}},
            "/workshops/{code}/me/minutes-name": {"put": {
                "summary": "Name me in the minutes: the name this participant agrees to be named by in the "
                           "meeting's minutes (everyone else is counted by group only); an empty name takes it back. "
                           "Stored as typed, shown escaped; forgotten on withdrawal.",
                "parameters": [CODE, LANG], "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}},
                "responses": {"200": _ok("Saved.", {"type": "object", "properties": {
                    "minutes_name": {"type": ["string", "null"]}, "message": {"type": "string"}}}),
                              "401": _err("Not joined (no or unknown token)."),
                              "429": _err("Too many in a minute.")}}},
            "/workshops/{code}/ideas": {"post": {
                "summary": "Submit an idea (stored as typed; shown escaped).",
                "parameters": [CODE, LANG], "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["text"],
                    "properties": {"text": {"type": "string", "minLength": 1, "maxLength": LIMITS.idea_chars}}}}}},
                "responses": {"201": _ok("Saved.", {"type": "object", "properties": {
                    "idea": {"$ref": "#/components/schemas/Idea"}, "message": {"type": "string"}}}),
                    "400": _err("Empty or too long."), "401": _err("Not joined."),
                    "409": _err("Idea collection closed."), "429": _err("Too many ideas in a minute.")}}},
            "/workshops/{code}/rounds/current": {"get": {
                "summary": "The open round (else the latest closed one), with the caller's ballot if a token is sent.",
                "parameters": [CODE, LANG],
                "responses": {"200": _ok("The round or null.", {"type": "object", "properties": {
                    "round": {"$ref": "#/components/schemas/Round"}, "ideas_open": {"type": "boolean"},
                    "version": ID}})}}},
            "/workshops/{code}/rounds/{round_id}/ballot": {
                "put": {
                    "summary": "Replace the caller's ballot in an open round (the last one counts).",
                    "parameters": [CODE, LANG, {"name": "round_id", "in": "path", "required": True,
                                                "schema": ID}],
                    "security": BEARER,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "description": "One of the three, by the round's method.",
                        "properties": {
                            "dots": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
                            "choices": {"type": "array", "items": ID,
                                        "description": "An empty list withdraws the vote."},
                            "ranking": {"type": "array", "items": ID, "description": "Best first."},
                            "code": {"type": "string", "description": "A round that needs a voting code: the code "
                                     "(e.g. K7QM-4TZP), on the device's first ballot. Used once and for all: the "
                                     "device may change its ballot until the vote closes; another device presenting "
                                     "it is refused (409)."}}}}}},
                    "responses": {"200": _ok("Saved.", {"type": "object", "properties": {
                        "ballot": {"$ref": "#/components/schemas/Ballot"}, "dots_left": ID,
                        "message": {"type": "string"}}}),
                        "400": _err("Too many dots or choices, over the per-item cap, a ranking with a repeat, "
                                    "unknown idea."),
                        "401": _err("Not joined."),
                        "403": _err("The vote needs a voting code (voting_code_required) or the code is not one "
                                    "of this vote's (voting_code_unknown)."),
                        "404": _err("Unknown round."),
                        "409": _err("Round not open or already closed; the voting code was used on another "
                                    "device (voting_code_used)."),
                        "429": _err("Too many ballots with a voting code from one address in a minute.")}},
                "get": {
                    "summary": "The caller's ballot in a round (null if none).",
                    "parameters": [CODE, LANG, {"name": "round_id", "in": "path", "required": True,
                                                "schema": ID}],
                    "security": BEARER,
                    "responses": {"200": _ok("The ballot.", {"type": "object"}), "401": _err("Not joined.")}}},
            "/workshops/{code}/map": {"get": {
                "summary": "Stage 1: sectors and link types to choose from, the actors on the map, and the caller's "
                           "suggestions with their status (suggested, active, rejected).",
                "parameters": [CODE, LANG],
                "responses": {"200": _ok("The map for suggestions.", {"type": "object", "properties": {
                    "open": {"type": "boolean", "description": "Whether the facilitator takes suggestions now."},
                    "sectors": {"type": "array"}, "link_types": {"type": "array"}, "actors": {"type": "array"},
                    "mine": {"type": "object"}}})}}},
            "/workshops/{code}/actors": {"post": {
                "summary": "Suggest an actor (\"who else should be here?\"); it waits for the facilitator.",
                "parameters": [CODE, LANG], "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["name", "sector"], "properties": {
                        "name": {"type": "string", "maxLength": 120}, "sector": {"type": "string"}}}}}},
                "responses": {"201": _ok("Suggested.", {"type": "object"}), "400": _err("No name, unknown sector."),
                              "401": _err("Not joined."), "409": _err("Already on the map, or suggestions closed."),
                              "429": _err("Too many in a minute.")}}},
            "/workshops/{code}/links": {"post": {
                "summary": "Suggest a link between two actors on the map; it waits for the facilitator.",
                "parameters": [CODE, LANG], "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["source", "target", "type"], "properties": {
                        "source": ID, "target": ID,
                        "type": {"type": "string", "description": "A link type id from GET /map."}}}}}},
                "responses": {"201": _ok("Suggested.", {"type": "object"}),
                              "400": _err("Self-link, unknown link type."), "401": _err("Not joined."),
                              "404": _err("Unknown actor."), "409": _err("Suggestions closed."),
                              "429": _err("Too many in a minute.")}}},
            "/workshops/{code}/tasks": {"get": {
                "summary": "Stage 3: open tasks to volunteer for, the workshop's competences, and the caller's offers.",
                "parameters": [CODE, LANG],
                "responses": {"200": _ok("Tasks.", {"type": "object", "properties": {
                    "open": {"type": "boolean"}, "tasks": {"type": "array"}, "competences": {"type": "array"},
                    "mine": {"type": "array"}}})}}},
            "/workshops/{code}/offers": {"post": {
                "summary": "Volunteer for a task (\"I can do this\" / \"I can help\") with one's competences; "
                           "the facilitator confirms.",
                "parameters": [CODE, LANG], "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["task_id", "kind"], "properties": {
                        "task_id": ID, "kind": {"type": "string", "enum": ["can_do", "can_help"]},
                        "competences": {"type": "object", "additionalProperties": {"type": "integer", "enum": [1, 2]},
                                        "description": "competence id -> 1 (some) or 2 (strong)"}}}}}},
                "responses": {"201": _ok("Offered.", {"type": "object"}), "400": _err("Unknown competence or kind."),
                              "401": _err("Not joined."), "404": _err("Unknown task."),
                              "409": _err("Volunteering closed."), "429": _err("Too many in a minute.")}}},
            "/workshops/{code}/form": {"get": {
                "summary": "Stage 4: the open feedback form (or null) and the caller's answers to it.",
                "parameters": [CODE, LANG],
                "responses": {"200": _ok("The form.", {"type": "object", "properties": {
                    "form": {"type": ["object", "null"], "description": "With `pairing`: the form offers a "
                             "pairing code (a baseline), `followup`: it repeats a baseline."},
                    "mine": {"type": ["object", "null"]},
                    "paired": {"type": "boolean", "description": "The caller keeps a pairing code."}}})}}},
            "/workshops/{code}/me/pair": {"post": {
                "summary": "A pseudonymous pairing code, so a baseline and its follow-up at a later meeting can be "
                           "compared for the same person without a name. Without `code`: a new code, shown once "
                           "(the kit keeps only its hash; asked again, a new one replaces it). With the code from "
                           "an earlier meeting of the network: this participant keeps it.",
                "parameters": [CODE, LANG], "security": BEARER,
                "requestBody": {"required": False, "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"code": {"type": "string", "maxLength": 20}}}}}},
                "responses": {"200": _ok("Kept.", {"type": "object", "properties": {
                    "pair_code": {"type": "string"}, "paired": {"type": "boolean"}, "message": {"type": "string"}}}),
                              "400": _err("Not a pairing code (eight letters and digits)."),
                              "401": _err("Not joined."),
                              "404": _err("No earlier meeting of this network knows the code."),
                              "409": _err("Another device in this meeting presented the code."),
                              "429": _err("Too many in a minute.")}},
                "delete": {
                "summary": "Forget the pairing code on this meeting's device: the answers are counted unpaired.",
                "parameters": [CODE, LANG], "security": BEARER,
                "responses": {"200": _ok("Forgotten.", {"type": "object"}), "401": _err("Not joined."),
                              "429": _err("Too many in a minute.")}}},
            "/workshops/{code}/forms/{form_id}/response": {"put": {
                "summary": "Answer (or change one's answers to) the open form: the last answers count.",
                "parameters": [CODE, LANG, {"name": "form_id", "in": "path", "required": True,
                                            "schema": ID}],
                "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["answers"], "properties": {"answers": {
                        "type": "object", "description": "question id -> 1..5 (scale), an option (choice) or text"}}}}}},
                "responses": {"200": _ok("Saved.", {"type": "object"}),
                              "400": _err("A scale answer outside 1-5, an unknown option or question, no answers."),
                              "401": _err("Not joined."), "404": _err("Unknown form."),
                              "409": _err("The form is closed.")}}},
            "/workshops/{code}/poll": {"get": {
                "summary": "Everything a participant's page shows, in one answer (the participant page asks this every "
                           "2.5 s): {version, current: as GET rounds/current, map, tasks, form, tray: as their own "
                           "paths}. With ?since=<version> and nothing changed, only {version, unchanged: true}.",
                "parameters": [CODE, LANG, {"name": "since", "in": "query", "required": False,
                                            "description": "The version the device last saw.",
                                            "schema": ID},
                               {"name": "own", "in": "query", "required": False,
                                "description": "1: only the caller's own part (needs a token), as a page on the "
                                               "event stream asks it after its own writes: {version, own: true, "
                                               "current: {round: {id, ballot}}, map: {mine}, tasks: {mine}, "
                                               "form: {form: {id}, mine}, tray: {marks: {activity id: "
                                               "{interested, organise}}, mine}, words: {activity, mine}, "
                                               "questions: {activity, voted, mine}, ideas}.",
                                "schema": {"type": "string", "enum": ["1"]}}] + [
                    {"name": k, "in": "query", "required": False, "description": "Service tray filter (see /tray).",
                     "schema": {"type": "string"}} for k in ("level", "day", "place", "language", "free")],
                "responses": {"200": _ok("The page's parts, or unchanged.", {"type": "object", "properties": {
                    "version": ID, "unchanged": {"type": "boolean"}, "own": {"type": "boolean"},
                    "current": {"type": "object"}, "map": {"type": "object"}, "tasks": {"type": "object"},
                    "form": {"type": "object"}, "tray": {"type": "object"},
                    "agenda": {"type": "object", "description": "As GET agenda answers it."},
                    "words": {"type": "object", "description": "As GET words answers it."},
                    "questions": {"type": "object", "description": "As GET questions answers it."},
                    "now": {"type": "number", "description": "The server's clock (epoch seconds), for countdowns."},
                    "ideas": {"type": "array", "description": "A joined device's own ideas, as GET me lists them "
                              "(id, text, status, reason, merged_into)."}}}),
                              "401": _err("A token that is not (or no longer) joined.")}}},
            "/workshops/{code}/tray": {"get": {
                "summary": "The service tray: activities by step level, filtered, with the caller's marks and "
                           "what became of their suggestions.",
                "parameters": [CODE, LANG] + [
                    {"name": k, "in": "query", "required": False, "description": d, "schema": {"type": "string"}}
                    for k, d in (("level", "A step level id."), ("day", "mon, tue, wed, thu, fri, sat or sun."),
                                 ("place", "Part of the place's name."), ("language", "A language code, e.g. sv."),
                                 ("free", "1: free of charge only."))],
                "responses": {"200": _ok("The tray.", {"type": "object", "properties": {
                    "open": {"type": "boolean"}, "total": {"type": "integer", "description": "Activities on the tray."},
                    "levels": {"type": "array"}, "days": {"type": "array"}, "places": {"type": "array"},
                    "languages": {"type": "array"},
                    "activities": {"type": "array", "description": "What the filters leave, by step level: name, "
                                   "organiser, place, accessibility, schedule, days, cost (\"0\" free), level, "
                                   "target_groups, languages, contact, description, interested, organise."},
                    "mine": {"type": "array"}}}), "400": _err("A bad filter.")}}},
            "/workshops/{code}/tray/activities": {"post": {
                "summary": "Suggest an activity for the tray; the facilitator accepts or declines it.",
                "parameters": [CODE, LANG], "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["name", "step_level"], "properties": {
                        "name": {"type": "string", "maxLength": 120}, "step_level": ID,
                        "place": {"type": "string"}, "schedule": {"type": "string"},
                        "description": {"type": "string", "maxLength": 500}}}}}},
                "responses": {"201": _ok("Suggested.", {"type": "object"}), "400": _err("No name, unknown step level."),
                              "401": _err("Not joined."), "409": _err("The tray is not open."),
                              "429": _err("Too many in a minute.")}}},
            "/workshops/{code}/tray/activities/{activity_id}/interest": {"put": {
                "summary": "Mark or unmark \"I'm interested\" (interested) or \"I'd like to organise this\" (organise).",
                "parameters": [CODE, LANG, {"name": "activity_id", "in": "path", "required": True,
                                            "schema": ID}],
                "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["kind", "on"], "properties": {
                        "kind": {"type": "string", "enum": ["interested", "organise"]}, "on": {"type": "boolean"}}}}}},
                "responses": {"200": _ok("Saved.", {"type": "object"}), "400": _err("Bad kind."),
                              "401": _err("Not joined."), "404": _err("No such activity on the tray."),
                              "409": _err("The tray is not open.")}}},
            "/workshops/{code}/agenda": {"get": {
                "summary": "The run of show: the agenda's activities (id, type, title, 1-based position, minutes) and "
                           "the room's current activity (with started, seconds remaining of its countdown, open).",
                "parameters": [CODE, LANG],
                "responses": {"200": _ok("The agenda.", {"type": "object", "required": ["activities", "current"],
                                                         "properties": {
                    "activities": {"type": "array", "items": ACTIVITY},
                    "current": {"oneOf": [ACTIVITY, {"type": "null"}]}}})}}},
            "/workshops/{code}/agenda/current": {"put": {
                "summary": "Move the room (the facilitator only): to a 1-based position, or next / previous. With "
                           "`from` (an activity id) the move applies only while the room is still there, so two "
                           "windows pressing Next at once move it once. Authorization: `token <the Jupyter server's "
                           "token>`, or `remote <key>` from a paired presenter remote.",
                "parameters": [CODE, LANG], "security": FACILITATOR,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "description": "Either position or move.", "properties": {
                        "position": {"type": "integer", "minimum": 1},
                        "move": {"type": "string", "enum": ["next", "previous"]},
                        "from": {"type": "string", "pattern": "^[a-z0-9]{4,12}$",
                                 "description": "Apply only while the room is at this activity, else 409."}}}}}},
                "responses": {"200": _ok("Moved: the agenda as GET agenda answers it.", {"type": "object"}),
                              "400": _err("No position or move, or a position outside the agenda."),
                              "403": _err("Not the facilitator (a participant's token, or none)."),
                              "409": _err("Next at the last activity, previous at the first, or the room has moved "
                                          "on from `from`.")}}},
            "/workshops/{code}/words": {
                "get": {
                    "summary": "The one-word warm-up when it is the room's activity: its prompt, the word cloud "
                               "(word, n, size 1-5) and the words this device sent.",
                    "parameters": [CODE, LANG],
                    "responses": {"200": _ok("The warm-up, or {activity: null}.", {"type": "object"})}},
                "post": {
                    "summary": "A word for the warm-up (a few each; case and spacing do not make a new word).",
                    "parameters": [CODE, LANG], "security": BEARER,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}}}},
                    "responses": {"201": _ok("Saved.", {"type": "object"}), "400": _err("Empty or too long."),
                                  "401": _err("Not joined."),
                                  "409": _err("The warm-up is not the room's activity, or this device has sent "
                                              "its words."), "429": _err("Too many in a minute.")}}},
            "/workshops/{code}/questions": {
                "get": {
                    "summary": "Questions from the room when they are the room's activity: shown ones by votes, "
                               "which this device upvoted, and its own (waiting for the facilitator or not).",
                    "parameters": [CODE, LANG],
                    "responses": {"200": _ok("The questions, or {activity: null}.", {"type": "object"})}},
                "post": {
                    "summary": "Ask the room a question (it may wait for the facilitator first).",
                    "parameters": [CODE, LANG], "security": BEARER,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}}}},
                    "responses": {"201": _ok("Saved.", {"type": "object"}), "400": _err("Empty or too long."),
                                  "401": _err("Not joined."), "409": _err("Questions are not the room's activity."),
                                  "429": _err("Too many in a minute.")}}},
            "/workshops/{code}/questions/{question_id}/vote": {"put": {
                "summary": "Upvote a question (one vote per participant per question), or take the vote back.",
                "parameters": [CODE, LANG, {"name": "question_id", "in": "path", "required": True, "schema": ID}],
                "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["up"], "properties": {"up": {"type": "boolean"}}}}}},
                "responses": {"200": _ok("Saved.", {"type": "object"}), "401": _err("Not joined."),
                              "404": _err("No such question shown."),
                              "409": _err("Questions are not the room's activity."),
                              "429": _err("Too many in a minute.")}}},
            "/workshops/{code}/remote": {"post": {
                "summary": "Pair a facilitator's phone as a presenter remote: the six-digit code shown on the "
                           "facilitator's desk view (valid five minutes, once) for a key that moves the room.",
                "parameters": [CODE, LANG],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["pairing"], "properties": {"pairing": {"type": "string"}}}}}},
                "responses": {"201": _ok("Paired.", {"type": "object", "properties": {"key": {"type": "string"}}}),
                              "403": _err("Not a valid pairing code (wrong, used or expired)."),
                              "429": _err("Too many tries in a minute.")}}},
            "/workshops/{code}/events": {"get": {
                "summary": "Server-sent events (text/event-stream, for EventSource): `change` events whose id is "
                           "the workshop's version and whose data is {version, now, full, parts}: the parts of the "
                           "page that are the same for every device (agenda, current, map, tasks, form, tray, "
                           "words, questions as GET poll answers them without a token, and mod: the id of the "
                           "facilitator's last action), only those that changed, at most 4 a second. The first "
                           "event (and the first after a reconnect that missed something, by Last-Event-ID) has "
                           "them all (full: true). A device's own part is fetched from GET poll?own=1 with its token.",
                "parameters": [CODE, LANG, {"name": "Last-Event-ID", "in": "header", "required": False,
                                            "description": "The id of the last event the device got (EventSource "
                                                           "sends it when it reconnects).", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The stream.", "content": {"text/event-stream": {
                    "schema": {"type": "string"}}}},
                              "503": _err("Too many streams on this server: poll GET poll instead.")}}},
            "/workshops/{code}/kiosk/voters": {"post": {
                "summary": "Shared tablet: the facilitator confirms the next voter with the PIN shown only to them. "
                           "Only the tablet whose link carries the tablet key (made when the facilitator starts "
                           "shared-tablet mode) may try PINs; its tries are limited per minute.",
                "parameters": [CODE, LANG],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["pin", "tablet"], "properties": {
                        "pin": {"type": "string"}, "tablet": {"type": "string", "description": "The tablet key "
                                                             "from the kiosk link (#tablet=...)."},
                        "group": {"type": ["string", "null"]},
                        "language": {"type": "string", "enum": ["fi", "sv", "en"]}}}}}},
                "responses": {"201": _ok("A new voter on the tablet.", {"type": "object", "properties": {
                    "token": {"type": "string"}, "participant": {"type": "object"}}}),
                    "403": _err("Wrong PIN, or not the shared tablet's key."), "409": _err("Shared-tablet mode is off."),
                    "429": _err("Too many tries in a minute.")}}},
        },
    }
