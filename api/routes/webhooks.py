"""Members' webhooks: register URLs, list them and their deliveries."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from sqlmodel import col, select

from api.deps import ApplicationDep, Id, PagingDep, PrincipalDep, SessionDep, allow, visible
from api.errors import COMMON_RESPONSES
from api.schemas import DeliveryPublic, Page, WebhookCreate, WebhookCreated, WebhookPublic
from api.scopes import member_scope, webhook_scope
from scheduler import models as m
from scheduler.service import access, webhooks
from scheduler.service.access import Role

router = APIRouter(prefix="/v1", tags=["webhooks"], responses=COMMON_RESPONSES)
OWNERS = (Role.manager, Role.member)


@router.post(
    "/members/{member_id}/webhooks",
    status_code=status.HTTP_201_CREATED,
    **allow(*OWNERS, scope=member_scope),
)
def create_webhook(
    member_id: Id,
    body: WebhookCreate,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> WebhookCreated:
    """Register a URL; events are POSTed to it signed with the returned secret (shown once).

    The URL must be http or https, and its host must resolve to public addresses only (no
    private, loopback, link-local or multicast one): 422 on `url` with the reason otherwise.
    """
    visible(session.get(m.Member, member_id), principal, access.sees_member, "member", member_id)
    with application.uow() as uow:
        row, secret = webhooks.subscribe(
            uow,
            member_id=member_id,
            url=body.url,
            events=list(body.events or []),
            allow_private=application.settings.webhooks_allow_private,
        )
    return WebhookCreated(**WebhookPublic.model_validate(row).model_dump(), secret=secret)


@router.get("/members/{member_id}/webhooks", **allow(*OWNERS, scope=member_scope))
def list_webhooks(
    member_id: Id, session: SessionDep, principal: PrincipalDep
) -> list[WebhookPublic]:
    visible(session.get(m.Member, member_id), principal, access.sees_member, "member", member_id)
    rows = session.exec(
        select(m.WebhookSubscription)
        .where(
            m.WebhookSubscription.member_id == member_id,
            col(m.WebhookSubscription.deleted_at).is_(None),
        )
        .order_by(col(m.WebhookSubscription.created_at), col(m.WebhookSubscription.id))
    ).all()
    return [WebhookPublic.model_validate(x) for x in rows]


@router.get("/webhooks/{webhook_id}", **allow(*OWNERS, scope=webhook_scope))
def get_webhook(webhook_id: Id, session: SessionDep, principal: PrincipalDep) -> WebhookPublic:
    row = visible(
        session.get(m.WebhookSubscription, webhook_id),
        principal,
        access.sees_subscription,
        "webhook",
        webhook_id,
    )
    return WebhookPublic.model_validate(row)


@router.delete(
    "/webhooks/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    **allow(*OWNERS, scope=webhook_scope),
)
def delete_webhook(
    webhook_id: Id, application: ApplicationDep, session: SessionDep, principal: PrincipalDep
) -> None:
    """Stop a webhook; its pending deliveries are abandoned."""
    visible(
        session.get(m.WebhookSubscription, webhook_id),
        principal,
        access.sees_subscription,
        "webhook",
        webhook_id,
    )
    with application.uow() as uow:
        webhooks.unsubscribe(uow, webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries", **allow(*OWNERS, scope=webhook_scope))
def list_deliveries(
    webhook_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    paging: PagingDep,
    delivery_status: Annotated[
        Literal["pending", "delivered", "failed"] | None, Query(alias="status")
    ] = None,
) -> Page[DeliveryPublic]:
    """Deliveries of the webhook, newest first, with their status and last error."""
    visible(
        session.get(m.WebhookSubscription, webhook_id),
        principal,
        access.sees_subscription,
        "webhook",
        webhook_id,
    )
    rows, total = webhooks.deliveries_of(
        session, webhook_id, status=delivery_status, limit=paging.limit, offset=paging.offset
    )
    return Page(
        items=[DeliveryPublic.model_validate(x) for x in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )
