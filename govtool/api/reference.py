"""The API reference page, rendered on the server from the OpenAPI document (no CDN, no
JavaScript: the docs UIs flask-smorest offers load their assets from a CDN)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_reference", __name__)


@bp.get("/api/v1/")
def reference():
    spec = current_app.extensions["govtool_api"].spec.to_dict()
    schemas = spec.get("components", {}).get("schemas", {})
    operations = [
        (path, method.upper(), operation)
        for path, item in spec.get("paths", {}).items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    return render_template("api/reference.html", spec=spec, operations=operations, schemas=schemas)
