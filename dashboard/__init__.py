"""The operator desk (FastAPI, Jinja2, HTMX, server-sent events) — arrives with the dashboard issue.

It will talk to `agent.approvals` and read `airline`; nothing imports it.
"""
