"""Employees of a group: contract, skills, availability, the members they may work at."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class Employee(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    position: int = 0  # order in the scenario file, kept for lossless export
    group_id: str = Field(foreign_key="group.id", index=True, max_length=64)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_date: date
    contract_kind: str = Field(max_length=32)
    weekly_minutes: int
    contract_start: date
    contract_end: date | None = None
    home_address: str = Field(max_length=300)
    home_latitude: float
    home_longitude: float
    travel_mode: str = Field(max_length=32)


class EmployeeSkill(SQLModel, table=True):
    employee_id: str = Field(foreign_key="employee.id", primary_key=True, max_length=64)
    skill_id: str = Field(foreign_key="skill.id", primary_key=True, max_length=64)
    position: int = 0


class EmployeeMember(SQLModel, table=True):
    """A member the employment contract names, with the weekly minutes agreed there if any."""

    employee_id: str = Field(foreign_key="employee.id", primary_key=True, max_length=64)
    member_id: str = Field(foreign_key="member.id", primary_key=True, max_length=64)
    agreed_minutes: int | None = None
    position: int = 0


class AvailabilityWindow(SQLModel, table=True):
    """A recurring weekly window in which the employee can work (local wall-clock minutes)."""

    id: int | None = Field(default=None, primary_key=True)
    employee_id: str = Field(foreign_key="employee.id", index=True, max_length=64)
    weekday: int = Field(ge=0, le=6)
    start_minute: int
    end_minute: int
    position: int = 0


class ExternalWork(SQLModel, table=True):
    """Work for another employer; counts towards the person's legal maxima."""

    id: int | None = Field(default=None, primary_key=True)
    employee_id: str = Field(foreign_key="employee.id", index=True, max_length=64)
    employer: str = Field(max_length=200)
    weekly_minutes: int
    position: int = 0


class ExternalWorkWindow(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    external_work_id: int = Field(foreign_key="externalwork.id", index=True)
    weekday: int = Field(ge=0, le=6)
    start_minute: int
    end_minute: int
    position: int = 0
