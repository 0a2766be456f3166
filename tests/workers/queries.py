"""Reading the planning state and roster versions the pipeline tests assert on."""

from __future__ import annotations

from sqlmodel import Session, col, select

from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.models.messaging import PlanningState


def roster_versions(app: Application, group_id: str, week: str) -> list[m.RosterVersion]:
    with Session(app.engine) as session:
        return list(
            session.exec(
                select(m.RosterVersion)
                .where(m.RosterVersion.group_id == group_id, m.RosterVersion.week == week)
                .order_by(col(m.RosterVersion.number))
            ).all()
        )


def planning_state(app: Application, group_id: str, week: str) -> PlanningState:
    with Session(app.engine) as session:
        state = session.get(PlanningState, (group_id, week))
        assert state is not None
        return state


def reflected_needs(app: Application, version: m.RosterVersion) -> set[str]:
    """Needs a version assigns or explains as uncovered: the ones its solve knew about."""
    with Session(app.engine) as session:
        assigned = session.exec(
            select(m.Assignment.need_id).where(m.Assignment.roster_version_id == version.id)
        ).all()
    uncovered = {u["need_id"] for u in version.summary.get("uncovered", [])}
    return {n for n in assigned if n} | uncovered
