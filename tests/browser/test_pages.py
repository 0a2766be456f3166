"""The pages without a browser: sign-in cookie, CSRF, tenancy, forms, languages (fast)."""

from __future__ import annotations

from sqlmodel import Session, select

from api.web.catalogue import EN, FR, RULES_EN, RULES_FR
from scheduler import models as m
from scheduler.messages import commands as c
from scheduler.scenario import schema as s
from scheduler.service import access
from tests.browser.conftest import Pages, csrf_of, text_of
from tests.browser.world import NAMES, WEEK, Territory

GRID = f"/app/grid?week={WEEK}"
NEEDS = f"/app/needs?week={WEEK}"
MY_WEEK = f"/app/week?week={WEEK}"
PAGES = {"manager": GRID, "member": NEEDS, "employee": MY_WEEK}


def need_form(**changes: str) -> dict[str, str]:
    form = {
        "site_id": "ge1-s1",
        "skill": "cleaning",
        "kind": "blocks",
        "headcount": "1",
        "priority": "2",
        "recurrence": "once",
        "slot-0-date": "2026-12-08",
        "slot-0-start": "09:00",
        "slot-0-end": "11:00",
    }
    return {**form, **changes}


def stored_need(world: Territory, need_id: str) -> m.Need | None:
    with Session(world.application.engine) as session:
        return session.get(m.Need, need_id)


def needs_of(world: Territory, member_id: str) -> list[m.Need]:
    with Session(world.application.engine) as session:
        return list(session.exec(select(m.Need).where(m.Need.member_id == member_id)).all())


# --------------------------------------------------------------------------- signing in


