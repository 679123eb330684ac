"""The API against its own OpenAPI 3.1 document (schemathesis 4, Python API, over WSGI): with a
demo user's write token, no server error and no response that the document does not describe,
for valid and for invalid input. Kept small (a few examples per operation) so CI stays fast."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from tests.api.conftest import bearer

EXAMPLES = 6
# Checks that are not about conformance: "schema-valid data is accepted" cannot hold where the
# service refuses what no schema can express (an unknown provider id in the body: 422).
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


def test_the_api_conforms_to_its_openapi_document(app, demo, token_for):
    headers = bearer(token_for("sekretariat@example.org", scope="write"))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

            check()
