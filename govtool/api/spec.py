"""flask-smorest set up for govtool: OpenAPI 3.1, problem+json errors, bearer tokens.

flask-smorest (marshmallow + webargs + apispec) was chosen because it works with the plain Flask
app and blueprints govtool already has (apiflask replaces the Flask class, spectree needs
pydantic beside the marshmallow-free codebase), validates query and body arguments with webargs
and documents exactly those schemas, so the OpenAPI document cannot drift from the code.
"""

from __future__ import annotations

import http

from flask_smorest import Api
from flask_smorest.utils import prepare_response

from .problems import PROBLEM_MIMETYPE
from .schemas import ProblemSchema

API_PREFIX = "/api/v1"


class GovtoolApi(Api):
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"

    def _register_error_handlers(self):
        """None app-wide: the pages keep their HTML error pages; the API blueprints answer
        problem+json themselves (govtool.api.init_app)."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def api_settings(app) -> dict:
    settings = {
        "API_TITLE": "govtool API",
        "API_VERSION": "1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": API_PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": "The JSON API of govtool. Every call needs a personal access "
                "token (created on the user's profile page): `Authorization: Bearer <token>`. "
                "Calls act as the token's user, with that user's permissions.",
            },
            "servers": [{"url": app.config.get("GOVTOOL_BASE_URL", "").rstrip("/") or "/"}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                }
            },
            "security": [{"bearerAuth": []}],
        },
    }
    for key, value in settings.items():
        app.config.setdefault(key, value)
    return settings
