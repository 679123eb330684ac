"""The data-flow map: organisations as nodes, approved exchanges as arrows, drawn as SVG.

networkx lays the graph out (circular for small graphs, spring layout beyond); the server writes
the SVG. Each arrow links to its entry, carries a <title>, and shows its personal-data level by
colour AND line pattern AND a letter, so the map reads without colour too. The page adds a table
of all flows as the text alternative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
from flask import has_request_context, url_for
from flask_babel import gettext
from markupsafe import Markup, escape

from ..core.urls import external_url
from .dcat import approved_versions
from .models import PersonalDataLevel


@dataclass(frozen=True)
class LevelStyle:
    colour: str
    dash: str  # stroke-dasharray; "" for a solid line
    letter: str
    width: float


# Colours from the Okabe-Ito palette, darkened for 3:1 contrast on white (WCAG 1.4.11).
STYLES = {
    PersonalDataLevel.NONE: LevelStyle("#0b5c9e", "", "N", 2.5),
    PersonalDataLevel.AGGREGATED: LevelStyle("#00704f", "10 5", "A", 2.5),
    PersonalDataLevel.PSEUDONYMISED: LevelStyle("#8a5300", "3 4", "P", 3),
    PersonalDataLevel.PERSONAL: LevelStyle("#b03a00", "12 4 3 4", "D", 3),
    PersonalDataLevel.SPECIAL: LevelStyle("#7a2f7a", "18 6", "S", 4),
}
LEGEND = [(level, STYLES[level]) for level in PersonalDataLevel]
WIDTH, HEIGHT, MARGIN, RADIUS = 960, 620, 120, 42


def build_graph() -> nx.MultiDiGraph:
    """Organisations and the exchanges in force between them (one edge per recipient)."""
    graph = nx.MultiDiGraph()
    for version in approved_versions():
        provider = version.entry.provider
        graph.add_node(provider.id, label=provider.short_name, name=provider.name)
        for recipient in version.recipients:
            graph.add_node(recipient.id, label=recipient.short_name, name=recipient.name)
            graph.add_edge(
                provider.id,
                recipient.id,
                entry_id=version.entry.id,
                identifier=version.entry.identifier,
                title=version.title,
                level=version.personal_data_level,
                frequency=version.frequency,
                provider=provider.name,
                recipient=recipient.name,
            )
    return graph


def layout(graph: nx.MultiDiGraph) -> dict[int, tuple[float, float]]:
    """Node positions in SVG coordinates, computed by networkx."""
    if graph.number_of_nodes() == 0:
        return {}
    simple = nx.Graph(graph)  # the layout needs only who is connected
    if simple.number_of_nodes() <= 12:
        raw = nx.circular_layout(sorted(simple.nodes()))
    else:
        raw = nx.spring_layout(simple, seed=7, k=1.5 / math.sqrt(simple.number_of_nodes()))
    xs = [float(p[0]) for p in raw.values()]
    ys = [float(p[1]) for p in raw.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    return {
        node: (
            MARGIN + (float(p[0]) - min(xs)) / span_x * (WIDTH - 2 * MARGIN),
            MARGIN + (float(p[1]) - min(ys)) / span_y * (HEIGHT - 2 * MARGIN - 60),
        )
        for node, p in raw.items()
    }


def _entry_url(entry_id: int) -> str:
    if has_request_context():
        return url_for("catalogue.entry_detail", entry_id=entry_id)
    return external_url("catalogue.entry_detail", entry_id=entry_id)


def _edge_path(start, end, offset: float) -> tuple[str, tuple[float, float]]:
    """A curved path from node border to node border; offset bends parallel edges apart."""
    (x1, y1), (x2, y2) = start, end
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    nx_, ny_ = -dy / length, dx / length  # normal
    cx, cy = (x1 + x2) / 2 + nx_ * offset, (y1 + y2) / 2 + ny_ * offset

    # Shorten both ends to the node circles, along the direction to the control point.
    def trim(px, py, qx, qy, by):
        d = math.hypot(qx - px, qy - py) or 1.0
        return px + (qx - px) / d * by, py + (qy - py) / d * by

    sx, sy = trim(x1, y1, cx, cy, RADIUS)
    ex, ey = trim(x2, y2, cx, cy, RADIUS + 4)
    mid = (0.25 * sx + 0.5 * cx + 0.25 * ex, 0.25 * sy + 0.5 * cy + 0.25 * ey)
    return f"M {sx:.1f} {sy:.1f} Q {cx:.1f} {cy:.1f} {ex:.1f} {ey:.1f}", mid


def flow_rows(graph: nx.MultiDiGraph) -> list[dict]:
    rows = [dict(data) for _u, _v, data in graph.edges(data=True)]
    return sorted(rows, key=lambda r: (r["identifier"], r["recipient"]))


def render_svg(graph: nx.MultiDiGraph, standalone: bool = False) -> Markup:
    """The map as SVG markup (role group, <title> and <desc>, one link per arrow)."""
    positions = layout(graph)
    flows = graph.number_of_edges()
    title = gettext("Data-flow map of the approved data exchanges")
    desc = gettext(
        "%(nodes)d organisations and %(flows)d approved data flows. Arrows point from the "
        "providing to the receiving organisation; colour, line pattern and letter show the "
        "personal-data level. The table below lists the same flows.",
        nodes=graph.number_of_nodes(),
        flows=flows,
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="group" aria-labelledby="map-title map-desc" class="flow-map"'
        + (' version="1.1"' if standalone else "")
        + ">",
        f'<title id="map-title">{escape(title)}</title>',
        f'<desc id="map-desc">{escape(desc)}</desc>',
        "<defs>",
    ]
    for level, style in LEGEND:
        parts.append(
            f'<marker id="arrow-{level.value}" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{style.colour}"/></marker>'
        )
    parts.append("</defs>")
    parts.append(f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>')

    # Parallel edges (either direction) between the same pair are spread apart.
    seen: dict[frozenset, int] = {}
    for u, v, data in sorted(
        graph.edges(data=True), key=lambda e: (e[0], e[1], e[2]["identifier"])
    ):
        pair = frozenset((u, v))
        index = seen.get(pair, 0)
        seen[pair] = index + 1
        sign = 1 if u < v else -1
        offset = sign * (25 + 30 * index)
        path, (mx, my) = _edge_path(positions[u], positions[v], offset)
        style = STYLES[data["level"]]
        label = gettext(
            "%(id)s: %(title)s – from %(provider)s to %(recipient)s (%(level)s)",
            id=data["identifier"],
            title=data["title"],
            provider=data["provider"],
            recipient=data["recipient"],
            level=data["level"].label,
        )
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        parts.append(
            f'<a href="{escape(_entry_url(data["entry_id"]))}" aria-label="{escape(label)}" '
            f'class="flow flow-{data["level"].value}">'
            f"<title>{escape(label)}</title>"
            f'<path d="{path}" fill="none" stroke="{style.colour}" '
            f'stroke-width="{style.width}"{dash} marker-end="url(#arrow-{data["level"].value})"/>'
            f'<circle cx="{mx:.1f}" cy="{my:.1f}" r="10" fill="#ffffff" stroke="{style.colour}"/>'
            f'<text x="{mx:.1f}" y="{my + 4:.1f}" text-anchor="middle" font-size="12" '
            f'font-family="sans-serif" font-weight="bold" fill="{style.colour}">'
            f"{style.letter}</text></a>"
        )

    for node, data in sorted(graph.nodes(data=True)):
        x, y = positions[node]
        parts.append(
            f'<g class="org"><title>{escape(data["name"])}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS}" fill="#e8eef6" stroke="#14365f" '
            f'stroke-width="2"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="13" '
            f'font-family="sans-serif" font-weight="bold" fill="#14365f">'
            f"{escape(data['label'])}</text></g>"
        )

    # Legend: sample line, letter and name per level.
    top = HEIGHT - 56
    legend_title = escape(gettext("Legend"))
    parts.append(f'<g class="legend"><title>{legend_title}</title>')
    for index, (level, style) in enumerate(LEGEND):
        x, y = 20 + (index % 3) * 310, top + (index // 3) * 24
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        parts.append(
            f'<line x1="{x}" y1="{y}" x2="{x + 40}" y2="{y}" stroke="{style.colour}" '
            f'stroke-width="{style.width}"{dash}/>'
            f'<text x="{x + 48}" y="{y + 4}" font-size="12" font-family="sans-serif" '
            f'fill="#1d1d1b">{style.letter} = {escape(level.label)}</text>'
        )
    parts.append("</g>")
    if not flows:
        empty = escape(gettext("No approved data flows yet."))
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="16" '
            f'font-family="sans-serif" fill="#1d1d1b">{empty}</text>'
        )
    parts.append("</svg>")
    return Markup("\n".join(parts))
