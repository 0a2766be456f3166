"""Partage's application core: domain, persistence, scenario files, handlers and clock jobs.

Nothing here connects to a database or a broker at import time; `scheduler.db` builds engines
on demand from `Settings`.
"""
