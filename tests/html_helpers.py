"""Small readers for rendered forms in tests."""

from __future__ import annotations

import re


def option_values(html: str, select_id: str) -> list[str]:
    """The option values of the <select id=select_id> in `html`."""
    found = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select {select_id}"
    return re.findall(r'<option value="([^"]*)"', found.group(1))
