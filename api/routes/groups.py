"""Employer groups: every key sees its own group."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Id, PrincipalDep, SessionDep, allow, visible
from api.errors import COMMON_RESPONSES
from api.schemas import GroupPublic
from api.scopes import group_scope
from scheduler import models as m
from scheduler.service.access import Role

router = APIRouter(prefix="/v1", tags=["groups"], responses=COMMON_RESPONSES)
ALL = (Role.manager, Role.member, Role.employee)


@router.get("/groups", **allow(*ALL))
def list_groups(session: SessionDep, principal: PrincipalDep) -> list[GroupPublic]:
    """The caller's group (a key belongs to exactly one)."""
    group = session.get(m.Group, principal.group_id)
    return [GroupPublic.model_validate(group)] if group else []


@router.get("/groups/{group_id}", **allow(*ALL, scope=group_scope))
def get_group(group_id: Id, session: SessionDep, principal: PrincipalDep) -> GroupPublic:
    group = visible(
        session.get(m.Group, group_id),
        principal,
        lambda p, g: p.group_id == g.id,
        "group",
        group_id,
    )
    return GroupPublic.model_validate(group)
