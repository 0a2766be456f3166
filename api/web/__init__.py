"""The web pages under ``/app``: server-rendered HTML for managers, members and employees.

No build step: Jinja2 templates, one stylesheet and one small script, French first with
English available. The pages use the same commands, read models and tenancy rules as the API.
"""

from fastapi import APIRouter

from api.web import auth, employee, manager, member

router = APIRouter()
for module in (auth, employee, manager, member):
    router.include_router(module.router)

__all__ = ["router"]
