"""Small readers for rendered forms in tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser


def option_values(html: str, select_id: str) -> list[str]:
    """The option values of the <select id=select_id> in `html`."""
    found = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select {select_id}"
    return re.findall(r'<option value="([^"]*)"', found.group(1))


class _FormParser(HTMLParser):
    """The fields of every POST form of a page, as a browser would send them (no button)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select, self._first_option, self._selected = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._form.setdefault(self._select, []).append(value)
                self._selected = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._selected and self._first_option is not None:
                self._form.setdefault(self._select, []).append(self._first_option)
            self._select = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            values = self._form[self._textarea]
            values[-1] += data if values[-1] else data.removeprefix("\n")  # as browsers do


def form_with(html: str, field: str) -> dict[str, list[str]]:
    """The fields of the one POST form in `html` that has `field`, as a browser sends them."""
    parser = _FormParser()
    parser.feed(html)
    forms = [f for f in parser.forms if field in f]
    assert len(forms) == 1, f"one form with {field} expected, found {len(forms)}"
    return forms[0]
