"""Issue 15, items 1 and 6: the facilitator chooses what goes into a round when opening it (nothing is
hidden as a side effect), a refusal names every idea that blocks it, the start button says the method,
and a default round title follows each reader's language."""

import pytest

from kit import sample, voting
from kit.errors import KitError
from kit.server.api.voting import round_view
from kit.ui import StartApp


def idea(i, cost=None, status="visible", at="2026-01-01T10:00:00", **tags):
    return {"id": i, "text": f"Idea {i}", "status": status, "cost": cost, "created_at": at, "tags": tags or None}


IDEAS = [idea(1), idea(2, cost="800", pore_level=2), idea(3, status="hidden", cost="5"),
         idea(4, at="2026-01-01T12:00:00", thl=["own_life"]), idea(5, status="pending"),
         idea(6, cost="0", at="2026-01-01T12:30:00", target_groups=["nuoret"], step_level=3)]
ROUNDS = [{"status": "closed", "opened_at": "2026-01-01T11:00:00", "created_at": "2026-01-01T10:59:00"},
          {"status": "draft", "opened_at": None, "created_at": "2026-01-01T13:00:00"}]


@pytest.mark.parametrize("rule, expected", [
    ("all", [1, 2, 4, 6]), ("none", []), ("costed", [2, 6]), ("new", [4, 6]),
    ("tag:pore_level:2", [2]), ("tag:thl:own_life", [4]), ("tag:target_groups:nuoret", [6]),
    ("tag:step_level:3", [6]), ("tag:thl:common_good", []),
])
def test_quick_filters_pick_among_the_visible_ideas_only(rule, expected):
    assert voting.round_selection(IDEAS, rule, ROUNDS) == expected


def test_new_means_every_visible_idea_before_the_first_round_and_a_bad_filter_is_refused():
    assert voting.round_selection(IDEAS, "new", []) == [1, 2, 4, 6]
    assert voting.round_selection(IDEAS, "new", ROUNDS[1:]) == [1, 2, 4, 6]  # a draft never opened
    with pytest.raises(KitError):
        voting.round_selection(IDEAS, "everything", ROUNDS)


def test_the_default_is_the_costed_projects_for_budgeting_and_the_new_ideas_otherwise():
    assert voting.default_selection(IDEAS, "pb", ROUNDS) == [2, 6]
    assert voting.default_selection(IDEAS, "dots", ROUNDS) == [4, 6]
    assert voting.default_selection([i for i in IDEAS if i["id"] < 4], "dots", ROUNDS) == [1, 2]  # none new: all


def test_a_budgeting_vote_is_refused_naming_every_project_without_a_cost(store):
    ws = store.create_workshop("Paja", "osallisuusverkosto", "fi")
    for text in ("Kota", "Laavu", "Sauna"):
        store.add_idea(ws["id"], text)
    store.add_idea(ws["id"], "Polku", cost="100")
    rnd = store.create_round(ws["id"], "B", method="pb", options={"budget": "1000"})
    with pytest.raises(KitError) as err:
        store.open_round(rnd["id"])
    assert err.value.message("fi") == ("3 hankkeelta puuttuu kustannusarvio: ”Kota”, ”Laavu” ja ”Sauna”. "
                                       "Lisää arviot tai jätä hankkeet pois äänestyksestä.")
    assert "“Kota”, “Laavu” and “Sauna”" in err.value.message("en")
    assert "”Kota”, ”Laavu” och ”Sauna”" in err.value.message("sv")
    assert store.round(rnd["id"])["status"] == "draft"


def test_a_budgeting_round_on_the_demo_takes_the_chosen_costed_projects_and_hides_nothing(store):
    ws = sample.load_demo(store)
    before = {i["id"]: i["status"] for i in store.ideas(ws["id"])}
    app = StartApp(store, code=ws["code"], lang="fi")
    app.poller.stop()
    app.method.value = "pb"
    assert app.start_round_btn.description == "Aloita budjetointi"
    costed = [i["id"] for i in store.ideas(ws["id"]) if i["cost"] is not None]
    assert sorted(app.chosen) == costed and len(costed) == 5
    assert "5 / 12" in app.items_note.value
    # the facilitator leaves one project out by unticking it
    app._item_boxes[costed[0]].value = False
    app.budget.value = "25000"
    app.start_round_btn.click()
    rnd = store.current_round(ws["id"])
    assert rnd["method"] == "pb" and rnd["status"] == "open", app.message.value
    assert [i["id"] for i in store.round_items(rnd["id"])] == costed[1:]
    assert {i["id"]: i["status"] for i in store.ideas(ws["id"])} == before  # nothing hidden as a side effect
    # a dot vote of everything visible, with the method's own button, after "all"
    app.method.value = "dots"
    assert app.start_round_btn.description == "Aloita pisteäänestys"
    app.items_all_button = next(b for b in app.items_quick.children if "kit-items-all" in b._dom_classes)
    app.items_all_button.click()
    assert len(app.chosen) == 12


def test_a_refused_round_names_every_blocking_idea_on_the_start_page_and_opens_nothing(store):
    ws = sample.load_demo(store)
    app = StartApp(store, code=ws["code"], lang="fi")
    app.poller.stop()
    app.method.value = "pb"
    app.budget.value = "25000"
    app.choose_items("all")
    open_before = store.current_round(ws["id"])
    app.start_round_btn.click()
    assert "7 hankkeelta puuttuu kustannusarvio" in app.message.value
    assert all(t_[:30] in app.message.value for t_ in ("Kesäkeidas", "Musiikkiesitys palvelutalon pihalla"))
    assert store.current_round(ws["id"]) == open_before
    app.choose_items("none")
    app.start_round_btn.click()
    assert "Valitse äänestykseen vähintään yksi idea" in app.message.value


def test_a_default_round_title_follows_the_readers_language_and_a_typed_one_stays(store):
    ws = sample.load_demo(store)
    demo = store.current_round(ws["id"])
    assert [round_view(store, demo, None, lang)["title"] for lang in ("fi", "sv", "en")] == [
        "Osallistuva budjetointi: kylän lähiympäristö", "Deltagande budgetering: byns närmiljö",
        "Participatory budgeting: the village's surroundings"]
    app = StartApp(store, code=ws["code"], lang="fi")
    app.poller.stop()
    app.method.value = "approval"
    rnd = app.start_round_from_form()
    assert [round_view(store, rnd, None, lang)["title"] for lang in ("fi", "sv", "en")] == [
        "Hyväksyntä (valitse kaikki kannatettavat)", "Godkännande (välj alla du stöder)",
        "Approval (choose all you support)"]
    app.round_title.value = "Kesän retket"
    rnd = app.start_round_from_form()
    assert {round_view(store, rnd, None, lang)["title"] for lang in ("fi", "sv", "en")} == {"Kesän retket"}
