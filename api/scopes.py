"""The object a path names, loaded and checked against the caller's tenancy.

These are dependencies, so they run before the body is read: another tenant's object answers
404 whatever the body holds, and a 422 never hints that something exists.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.deps import Id, PrincipalDep, SessionDep, visible
from scheduler import models as m
from scheduler.service import access


def group_scope(group_id: Id, session: SessionDep, principal: PrincipalDep) -> m.Group:
    return visible(
        session.get(m.Group, group_id), principal, access.sees_group_row, "group", group_id
    )


def member_scope(member_id: Id, session: SessionDep, principal: PrincipalDep) -> m.Member:
    return visible(
        session.get(m.Member, member_id), principal, access.sees_member, "member", member_id
    )


def site_scope(site_id: Id, session: SessionDep, principal: PrincipalDep) -> m.Site:
    site = session.get(m.Site, site_id)
    member = session.get(m.Member, site.member_id) if site else None
    if site is None or member is None or not access.sees_site(principal, site, member):
        raise access.NotFound("site", site_id)
    return site


def employee_scope(employee_id: Id, session: SessionDep, principal: PrincipalDep) -> m.Employee:
    return visible(
        session.get(m.Employee, employee_id),
        principal,
        access.sees_employee,
        "employee",
        employee_id,
    )


def need_scope(need_id: Id, session: SessionDep, principal: PrincipalDep) -> m.Need:
    return visible(session.get(m.Need, need_id), principal, access.sees_need, "need", need_id)


def placement_scope(placement_id: Id, session: SessionDep, principal: PrincipalDep) -> m.Placement:
    return visible(
        session.get(m.Placement, placement_id),
        principal,
        access.sees_placement,
        "placement",
        placement_id,
    )


def webhook_scope(
    webhook_id: Id, session: SessionDep, principal: PrincipalDep
) -> m.WebhookSubscription:
    return visible(
        session.get(m.WebhookSubscription, webhook_id),
        principal,
        access.sees_subscription,
        "webhook",
        webhook_id,
    )


def feed_scope(feed_id: Id, session: SessionDep, principal: PrincipalDep) -> m.CalendarFeed:
    return visible(
        session.get(m.CalendarFeed, feed_id), principal, access.sees_feed, "calendar feed", feed_id
    )


def key_scope(key_id: Id, session: SessionDep, principal: PrincipalDep) -> m.ApiKey:
    return visible(session.get(m.ApiKey, key_id), principal, access.sees_key, "key", key_id)


GroupScope = Annotated[m.Group, Depends(group_scope)]
MemberScope = Annotated[m.Member, Depends(member_scope)]
SiteScope = Annotated[m.Site, Depends(site_scope)]
EmployeeScope = Annotated[m.Employee, Depends(employee_scope)]
NeedScope = Annotated[m.Need, Depends(need_scope)]
PlacementScope = Annotated[m.Placement, Depends(placement_scope)]
WebhookScope = Annotated[m.WebhookSubscription, Depends(webhook_scope)]
FeedScope = Annotated[m.CalendarFeed, Depends(feed_scope)]
KeyScope = Annotated[m.ApiKey, Depends(key_scope)]
