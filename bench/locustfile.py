"""Locust users for the load test (run by bench/load.py, headless).

GovtoolUser signs in as the bench secretary and mixes page views with writes: attendance,
action-item status and comments. Each simulated user owns its own action item, participant and
comment marker, and records what it last wrote, so bench/load.py can check afterwards that no write
was lost. HelloUser hits the bare hello app for the ceiling.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import uuid

from locust import HttpUser, between, events, task

TARGETS = json.loads(os.environ.get("GOVTOOL_BENCH_TARGETS", "{}"))
LEDGER_PATH = os.environ.get("GOVTOOL_BENCH_LEDGER", "")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_user_numbers = itertools.count()
LEDGER: dict[str, dict] = {"status": {}, "presence": {}, "comments": []}


@events.test_stop.add_listener
def write_ledger(environment, **kwargs):
    if LEDGER_PATH:
        with open(LEDGER_PATH, "w") as handle:
            json.dump(LEDGER, handle)


class GovtoolUser(HttpUser):
    wait_time = between(0.1, 0.5)

    def on_start(self):
        self.number = next(_user_numbers)
        page = self.client.get("/login", name="/login")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/login",
            data={
                "csrf_token": token,
                "email": TARGETS.get("secretary_email", "secretary@bench.example.org"),
                "password": TARGETS.get("password", "bench-passwort"),
            },
            name="/login [POST]",
        )
        actions = TARGETS.get("action_item_ids") or []
        participants = TARGETS.get("participants") or []
        # Each user owns its targets alone, so "last write wins" can be checked exactly.
        self.action_id = actions[self.number] if self.number < len(actions) else None
        self.participant_id = participants[self.number] if self.number < len(participants) else None
        self.flip = itertools.cycle(["done", "open"])
        self.presence = itertools.cycle(["present", "excused", "absent"])

    def _token(self, path: str, name: str) -> str | None:
        page = self.client.get(path, name=name)
        found = CSRF.search(page.text)
        return found.group(1) if found else None

    @task(4)
    def dashboard(self):
        self.client.get("/", name="dashboard")

    @task(4)
    def body(self):
        self.client.get(f"/bodies/{TARGETS['body_id']}", name="body")

    @task(6)
    def meeting(self):
        self.client.get(f"/meetings/{TARGETS['meeting_id']}", name="meeting")

    @task(3)
    def actions(self):
        self.client.get("/actions/", name="actions")

    @task(3)
    def agreements(self):
        self.client.get("/agreements/", name="agreements")

    @task(2)
    def agreement(self):
        self.client.get(f"/agreements/{TARGETS['agreement_id']}", name="agreement")

    @task(3)
    def catalogue(self):
        self.client.get("/catalogue/?status=approved", name="catalogue")

    @task(2)
    def action_status(self):
        if self.action_id is None:
            return
        token = self._token("/actions/", "actions")
        status = next(self.flip)
        response = self.client.post(
            f"/actions/{self.action_id}/status",
            data={"csrf_token": token, "status": status, "next": "/actions/"},
            name="action status [POST]",
            allow_redirects=False,
        )
        if response.status_code in (302, 303):
            LEDGER["status"][str(self.action_id)] = status

    @task(2)
    def attendance(self):
        if self.participant_id is None:
            return
        meeting, participant = self.participant_id
        token = self._token(f"/meetings/{meeting}", "meeting")
        presence = next(self.presence)
        response = self.client.post(
            f"/meetings/{meeting}/attendance",
            data={"csrf_token": token, f"presence-{participant}": presence},
            name="attendance [POST]",
            allow_redirects=False,
        )
        if response.status_code in (302, 303):
            LEDGER["presence"][str(participant)] = presence

    @task(2)
    def comment(self):
        path = TARGETS.get("comment_path")
        if not path:
            return
        token = self._token(TARGETS["comment_page"], "comment page")
        marker = f"bench-{uuid.uuid4().hex}"
        response = self.client.post(
            path,
            data={"csrf_token": token, "text": marker},
            name="comment [POST]",
            allow_redirects=False,
        )
        if response.status_code in (302, 303):
            LEDGER["comments"].append(marker)


class HelloUser(HttpUser):
    wait_time = between(0.1, 0.5)

    @task
    def hello(self):
        self.client.get("/", name="hello")
