"""Several commands in one transaction: all of them happen, or none does.

The command handlers commit at their end; inside ``one_transaction`` their commit only
flushes, and the events they emit wait for the single real commit at the end. Bulk needs and
CSV imports use it, so nothing is ever half-imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from scheduler import models as m
from scheduler.clock import Clock
from scheduler.messages import commands as c
from scheduler.scenario import schema as s
from scheduler.service.errors import FieldError, InvalidInput, NotFound
from scheduler.service.handlers import needs as need_handlers
from scheduler.service.handlers.context import PlanningConfig
from scheduler.service.unit_of_work import UnitOfWork


class _Deferred(UnitOfWork):
    """A unit of work whose ``commit`` only flushes; ``commit_all`` commits for real."""

    def commit(self) -> None:
        self.session.flush()

    def commit_all(self) -> None:
        super().commit()


@contextmanager
def one_transaction(engine: Engine, clock: Clock) -> Iterator[_Deferred]:
    """A unit of work for many handlers; call ``commit_all()`` once they all succeeded."""
    with _Deferred(engine, clock) as uow:
        yield uow


def relocate(errors: list[FieldError], prefix: tuple[str | int, ...]) -> list[FieldError]:
    """Errors of a handler (``need.site_id``) placed where the caller's input was."""
    return [FieldError((*prefix, *error.path[1:]), error.reason) for error in errors]


def submit_needs(
    engine: Engine,
    clock: Clock,
    config: PlanningConfig,
    group_id: str,
    needs: list[s.Need],
    *,
    at: tuple[str | int, ...] = ("body",),
) -> list[m.Need]:
    """Submit or change many needs at once; an error anywhere changes nothing.

    A need whose id is stored already is changed (its version grows), unless it is unchanged.
    Errors name ``(*at, index, field)``.
    """
    errors: list[FieldError] = []
    rows: list[m.Need] = []
    seen: dict[str, int] = {}
    for index, need in enumerate(needs):
        if need.id in seen:
            errors.append(
                FieldError(
                    (*at, index, "id"), f"need id {need.id!r} twice (first at {seen[need.id]})"
                )
            )
        seen.setdefault(need.id, index)
    if errors:
        raise InvalidInput(errors)
    with one_transaction(engine, clock) as uow:
        for index, need in enumerate(needs):
            stored = uow.session.get(m.Need, need.id)
            try:
                if stored is None:
                    rows.append(
                        need_handlers.submit_need(
                            uow, c.SubmitNeed(group_id=group_id, need=need), config
                        )
                    )
                elif stored.group_id != group_id:
                    errors.append(FieldError((*at, index, "id"), f"need id {need.id!r} exists"))
                else:
                    rows.append(
                        need_handlers.change_need(
                            uow,
                            c.ChangeNeed(
                                group_id=group_id, need=need, expected_version=stored.version
                            ),
                            config,
                        )
                    )
            except InvalidInput as error:
                errors.extend(relocate(error.errors, (*at, index)))
            except NotFound as error:
                errors.append(FieldError((*at, index), str(error)))
        if errors:
            raise InvalidInput(errors)
        uow.commit_all()
    return rows
