"""The JSON API /api/v1/ (personal access tokens, OpenAPI 3.1, problem+json errors).

It calls the same services and asks the same permission rules as the pages; see
govtool.api.authentication for how a token becomes the request's user.
"""

from __future__ import annotations


def init_app(app) -> None:
    from .attendance import bp as attendance_bp
    from .people import bp as people_bp
    from .reads import bp as read_bp
    from .reference import bp as reference_bp
    from .spec import GovtoolApi, api_settings
    from .writes import bp as write_bp

    api_settings(app)
    api = GovtoolApi(app)
    app.extensions["govtool_api"] = api
    for blueprint in (read_bp, people_bp, attendance_bp, write_bp):
        api.register_blueprint(blueprint)
    app.register_blueprint(reference_bp)
