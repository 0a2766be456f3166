"""A small hand-written territory: every kind of entity once, for validation tests."""

from __future__ import annotations

import copy
from typing import Any

_SAMPLE: dict[str, Any] = {
    "name": "Pays de Test",
    "time_zone": "Europe/Paris",
    "weeks": ["2026-W50", "2026-W51"],
    "skills": [
        {"id": "cleaning", "label": "Nettoyage"},
        {"id": "masonry", "label": "Maçonnerie"},
    ],
    "groups": [
        {
            "id": "ge1",
            "name": "GE du Pays de Test",
            "kind": "ge",
            "members": [
                {
                    "id": "ge1-m1",
                    "name": "Boulangerie Martin",
                    "siret": "12345678900011",
                    "sites": [
                        {
                            "id": "ge1-s1",
                            "name": "Fournil",
                            "place": {
                                "address": "1 rue du Four, Testville",
                                "latitude": 45.1,
                                "longitude": 4.8,
                            },
                        }
                    ],
                },
                {
                    "id": "ge1-m2",
                    "name": "Mairie de Testville",
                    "sites": [
                        {
                            "id": "ge1-s2",
                            "name": "École",
                            "place": {
                                "address": "2 place de l'École",
                                "latitude": 45.2,
                                "longitude": 4.9,
                            },
                        }
                    ],
                },
            ],
            "employees": [
                {
                    "id": "ge1-e1",
                    "first_name": "Awa",
                    "last_name": "Diallo",
                    "birth_date": "1990-04-02",
                    "contract": {
                        "kind": "permanent_part_time",
                        "weekly_hours": 24.5,
                        "start": "2025-01-06",
                        "members": [
                            {"member_id": "ge1-m1", "weekly_hours": 14},
                            {"member_id": "ge1-m2"},
                        ],
                    },
                    "skills": ["cleaning"],
                    "availability": [
                        {"day": "mon", "start": "06:00", "end": "13:00"},
                        {"day": "tue", "start": "06:00", "end": "20:00"},
                    ],
                    "home": {"address": "3 rue Haute", "latitude": 45.15, "longitude": 4.85},
                    "travel_mode": "public_transport",
                    "external_work": [
                        {
                            "employer": "Hôtel du Lac",
                            "weekly_hours": 6,
                            "windows": [{"day": "sat", "start": "08:00", "end": "14:00"}],
                        }
                    ],
                }
            ],
            "needs": [
                {
                    "id": "ge1-n1",
                    "member_id": "ge1-m1",
                    "site_id": "ge1-s1",
                    "skill": "cleaning",
                    "kind": "blocks",
                    "recurrence": "weekly",
                    "last_week": "2026-W51",
                    "blocks": [
                        {"start": "2026-12-08T06:00:00+01:00", "end": "2026-12-08T09:00:00+01:00"},
                        {"start": "2026-12-10T06:00:00+01:00", "end": "2026-12-10T09:00:00+01:00"},
                    ],
                },
                {
                    "id": "ge1-n2",
                    "recurrence": "weekly",  # no last_week: until cancelled
                    "member_id": "ge1-m2",
                    "site_id": "ge1-s2",
                    "skill": "cleaning",
                    "kind": "quota",
                    "priority": 1,
                    "weekly_hours": 6,
                    "min_block_hours": 2,
                    "max_block_hours": 3,
                    "windows": [
                        {"start": "2026-12-07T16:00:00+01:00", "end": "2026-12-07T20:00:00+01:00"},
                        {"start": "2026-12-09T16:00:00+01:00", "end": "2026-12-09T20:00:00+01:00"},
                    ],
                },
            ],
            "absences": [
                {
                    "id": "ge1-a1",
                    "employee_id": "ge1-e1",
                    "kind": "sick_leave",
                    "period": {
                        "start": "2026-12-14T00:00:00+01:00",
                        "end": "2026-12-16T00:00:00+01:00",
                    },
                }
            ],
            "consents": [
                {
                    "id": "ge1-c1",
                    "employee_id": "ge1-e1",
                    "week": "2026-W50",
                    "period": {
                        "start": "2026-12-08T06:00:00+01:00",
                        "end": "2026-12-08T12:00:00+01:00",
                    },
                    "given_at": "2026-12-04T10:00:00+01:00",
                }
            ],
            "rosters": [
                {
                    "week": "2026-W50",
                    "version": 1,
                    "status": "published",
                    "created_at": "2026-11-27T12:00:00+01:00",
                    "published_at": "2026-11-27T12:00:00+01:00",
                    "assignments": [
                        {
                            "employee_id": "ge1-e1",
                            "member_id": "ge1-m1",
                            "site_id": "ge1-s1",
                            "need_id": "ge1-n1",
                            "period": {
                                "start": "2026-12-08T06:00:00+01:00",
                                "end": "2026-12-08T09:00:00+01:00",
                            },
                        }
                    ],
                }
            ],
        },
        {
            "id": "geiq1",
            "name": "GEIQ BTP de Test",
            "kind": "geiq",
            "rules": {"notice_days": 3, "complementary_hours_ratio": 0.33},
            "members": [
                {
                    "id": "geiq1-m1",
                    "name": "Maçonnerie Durand",
                    "sites": [
                        {
                            "id": "geiq1-s1",
                            "name": "Dépôt",
                            "place": {"address": "ZA des Prés", "latitude": 45.0, "longitude": 4.7},
                        }
                    ],
                }
            ],
            "training_centres": [
                {
                    "id": "geiq1-t1",
                    "name": "CFA du BTP",
                    "place": {"address": "5 avenue du CFA", "latitude": 45.3, "longitude": 4.6},
                }
            ],
            "employees": [
                {
                    "id": "geiq1-e1",
                    "first_name": "Lucas",
                    "last_name": "Petit",
                    "birth_date": "2009-09-01",
                    "contract": {
                        "kind": "apprenticeship",
                        "weekly_hours": 35,
                        "start": "2026-09-01",
                        "end": "2028-08-31",
                        "members": [{"member_id": "geiq1-m1"}],
                    },
                    "skills": ["masonry"],
                    "availability": [
                        {"day": d, "start": "07:00", "end": "18:00"}
                        for d in ("mon", "tue", "wed", "thu", "fri")
                    ],
                    "home": {"address": "8 rue Basse", "latitude": 45.05, "longitude": 4.75},
                    "travel_mode": "bike",
                }
            ],
            "placements": [
                {
                    "id": "geiq1-p1",
                    "employee_id": "geiq1-e1",
                    "host_member_id": "geiq1-m1",
                    "tutor_name": "Paul Durand",
                    "tutor_presence": [
                        {"day": d, "start": "07:30", "end": "17:00"}
                        for d in ("mon", "tue", "wed", "thu")
                    ],
                    "start": "2026-09-01",
                    "end": "2027-08-31",
                    "training": [
                        {
                            "id": "geiq1-ts1",
                            "centre_id": "geiq1-t1",
                            "period": {
                                "start": "2026-12-11T08:00:00+01:00",
                                "end": "2026-12-11T12:00:00+01:00",
                            },
                        },
                        {
                            "id": "geiq1-ts2",
                            "centre_id": "geiq1-t1",
                            "period": {
                                "start": "2026-12-11T13:30:00+01:00",
                                "end": "2026-12-11T17:00:00+01:00",
                            },
                        },
                    ],
                }
            ],
        },
    ],
}


def sample() -> dict[str, Any]:
    """A fresh copy of the sample territory, safe to mutate in a test."""
    return copy.deepcopy(_SAMPLE)
