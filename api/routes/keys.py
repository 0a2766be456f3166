"""API keys: a manager hands keys to the group's members and employees, and revokes them."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import (
    ApplicationDep,
    Id,
    PrincipalDep,
    SessionDep,
    allow,
    forget_verified_keys,
    visible,
)
from api.errors import COMMON_RESPONSES
from api.schemas import KeyCreate, KeyCreated, KeyPublic
from api.scopes import group_scope, key_scope
from scheduler import models as m
from scheduler.service import access
from scheduler.service.access import Role
from scheduler.service.errors import FieldError, InvalidInput, NotFound

router = APIRouter(prefix="/v1", tags=["keys"], responses=COMMON_RESPONSES)


@router.post(
    "/groups/{group_id}/keys",
    status_code=status.HTTP_201_CREATED,
    **allow(Role.manager, scope=group_scope),
)
def create_key(
    group_id: Id,
    body: KeyCreate,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> KeyCreated:
    """A key for the group (manager), one of its members or employees; shown once."""
    role = Role(body.role)
    with application.uow() as uow:
        try:
            subject_group = access.subject_group(uow.session, role, body.subject_id)
        except NotFound:
            subject_group = None
        if subject_group != group_id:
            raise InvalidInput(
                [FieldError(("subject_id",), f"no {role.value} {body.subject_id!r} in this group")]
            )
        row, key = access.create_key(
            uow.session,
            role=role,
            subject_id=body.subject_id,
            clock=application.clock,
            label=body.label,
        )
        uow.commit()
    return KeyCreated(**KeyPublic.model_validate(row).model_dump(), key=key)


@router.get("/groups/{group_id}/keys", **allow(Role.manager, scope=group_scope))
def list_keys(group_id: Id, session: SessionDep, principal: PrincipalDep) -> list[KeyPublic]:
    return [KeyPublic.model_validate(x) for x in access.keys_of_group(session, group_id)]


@router.delete(
    "/keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT, **allow(Role.manager, scope=key_scope)
)
def revoke_key(
    key_id: Id, application: ApplicationDep, session: SessionDep, principal: PrincipalDep
) -> None:
    """Revoke a key at once (revoking twice is fine)."""
    visible(session.get(m.ApiKey, key_id), principal, access.sees_key, "key", key_id)
    with application.uow() as uow:
        access.revoke_key(uow.session, key_id, application.clock)
        uow.commit()
    forget_verified_keys()
