"""OParl 1.1: the public part of the bodies, read-only, for council-information systems."""

from __future__ import annotations


def init_app(app) -> None:
    """The /oparl/v1 endpoints (no pages, no navigation, no demo data of their own)."""
    from .views import bp

    app.config.setdefault("GOVTOOL_OPARL_PAGE_SIZE", 100)
    app.register_blueprint(bp)
