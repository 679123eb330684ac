"""The public calendar feed of a body (no sign-in, no token) and the webcal:// filter for the
subscription links on the body page. The private feed with its token is in views.py."""

from __future__ import annotations

from flask import Response, abort, request

from ..core.downloads import safe_mimetype
from ..core.urls import webcal_url
from . import public_calendar
from .views import bp

# Calendar clients poll; an hour keeps them current without hammering the server, and the
# feed holds public information only, so shared caches may keep it. The response names no file
# (no Content-Disposition): core.security stores no download, and no page of a signed-in browser,
# so a browser with a sign-in still gets no-store, calendar clients (no cookies) the public value.
PUBLIC_FEED_CACHE = "public, max-age=3600"


@bp.app_template_filter("webcal")
def webcal_filter(url: str) -> str:
    return webcal_url(url)


@bp.get("/bodies/<int:body_id>/public.ics")
def public_calendar_feed(body_id: int):
    """The body's public meetings for any calendar client; 404 unless the body publishes them."""
    body = public_calendar.public_calendar_body(body_id)
    if body is None:
        abort(404)
    feed = public_calendar.public_feed(body)
    response = Response(feed.data, content_type=safe_mimetype("text/calendar"))
    response.headers["Cache-Control"] = PUBLIC_FEED_CACHE
    response.headers["Access-Control-Allow-Origin"] = "*"  # public data, e.g. for a town's site
    response.set_etag(feed.etag)
    response.last_modified = feed.last_modified
    return response.make_conditional(request)
