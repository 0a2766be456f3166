"""Clock jobs: weekly publication, nightly re-planning, reminders and recovery.

Jobs only issue commands through the message bus; the planning itself happens wherever
``plan.requested`` is consumed. APScheduler 3 keeps the jobs in the database (they survive a
restart) and a row per run in ``jobrun`` keeps two scheduler processes from firing one twice.
Nothing here is imported at start-up by the rest of the application.
"""
