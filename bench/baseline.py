"""The baseline for each page: a bare Flask route running one hand-written SQL query for the same
rows, rendered in a plain template. govtool's page time is reported as a ratio to it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, render_template_string

PLAIN = """<!doctype html><html lang="de"><head><title>{{ name }}</title></head><body><main>
<h1>{{ name }}</h1><table>{% for row in rows %}<tr>{% for value in row %}<td>{{ value }}</td>
{% endfor %}</tr>{% endfor %}</table></main></body></html>"""

# One query per page, selecting what the page shows. :param names come from bench_targets().
QUERIES: dict[str, str] = {
    "dashboard": """
        SELECT m.id, m.title, m.start_at, b.short_name FROM meetings m
        JOIN bodies b ON b.id = m.body_id
        JOIN body_memberships bm ON bm.body_id = b.id AND bm.person_id = :person_id
        WHERE m.start_at >= :now ORDER BY m.start_at LIMIT 5""",
    "body": """
        SELECT p.first_name, p.last_name, o.name, bm.role, bm.has_voting_right
        FROM body_memberships bm JOIN people p ON p.id = bm.person_id
        LEFT JOIN organisations o ON o.id = bm.organisation_id
        WHERE bm.body_id = :body_id AND bm.end_date IS NULL ORDER BY o.name, p.last_name""",
    "meeting": """
        SELECT a.number, a.title, a.presenter, a.planned_minutes, a.is_public
        FROM agenda_items a WHERE a.meeting_id = :meeting_id ORDER BY a.position""",
    "minutes": """
        SELECT a.number, a.title, a.notes, d.reference, d.text, d.votes_yes, d.votes_no,
               d.votes_abstain FROM agenda_items a
        LEFT JOIN decisions d ON d.agenda_item_id = a.id
        WHERE a.meeting_id = :meeting_id ORDER BY a.position""",
    "actions": """
        SELECT ai.task, ai.due_date, ai.status, p.last_name, o.short_name, b.short_name
        FROM action_items ai LEFT JOIN people p ON p.id = ai.responsible_person_id
        LEFT JOIN organisations o ON o.id = ai.responsible_organisation_id
        JOIN bodies b ON b.id = ai.body_id WHERE ai.status = 'open'
        ORDER BY ai.due_date LIMIT 25""",
    "agreements": """
        SELECT a.number, a.title, a.kind, a.status, o.short_name FROM agreements a
        LEFT JOIN organisations o ON o.id = a.owner_organisation_id
        ORDER BY a.number DESC LIMIT 25""",
    "agreement": """
        SELECT v.number, v.title, o.name, p.role, d.text FROM agreement_versions v
        JOIN agreement_parties p ON p.version_id = v.id
        JOIN organisations o ON o.id = p.organisation_id
        LEFT JOIN agreement_duties d ON d.party_id = p.id
        WHERE v.agreement_id = :agreement_id ORDER BY v.number, p.position, d.position""",
    "catalogue": """
        SELECT e.identifier, v.title, o.short_name, e.status, v.personal_data_level
        FROM catalogue_entries e JOIN catalogue_versions v
          ON v.entry_id = e.id AND v.number = e.latest_number
        JOIN organisations o ON o.id = e.provider_id
        WHERE e.status = 'approved' AND v.personal_data_level = 'aggregated'
        ORDER BY e.identifier LIMIT 25""",
    "dcat": """
        SELECT e.identifier, v.title, v.description, o.name, v.keywords, v.frequency
        FROM catalogue_entries e JOIN catalogue_versions v
          ON v.entry_id = e.id AND v.number = e.approved_number
        JOIN organisations o ON o.id = e.provider_id
        WHERE e.approved_number IS NOT NULL ORDER BY e.identifier LIMIT :dcat_page_size""",
    "audit": """
        SELECT a.created_at, u.email, a.action, a.object_type, a.object_id, a.changes
        FROM audit_entries a LEFT JOIN users u ON u.id = a.user_id
        ORDER BY a.id DESC LIMIT 25""",
}


def make_baseline_app(database_url: str, params: dict) -> Flask:
    """A bare Flask app whose /<page> route runs that page's one query and renders the rows."""
    app = Flask("baseline")
    engine = sa.create_engine(database_url)

    @app.get("/<name>")
    def page(name: str):
        with engine.connect() as connection:
            rows = connection.execute(sa.text(QUERIES[name]), params).all()
        return render_template_string(PLAIN, name=name, rows=rows)

    app.extensions["bench_engine"] = engine
    return app
