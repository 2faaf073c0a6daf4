"""The operator desk (FastAPI, Jinja2, HTMX, server-sent events): `app.create_app`.

It talks to `agent.approvals` and reads `airline`; only the application imports it.
"""

__all__ = [
    "app",
    "auth",
    "server",
    "settings",
    "tables",
]
"""The public modules; the others are the package's own."""
