"""French first, English available: the pages' words, dates and numbers in both languages.

A plain dict per language keeps the catalogue greppable and needs no build step; a test checks
that both languages have the same keys. The language comes from the ``partage_lang`` cookie
(set by the switch link), else from ``Accept-Language``, else French.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from starlette.requests import Request

from api.web.catalogue import EN, FR, RULES_EN, RULES_FR

LANGUAGES = ("fr", "en")
DEFAULT = "fr"
LANG_COOKIE = "partage_lang"

_DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def negotiate(request: Request) -> str:
    """The page language: the cookie, else the first known ``Accept-Language`` tag, else fr."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    header = request.headers.get("accept-language", "")
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT


@dataclass(frozen=True)
class Translator:
    """Words, dates and numbers of one language, handed to every template as ``t``."""

    lang: str

    def __call__(self, key: str, **values: object) -> str:
        catalogue = FR if self.lang == "fr" else EN
        text = catalogue.get(key) or FR.get(key) or key
        return text.format(**values) if values else text

    def hours(self, value: float) -> str:
        """``3.5`` as ``3,5 h`` (fr) or ``3.5 h`` (en); whole hours without decimals."""
        text = f"{value:.0f}" if abs(value - round(value)) < 0.005 else f"{value:.2f}".rstrip("0")
        if self.lang == "fr":
            text = text.replace(".", ",")
        return f"{text} h"

    def minutes(self, value: int) -> str:
        if value < 60:
            return f"{value} min"
        hours, rest = divmod(value, 60)
        return f"{hours} h {rest:02d}" if rest else f"{hours} h"

    def day(self, value: date) -> str:
        """``mardi 8 décembre`` / ``Tuesday 8 December``."""
        name, month = _DAYS[self.lang][value.weekday()], _MONTHS[self.lang][value.month - 1]
        return f"{name} {value.day} {month}"

    def weekday(self, index: int) -> str:
        return _DAYS[self.lang][index]

    def date(self, value: date) -> str:
        return f"{value.day} {_MONTHS[self.lang][value.month - 1]} {value.year}"

    def time(self, value: datetime) -> str:
        return value.strftime("%H:%M")

    def moment(self, value: datetime) -> str:
        return f"{self.day(value.date())} {self.time(value)}"

    def span(self, start: datetime, end: datetime) -> str:
        """``mardi 8 décembre, 13:00–15:00``, or both ends when it runs over several days."""
        if start.date() == end.date():
            return f"{self.day(start.date())}, {self.time(start)}–{self.time(end)}"
        return self("span.days", start=self.moment(start), end=self.moment(end))

    def week(self, label: str, monday: date, sunday: date) -> str:
        """``Semaine 50 · 7–13 décembre 2026``."""
        number = int(label.split("-W")[1])
        if monday.month == sunday.month:
            span = f"{monday.day}–{sunday.day} {_MONTHS[self.lang][sunday.month - 1]}"
        else:
            span = (
                f"{monday.day} {_MONTHS[self.lang][monday.month - 1]} – "
                f"{sunday.day} {_MONTHS[self.lang][sunday.month - 1]}"
            )
        return self("week.label", number=number, span=f"{span} {sunday.year}")

    def reason(self, code: str) -> str:
        """An uncovered need's reason code in words (``legal_limit:<rule>`` names the rule)."""
        head, _, rule = code.partition(":")
        if head == "legal_limit":
            rules = RULES_FR if self.lang == "fr" else RULES_EN
            return self("reason.legal_limit", rule=rules.get(rule, rule.replace("_", " ")))
        words = self(f"reason.{head}")
        return words if words != f"reason.{head}" else code.replace("_", " ")
