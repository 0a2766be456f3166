"""The pages in headless Chromium (Debian's), over a real server with the planning pipeline.

One story in order, as the people would live it: each role signs in and sees its own data and
only it; a member submits needs and the manager's open grid updates itself after re-planning;
hours inside the notice window are asked of the employee, who agrees; the manager publishes;
the employee sees what changed, declares an unavailability and subscribes to the calendar.
Every page is shot at phone and desktop widths into ``artifacts/screenshots`` and must log no
console error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from scheduler import models as m
from scheduler.messages import commands as c
from tests.browser.live import (
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    LiveServer,
    chromium_path,
    live_server,
)
from tests.browser.world import NAMES, WEEK, build_territory
from tests.conftest import services_required

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

SIZES = {"phone": PHONE, "desktop": DESKTOP}
WAIT_MS = 25_000  # a re-plan takes well under a second; the grid polls every few seconds
# Chromium reports every 4xx document as a console error; the steps that send a form back
# with its errors on purpose (422, 401) name the statuses they expect.
FAILED_LOAD = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (scripts/test.sh installs Debian's chromium)"
        if services_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("web")
    world = build_territory(f"sqlite:///{folder / 'partage.db'}")
    try:
        with live_server(world) as live:
            # Plan the week once, so the grid shows a draft with the planner's explanations
            # next to the published version of the sample.
            for group_id in ("ge1", "geiq1"):
                world.application.bus.handle(c.RequestPlan(group_id=group_id, week=WEEK))
            live.wait_idle()
            yield live
    finally:
        world.application.close()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


class Visitor:
    """One person's browser tab at one width, recording console errors."""

    def __init__(self, browser: object, server: LiveServer, size: str) -> None:
        self.size = size
        self.server = server
        self.context = browser.new_context(  # type: ignore[attr-defined]
            viewport=SIZES[size], locale="fr-FR", base_url=server.url
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("dialog", lambda dialog: dialog.accept())

    def _console(self, message: object) -> None:
        if message.type == "error":  # type: ignore[attr-defined]
            self.errors.append(message.text)  # type: ignore[attr-defined]

    def login(self, tenant: str, role: str) -> None:
        self.page.goto("/app/login")
        self.page.get_by_label("Clé d'accès").fill(self.server.world.key(tenant, role))
        self.page.get_by_role("button", name="Se connecter").click()
        self.page.wait_for_load_state()
        assert "/app/login" not in self.page.url

    def goto(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, path

    def shoot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{self.size}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def text(self) -> str:
        return self.page.locator("body").inner_text()

    def assert_only(self, tenant: str) -> None:
        """The page names nothing of the other tenant."""
        other = "other" if tenant == "home" else "home"
        html = self.page.content()
        for name in NAMES[other]:
            assert name not in html, f"{name} shown to {tenant}"

    def assert_no_console_errors(self, *expected_statuses: int) -> None:
        unexpected = [
            e
            for e in self.errors
            if not ((found := FAILED_LOAD.search(e)) and int(found[1]) in expected_statuses)
        ]
        assert unexpected == [], unexpected
        self.errors.clear()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitors(browser: object, server: LiveServer) -> Iterator[dict[str, Visitor]]:
    opened: dict[str, Visitor] = {}

    class Opener(dict):  # type: ignore[type-arg]
        """``visitors["manager@phone"]``: a tab of its own for each person and width."""

        def __missing__(self, key: str) -> Visitor:
            opened[key] = Visitor(browser, server, key.rsplit("@", 1)[1])
            return opened[key]

    try:
        yield Opener()
    finally:
        for visitor in opened.values():
            visitor.close()


def cell(visitor: Visitor, member: str, day_index: int) -> object:
    """The grid cell of ``member`` on the week's ``day_index`` (0 = Monday)."""
    row = visitor.page.locator("table.coverage tbody tr", has_text=member)
    return row.locator("td").nth(day_index)


# --------------------------------------------------------------------------- each role


@pytest.mark.parametrize("size", SIZES)
def test_the_login_page_refuses_an_unknown_key(visitors: dict[str, Visitor], size: str) -> None:
    visitor = visitors[f"anyone@{size}"]
    visitor.goto("/app/login")
    visitor.shoot("login")

    visitor.page.get_by_label("Clé d'accès").fill("pk_000000000000_not-a-key")
    visitor.page.get_by_role("button", name="Se connecter").click()

    expect(visitor.page.get_by_role("alert")).to_contain_text("inconnue ou a été révoquée")
    visitor.assert_no_console_errors(401)


@pytest.mark.parametrize("size", SIZES)
def test_the_manager_sees_the_groups_grid_and_only_it(
    visitors: dict[str, Visitor], size: str
) -> None:
    visitor = visitors[f"manager@{size}"]
    visitor.login("home", "manager")
    visitor.goto(f"/app/grid?week={WEEK}")

    page = visitor.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Couverture de la semaine")
    expect(page.get_by_test_id("versions")).to_contain_text("Version affichée : 2 (brouillon)")
    expect(cell(visitor, "Boulangerie Martin", 1)).to_contain_text("3 h / 3 h")
    expect(page.get_by_test_id("uncovered")).to_contain_text(
        "les personnes compétentes ne sont pas disponibles à ces heures"
    )
    expect(page.get_by_role("button", name="Publier la version 2")).to_be_visible()
    visitor.assert_only("home")
    visitor.shoot("grid")
    visitor.assert_no_console_errors()


def test_the_pages_switch_to_english_and_back(visitors: dict[str, Visitor]) -> None:
    visitor = visitors["manager@desktop"]
    visitor.login("home", "manager")
    visitor.goto(f"/app/grid?week={WEEK}")

    visitor.page.get_by_role("link", name="English").click()
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Coverage of the week")
    expect(visitor.page.locator("html")).to_have_attribute("lang", "en")
    expect(visitor.page.get_by_test_id("uncovered")).to_contain_text(
        "skilled people are not available at these hours"
    )
    visitor.shoot("grid-english")
    visitor.page.get_by_role("link", name="Français").click()
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Couverture de la semaine")
    visitor.assert_no_console_errors()


@pytest.mark.parametrize("size", SIZES)
def test_the_employee_sees_their_published_week(visitors: dict[str, Visitor], size: str) -> None:
    visitor = visitors[f"employee@{size}"]
    visitor.login("home", "employee")
    visitor.goto(f"/app/week?week={WEEK}")

    page = visitor.page
    tuesday = page.locator("section.day", has_text="mardi 8 décembre")
    expect(tuesday).to_contain_text("06:00–09:00")
    expect(tuesday).to_contain_text("Boulangerie Martin — Fournil")
    expect(tuesday).to_contain_text("1 rue du Four, Testville")
    map_link = tuesday.get_by_role("link", name=re.compile("Voir sur la carte"))
    expect(map_link).to_have_attribute("href", re.compile(r"openstreetmap\.org/\?mlat=45\.1"))
    visitor.assert_only("home")
    visitor.shoot("week")
    visitor.assert_no_console_errors()


@pytest.mark.parametrize("size", SIZES)
def test_the_member_sees_its_needs_and_who_comes(visitors: dict[str, Visitor], size: str) -> None:
    visitor = visitors[f"member@{size}"]
    visitor.login("home", "member")
    visitor.goto(f"/app/needs?week={WEEK}")

    expect(visitor.page.get_by_test_id("needs")).to_contain_text("Nettoyage — Fournil")
    expect(visitor.page.get_by_test_id("visits")).to_contain_text("Awa Diallo · 06:00–09:00")
    visitor.assert_only("home")
    visitor.shoot("needs")
    visitor.assert_no_console_errors()


def test_the_other_tenants_employee_sees_only_their_own_week(
    visitors: dict[str, Visitor],
) -> None:
    visitor = visitors["geiq@phone"]
    visitor.login("other", "employee")
    visitor.goto(f"/app/week?week={WEEK}")

    expect(visitor.page.get_by_test_id("who")).to_have_text("Lucas Petit")
    expect(visitor.page.locator("section.day", has_text="mardi 8 décembre")).to_contain_text(
        "Maçonnerie Durand"
    )
    visitor.assert_only("other")
    visitor.assert_no_console_errors()


# --------------------------------------------------------------------------- the story


def fill_need(visitor: Visitor, day: str, start: str, end: str) -> None:
    form = visitor.page.locator("#new-need")
    form.get_by_label("Créneau 1, jour").fill(day)
    form.get_by_label("Créneau 1, début").fill(start)
    form.get_by_label("Créneau 1, fin").fill(end)
    form.get_by_role("button", name="Envoyer le besoin").click()
    visitor.page.wait_for_load_state()


def test_a_wrong_need_is_refused_with_the_field_and_the_reason(
    visitors: dict[str, Visitor],
) -> None:
    visitor = visitors["member@phone"]
    visitor.login("home", "member")
    visitor.goto(f"/app/needs?week={WEEK}")

    fill_need(visitor, "2026-12-08", "11:00", "09:00")

    summary = visitor.page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Créneau 1, fin : la fin doit être après le début")
    expect(visitor.page.get_by_label("Créneau 1, fin")).to_have_attribute("aria-invalid", "true")
    visitor.shoot("needs-errors")
    visitor.assert_no_console_errors(422)


def test_needs_re_plan_the_week_and_the_open_grid_follows(
    visitors: dict[str, Visitor], server: LiveServer
) -> None:
    manager = visitors["manager@desktop"]
    manager.login("home", "manager")
    manager.goto(f"/app/grid?week={WEEK}")
    expect(cell(manager, "Boulangerie Martin", 1)).to_contain_text("3 h / 3 h")
    member = visitors["member@phone"]
    member.login("home", "member")
    member.goto(f"/app/needs?week={WEEK}")

    fill_need(member, "2026-12-08", "09:00", "11:00")
    expect(member.page.get_by_role("status")).to_contain_text("Besoin enregistré")

    # The grid polls the planning status and reloads itself when the new version lands.
    expect(cell(manager, "Boulangerie Martin", 1)).to_contain_text("5 h / 5 h", timeout=WAIT_MS)
    expect(manager.page.get_by_test_id("versions")).to_contain_text("Version affichée : 3")

    # Inside the notice window and outside the hours Awa agreed to: only her consent helps.
    fill_need(member, "2026-12-08", "13:00", "15:00")
    expect(manager.page.get_by_test_id("uncovered")).to_contain_text(
        "limite légale : délai de prévenance", timeout=WAIT_MS
    )
    expect(cell(manager, "Boulangerie Martin", 1)).to_contain_text("5 h / 7 h")
    manager.shoot("grid-uncovered")
    manager.assert_no_console_errors()
    member.assert_no_console_errors()


def test_the_employee_agrees_to_hours_inside_the_notice_window(
    visitors: dict[str, Visitor], server: LiveServer
) -> None:
    employee = visitors["employee@phone"]
    employee.login("home", "employee")
    employee.goto(f"/app/week?week={WEEK}")
    requests = employee.page.locator("#consents")
    expect(requests).to_contain_text("mardi 8 décembre, 13:00–15:00 (2 h)")
    employee.shoot("week-consent")

    requests.get_by_role("button", name="J'accepte ces heures").click()

    expect(employee.page.get_by_role("status").first).to_contain_text("votre accord est enregistré")
    server.wait_idle()
    manager = visitors["manager@desktop"]
    manager.login("home", "manager")
    manager.goto(f"/app/grid?week={WEEK}")
    expect(cell(manager, "Boulangerie Martin", 1)).to_contain_text("7 h / 7 h")
    expect(manager.page.get_by_test_id("uncovered")).not_to_contain_text("délai de prévenance")
    employee.assert_no_console_errors()


def test_the_manager_publishes_and_the_employee_sees_what_changed(
    visitors: dict[str, Visitor],
) -> None:
    manager = visitors["manager@desktop"]
    manager.login("home", "manager")
    manager.goto(f"/app/grid?week={WEEK}")
    expect(manager.page.get_by_test_id("diff")).to_contain_text("Nouveau Awa Diallo")
    manager.shoot("grid-draft")

    manager.page.get_by_role("button", name=re.compile("Publier la version")).click()

    expect(manager.page.get_by_role("status").first).to_contain_text("Semaine publiée")
    expect(manager.page.get_by_test_id("versions")).to_contain_text("(publiée)")
    employee = visitors["employee@phone"]
    employee.login("home", "employee")
    employee.goto(f"/app/week?week={WEEK}")
    expect(employee.page.get_by_test_id("changes")).to_contain_text("Depuis la version 1")
    tuesday = employee.page.locator("section.day", has_text="mardi 8 décembre")
    expect(tuesday.locator(".slot.added")).to_have_count(2)
    expect(tuesday).to_contain_text("13:00–15:00")
    employee.shoot("week-changed")
    manager.assert_no_console_errors()
    employee.assert_no_console_errors()


def test_the_employee_declares_an_unavailability_and_the_week_re_plans(
    visitors: dict[str, Visitor], server: LiveServer
) -> None:
    employee = visitors["employee@phone"]
    employee.login("home", "employee")
    employee.goto(f"/app/week?week={WEEK}")
    form = employee.page.locator("#absences")

    form.get_by_label("Du (date)").fill("2026-12-17")
    form.get_by_label("Au (date)").fill("2026-12-17")
    form.get_by_label("Remarque (facultatif)").fill("rendez-vous médical")
    form.get_by_role("button", name="Déclarer l'indisponibilité").click()

    expect(employee.page.get_by_role("status").first).to_contain_text("Indisponibilité enregistrée")
    expect(employee.page.get_by_test_id("absences")).to_contain_text(
        "Indisponibilité : jeudi 17 décembre 00:00 → vendredi 18 décembre 00:00"
    )
    server.wait_idle()
    with Session(server.world.application.engine) as session:
        absence = session.exec(
            select(m.Absence).where(m.Absence.note == "rendez-vous médical")
        ).one()
        planned = session.exec(
            select(m.RosterVersion).where(
                m.RosterVersion.group_id == "ge1", m.RosterVersion.week == "2026-W51"
            )
        ).all()
    assert absence.kind == "personal"
    assert planned, "the week of the absence was re-planned"
    employee.assert_no_console_errors()


@pytest.mark.parametrize("size", SIZES)
def test_the_employee_subscribes_to_the_calendar(visitors: dict[str, Visitor], size: str) -> None:
    employee = visitors[f"employee@{size}"]
    employee.login("home", "employee")
    employee.goto(f"/app/week?week={WEEK}")

    employee.page.get_by_role("button", name="Créer une adresse d'abonnement").click()

    url = employee.page.get_by_test_id("feed-url").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/calendar/[A-Za-z0-9_-]+\.ics", url)
    feed = httpx.get(url, timeout=10)
    assert feed.status_code == 200 and "Boulangerie Martin" in feed.text
    employee.shoot("week-calendar")
    employee.assert_no_console_errors()
