"""The domain as SQLModel tables: what Partage stores.

Every table is imported here so that ``SQLModel.metadata`` is complete for Alembic.
"""

from scheduler.models.absence import Absence, Consent
from scheduler.models.access import ApiKey, CalendarFeed
from scheduler.models.employee import (
    AvailabilityWindow,
    Employee,
    EmployeeMember,
    EmployeeSkill,
    ExternalWork,
    ExternalWorkWindow,
)
from scheduler.models.group import Group, Member, Site, Skill, Territory, TrainingCentre
from scheduler.models.jobs import APSCHEDULER_JOBS, JobRun
from scheduler.models.messaging import OutboxMessage, PlanningState, ProcessedMessage
from scheduler.models.need import Need, NeedSpan
from scheduler.models.placement import Placement, TrainingSession, TutorPresence
from scheduler.models.roster import Assignment, RosterVersion
from scheduler.models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "APSCHEDULER_JOBS",
    "Absence",
    "ApiKey",
    "Assignment",
    "AvailabilityWindow",
    "CalendarFeed",
    "Consent",
    "Employee",
    "EmployeeMember",
    "EmployeeSkill",
    "ExternalWork",
    "ExternalWorkWindow",
    "Group",
    "JobRun",
    "Member",
    "Need",
    "NeedSpan",
    "OutboxMessage",
    "Placement",
    "PlanningState",
    "ProcessedMessage",
    "RosterVersion",
    "Site",
    "Skill",
    "Territory",
    "TrainingCentre",
    "TrainingSession",
    "TutorPresence",
    "WebhookDelivery",
    "WebhookSubscription",
]
