"""Form fields in, domain models out, and every refusal as "which field, and why" in words.

The pages validate with the same models and handlers as the API; this module only turns form
strings into those models and their English field errors into the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from api.web.i18n import Translator
from scheduler.scenario.validation import FieldError

# English reasons of the models' and handlers' own checks, by the start of their text: the
# catalogue key that says the same in the reader's language.
_REASONS: tuple[tuple[str, str], ...] = (
    ("end must be after start", "form.end_after_start"),
    ("a blocks need needs at least one block", "need.err.blocks_required"),
    ("a blocks need has no windows", "need.err.blocks_only"),
    ("a quota need needs windows and weekly_hours", "need.err.quota_required"),
    ("a quota need has windows, not blocks", "need.err.quota_only"),
    ("weekly_hours exceed the time the windows offer", "need.err.quota_exceeds"),
    ("min_block_hours exceeds max_block_hours", "need.err.min_max"),
    ("last_week only applies to a weekly need", "need.err.last_week_once"),
    ("blocks and windows of one need lie within one week", "need.err.one_week"),
    ("blocks overlap", "need.err.overlap"),
    ("must be a whole number of minutes", "form.whole_minutes"),
    ("must be an ISO week", "form.bad_week"),
    ("unknown site", "need.err.unknown_site"),
    ("site ", "need.err.not_your_site"),
    ("unknown skill", "need.err.unknown_skill"),
    ("must be your own member id", "need.err.not_your_site"),
)
_WEEK_MISSING = re.compile(r"^\d{4}-W\d{2} does not exist")
# Pydantic's error types we phrase ourselves (with their context values).
_TYPES = {
    "missing": "form.required",
    "greater_than": "form.gt",
    "greater_than_equal": "form.ge",
    "less_than": "form.lt",
    "less_than_equal": "form.le",
    "int_parsing": "form.bad_number",
    "float_parsing": "form.bad_number",
    "string_too_long": "form.too_long",
    "string_pattern_mismatch": "form.pattern",
    "literal_error": "form.choice",
    "enum": "form.choice",
}


@dataclass
class FormErrors:
    """Refusals by form field (the field's ``name``), in the order they were found."""

    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def get(self, name: str) -> str | None:
        return self.by_field.get(name)


def reason_words(t: Translator, reason: str) -> str:
    """A model's or handler's English reason in the reader's language (itself if unknown)."""
    if _WEEK_MISSING.match(reason):
        return t("form.bad_week")
    for start, key in _REASONS:
        if reason.startswith(start):
            return t(key)
    return reason


def pydantic_words(t: Translator, item: Mapping[str, Any]) -> str:
    key = _TYPES.get(str(item.get("type")))
    if key is not None:
        context = item.get("ctx") or {}
        return t(key, **{k: v for k, v in context.items() if isinstance(k, str)})
    return reason_words(t, str(item.get("msg", "")).removeprefix("Value error, "))


def collect_validation(
    t: Translator,
    error: ValidationError,
    errors: FormErrors,
    place: Callable[[tuple[str | int, ...], str], str],
) -> None:
    """Each of pydantic's errors at the form field ``place(loc, message)`` names."""
    for item in error.errors(include_url=False):
        loc = tuple(item.get("loc", ()))
        message = pydantic_words(t, item)
        errors.add(place(loc, str(item.get("msg", ""))), message)


def collect_field_errors(
    t: Translator,
    found: list[FieldError],
    errors: FormErrors,
    place: Callable[[tuple[str | int, ...], str], str],
) -> None:
    """A handler's field errors (``InvalidInput``) at their form fields."""
    for item in found:
        errors.add(place(tuple(item.path), item.reason), reason_words(t, item.reason))


def text(form: Mapping[str, Any], name: str, *, limit: int = 500) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def parse_date(
    form: Mapping[str, Any], name: str, errors: FormErrors, t: Translator
) -> date | None:
    value = text(form, name, limit=20)
    if not value:
        errors.add(name, t("form.required"))
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.add(name, t("form.bad_date"))
        return None


def parse_time(
    form: Mapping[str, Any],
    name: str,
    errors: FormErrors,
    t: Translator,
    *,
    default: time | None = None,
) -> time | None:
    value = text(form, name, limit=10)
    if not value:
        if default is None:
            errors.add(name, t("form.required"))
        return default
    try:
        return time.fromisoformat(value)
    except ValueError:
        errors.add(name, t("form.bad_time"))
        return None


def parse_number(
    form: Mapping[str, Any], name: str, errors: FormErrors, t: Translator, *, required: bool
) -> float | None:
    value = text(form, name, limit=20).replace(",", ".")
    if not value:
        if required:
            errors.add(name, t("form.required"))
        return None
    try:
        return float(value)
    except ValueError:
        errors.add(name, t("form.bad_number"))
        return None


def local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time of the group's zone as an aware instant."""
    return datetime.combine(day, clock, tzinfo=zone)