def test_login_keeps_the_key_in_an_httponly_samesite_cookie_for_app_only(pages: Pages) -> None:
    form = pages.get("/app/login")
    response = pages.client.post(
        "/app/login",
        data={"key": pages.world.key("home", "manager"), "csrf": csrf_of(form.text)},
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/app/grid"
    cookie = next(
        v for v in response.headers.get_list("set-cookie") if v.startswith("partage_key=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/app" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back


def test_login_over_https_marks_the_cookie_secure(world: Territory) -> None:
    pages = Pages(world, base_url="https://testserver")
    form = pages.get("/app/login")
    response = pages.client.post(
        "/app/login", data={"key": world.key("home", "member"), "csrf": csrf_of(form.text)}
    )

    cookie = next(
        v for v in response.headers.get_list("set-cookie") if v.startswith("partage_key=")
    )
    assert "Secure" in cookie


def test_login_without_the_form_token_is_refused(pages: Pages) -> None:
    response = pages.client.post(
        "/app/login", data={"key": pages.world.key("home", "manager"), "csrf": "forged"}
    )

    assert response.status_code == 403
    assert "partage_key" not in response.headers.get("set-cookie", "")


def test_login_with_an_unknown_key_says_so_in_french(pages: Pages) -> None:
    form = pages.get("/app/login")
    response = pages.client.post(
        "/app/login", data={"key": "pk_nope_nope", "csrf": csrf_of(form.text)}
    )

    assert response.status_code == 401
    assert "Cette clé est inconnue ou a été révoquée." in response.text


def test_pages_without_a_key_send_to_the_login_form(pages: Pages) -> None:
    response = pages.get(GRID)

    assert response.status_code == 303
    assert response.headers["location"] == "/app/login?next=/app/grid%3Fweek%3D2026-W50"


def test_a_revoked_key_signs_its_pages_out(pages: Pages, world: Territory) -> None:
    pages.login("home", "manager")
    with world.application.uow() as uow:
        principal = access.verify_key(uow.session, world.key("home", "manager"))
        assert principal is not None
        access.revoke_key(uow.session, principal.key_id, world.clock)
        uow.commit()

    assert pages.get(GRID).status_code == 303


def test_each_role_starts_on_its_own_page(pages: Pages) -> None:
    for role, path in (
        ("manager", "/app/grid"),
        ("member", "/app/needs"),
        ("employee", "/app/week"),
    ):
        pages.login("home", role)
        assert pages.get("/app/").headers["location"] == path


def test_logout_forgets_the_key(pages: Pages) -> None:
    pages.login("home", "employee")
    response = pages.post_form("/app/logout", {})

    assert response.status_code == 303
    assert 'partage_key=""' in response.headers["set-cookie"]


# --------------------------------------------------------------------------- CSRF


def test_a_form_without_the_csrf_token_is_refused(pages: Pages, world: Territory) -> None:
    pages.login("home", "member")
    response = pages.client.post("/app/needs", data=need_form())

    assert response.status_code == 403
    assert len(needs_of(world, "ge1-m1")) == 1  # only the sample's need


def test_a_form_with_another_sessions_token_is_refused(pages: Pages, world: Territory) -> None:
    pages.login("home", "manager")
    foreign = csrf_of(pages.get(GRID).text)
    pages.login("home", "member")

    response = pages.client.post("/app/needs", data={"csrf": foreign, **need_form()})

    assert response.status_code == 403
    assert len(needs_of(world, "ge1-m1")) == 1


def test_a_form_posted_from_another_site_is_refused(pages: Pages, world: Territory) -> None:
    pages.login("home", "member")
    token = csrf_of(pages.get(NEEDS).text)

    response = pages.client.post(
        "/app/needs",
        data={"csrf": token, **need_form()},
        headers={"Origin": "https://evil.example"},
    )

    assert response.status_code == 403
    assert len(needs_of(world, "ge1-m1")) == 1


# --------------------------------------------------------------------------- tenancy


def test_no_page_ever_shows_another_tenants_names(pages: Pages) -> None:
    for tenant, other in (("home", "other"), ("other", "home")):
        for role, path in PAGES.items():
            pages.login(tenant, role)
            html = pages.get(path).text
            for name in NAMES[other]:
                assert name not in html, f"{tenant} {role} sees {name}"


def test_a_page_of_another_role_is_forbidden(pages: Pages) -> None:
    pages.login("home", "employee")

    assert pages.get(GRID).status_code == 403
    assert pages.get(NEEDS).status_code == 403


def test_another_tenants_need_is_a_404(pages: Pages, world: Territory) -> None:
    pages.login("home", "member")

    assert pages.get("/app/needs/geiq1-n1").status_code == 404
    response = pages.post_form("/app/needs/geiq1-n1/cancel", {"expected_version": "1"})
    assert response.status_code == 404
    need = stored_need(world, "geiq1-n1")
    assert need is not None and not need.cancelled


def test_another_members_need_of_the_same_group_is_a_404(pages: Pages) -> None:
    pages.login("home", "member")  # ge1-m1; ge1-n2 belongs to ge1-m2

    assert pages.get("/app/needs/ge1-n2").status_code == 404


def test_another_employees_calendar_feed_cannot_be_revoked(pages: Pages, world: Territory) -> None:
    with world.application.uow() as uow:
        from scheduler.service import calendar

        feed, _ = calendar.create_feed(uow.session, employee_id="geiq1-e1", clock=world.clock)
        uow.commit()
    pages.login("home", "employee")

    response = pages.post_form(f"/app/week/feed/{feed.id}/revoke", {})

    assert response.status_code == 404


# --------------------------------------------------------------------------- member: needs


def test_a_need_ending_before_it_starts_names_the_field_and_the_reason(pages: Pages) -> None:
    pages.login("home", "member")

    response = pages.post_form("/app/needs", need_form(**{"slot-0-end": "08:00"}), page=NEEDS)

    assert response.status_code == 422
    assert 'href="#slot-0-end">Créneau 1, fin</a> : la fin doit être après le début' in (
        response.text
    )
    assert 'id="slot-0-end" name="slot-0-end" type="time" value="08:00"' in response.text


def test_validation_messages_are_in_english_when_asked(pages: Pages) -> None:
    pages.login("home", "member")
    pages.client.cookies.set("partage_lang", "en", path="/app")

    response = pages.post_form(
        "/app/needs", need_form(**{"slot-0-date": "", "headcount": "0"}), page=NEEDS
    )

    assert response.status_code == 422
    assert "Slot 1, day</a>: required" in response.text
    assert "Number of people</a>: must be at least 1" in response.text


def test_a_member_submits_changes_and_cancels_a_need(pages: Pages, world: Territory) -> None:
    pages.login("home", "member")

    submitted = pages.post_form("/app/needs", need_form(), page=NEEDS)
    assert submitted.status_code == 303
    (new,) = [n for n in needs_of(world, "ge1-m1") if n.id != "ge1-n1"]
    assert (new.site_id, new.skill_id, new.first_week) == ("ge1-s1", "cleaning", WEEK)

    edit = pages.get(f"/app/needs/{new.id}")
    assert 'value="2026-12-08"' in edit.text
    changed = pages.post_form(
        f"/app/needs/{new.id}",
        {"expected_version": "1", **need_form(headcount="2")},
        page=f"/app/needs/{new.id}",
    )
    assert changed.status_code == 303
    assert stored_need(world, new.id).headcount == 2  # type: ignore[union-attr]

    stale = pages.post_form(f"/app/needs/{new.id}/cancel", {"expected_version": "1"})
    assert stale.headers["location"] == "/app/needs?done=conflict"
    cancelled = pages.post_form(f"/app/needs/{new.id}/cancel", {"expected_version": "2"})
    assert cancelled.headers["location"] == "/app/needs?done=cancelled"
    assert stored_need(world, new.id).cancelled  # type: ignore[union-attr]


def test_the_member_sees_who_comes_when(pages: Pages) -> None:
    pages.login("home", "member")

    html = pages.get(NEEDS).text

    assert "<strong>Awa Diallo</strong> · 06:00–09:00 (3 h) · Fournil" in html


# --------------------------------------------------------------------------- employee


def test_the_employee_week_shows_member_address_and_map(pages: Pages) -> None:
    pages.login("home", "employee")

    html = pages.get(MY_WEEK).text

    assert "Boulangerie Martin" in html and "1 rue du Four, Testville" in html
    assert "https://www.openstreetmap.org/?mlat=45.10000&amp;mlon=4.80000" in html
    assert "mardi 8 décembre" in html


def test_an_employee_declares_a_personal_unavailability(pages: Pages, world: Territory) -> None:
    pages.login("home", "employee")

    response = pages.post_form(
        "/app/week/absence",
        {"start_date": "2026-12-17", "end_date": "2026-12-17", "note": "rendez-vous"},
        page=MY_WEEK,
    )

    assert response.status_code == 303
    with Session(world.application.engine) as session:
        absence = session.exec(
            select(m.Absence).where(m.Absence.employee_id == "ge1-e1", m.Absence.kind == "personal")
        ).one()
    assert (absence.end - absence.start).total_seconds() == 24 * 3600
    assert absence.note == "rendez-vous"


def test_an_unavailability_ending_before_it_starts_is_refused(pages: Pages) -> None:
    pages.login("home", "employee")

    response = pages.post_form(
        "/app/week/absence", {"start_date": "2026-12-17", "end_date": "2026-12-16"}, page=MY_WEEK
    )

    assert response.status_code == 422
    assert "la fin doit être après le début" in response.text


def test_a_calendar_feed_url_is_shown_once_and_serves_the_roster(pages: Pages) -> None:
    pages.login("home", "employee")

    response = pages.post_form("/app/week/feed", {"week": WEEK}, page=MY_WEEK)

    assert response.status_code == 200
    url = response.text.split('data-testid="feed-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    feed = pages.get(url.removeprefix("http://testserver"))
    assert feed.status_code == 200 and "Boulangerie Martin" in feed.text
    assert url not in pages.get(MY_WEEK).text


def test_hours_inside_the_notice_window_are_asked_and_consent_is_recorded(
    pages: Pages, world: Territory
) -> None:
    bus = world.application.bus
    need = s.Need.model_validate(
        {
            **{k: v for k, v in need_form().items() if not k.startswith("slot")},
            "id": "ge1-late",
            "member_id": "ge1-m1",
            "headcount": 1,
            "priority": 2,
            "blocks": [{"start": "2026-12-08T14:00:00+01:00", "end": "2026-12-08T16:00:00+01:00"}],
        }
    )
    bus.handle(c.SubmitNeed(group_id="ge1", need=need))
    bus.handle(c.PlanWeek(group_id="ge1", week=WEEK))
    pages.login("home", "employee")

    page = text_of(pages.get(MY_WEEK).text)
    assert "Demandes d'accord" in page and "mardi 8 décembre, 14:00–16:00 (2 h)" in page
    response = pages.post_form(
        "/app/week/consent",
        {"week": WEEK, "request": f"ge1-late|{need.blocks[0].start.isoformat()}"},
        page=MY_WEEK,
    )

    assert response.headers["location"].endswith("done=consent")
    with Session(world.application.engine) as session:
        consents = session.exec(select(m.Consent).where(m.Consent.employee_id == "ge1-e1")).all()
    assert len(consents) == 2  # the sample's and this one


# --------------------------------------------------------------------------- manager


def test_the_grid_explains_uncovered_needs_and_publishes_the_draft(
    pages: Pages, world: Territory
) -> None:
    world.application.bus.handle(c.RequestPlan(group_id="ge1", week=WEEK))
    world.application.bus.handle(c.PlanWeek(group_id="ge1", week=WEEK))
    pages.login("home", "manager")

    page = text_of(pages.get(GRID).text)
    assert "Version affichée : 2 (brouillon)" in page
    assert "Boulangerie Martin ✓ 3 h / 3 h couvert" in page
    assert "jeudi 10 décembre, 06:00–09:00 · 3 h manquantes" in page
    assert "les personnes compétentes ne sont pas disponibles à ces heures" in page

    response = pages.post_form("/app/grid/publish", {"week": WEEK, "version": "2"}, page=GRID)
    assert response.headers["location"] == f"/app/grid?week={WEEK}&done=published"
    assert "Version affichée : 2 (publiée)" in text_of(pages.get(GRID).text)


def test_the_planning_status_is_json_for_the_grid_to_poll(pages: Pages) -> None:
    pages.login("home", "manager")

    status = pages.get(f"/app/grid/status?week={WEEK}").json()

    assert status == {
        "status": "idle",
        "progress": {},
        "error": None,
        "latest": 1,
        "published": 1,
    }


# --------------------------------------------------------------------------- frame


def test_pages_carry_security_headers(pages: Pages) -> None:
    pages.login("home", "manager")

    headers = pages.get(GRID).headers

    assert headers["cache-control"] == "no-store"
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_language_follows_accept_language_then_the_switch(pages: Pages) -> None:
    english = pages.get("/app/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and "Sign in" in english.text

    switched = pages.get("/app/lang/fr?next=/app/login")
    assert switched.headers["location"] == "/app/login"
    french = pages.get("/app/login", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in french.text and "Connexion" in french.text


def test_the_language_switch_never_sends_to_another_site(pages: Pages) -> None:
    for target in ("https://evil.example/", "//evil.example/app", "/\\evil"):
        response = pages.get("/app/lang/en", params={"next": target})
        assert response.headers["location"] == "/app/"


def test_both_languages_have_the_same_words() -> None:
    assert FR.keys() == EN.keys()
    assert RULES_FR.keys() == RULES_EN.keys()


def test_static_files_are_a_fixed_list(pages: Pages) -> None:
    assert pages.get("/app/static/app.css").status_code == 200
    assert pages.get("/app/static/..%2Fsecurity.py").status_code == 404


def test_travel_between_two_sites_of_a_day_is_shown_before_the_second() -> None:
    from datetime import datetime

    from api.web.employee_view import Day, Slot, _travel
    from scheduler.scenario.schema import TravelMode

    def site(site_id: str, latitude: float) -> m.Site:
        return m.Site(
            id=site_id, member_id="x", name=site_id, address="-", latitude=latitude, longitude=4.8
        )

    def slot(site_id: str, hour: int) -> Slot:
        return Slot(
            datetime(2026, 12, 8, hour),
            datetime(2026, 12, 8, hour + 2),
            site_id,
            "m",
            site_id,
            "-",
            "",
            2.0,
        )

    day = Day(datetime(2026, 12, 8).date(), [slot("a", 8), slot("a", 10), slot("b", 13)])
    _travel(day, {"a": site("a", 45.1), "b": site("b", 45.2)}, TravelMode.public_transport)

    # 11 km by coach: 12 min to wait and walk, 15.5 km of road at 25 km/h.
    assert [s.travel_minutes for s in day.slots] == [None, None, 50]
