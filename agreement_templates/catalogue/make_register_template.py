"""Build register.docx, the docxtpl template of the catalogue's printable register.

Run `.venv/bin/python agreement_templates/catalogue/make_register_template.py` after changing this
script; the generated .docx is committed next to it. The template loops over `entries` with docxtpl
paragraph tags ({%p ... %}) and a table row loop ({%tr ... %}) for the data items. The register
is printed in the user's language, so every fixed word comes from `labels` (gettext); a list that
can be empty has a sentence for that case instead of a heading over an empty table.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

OUT = Path(__file__).with_name("register.docx")


def build() -> Path:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)

    document.add_heading("{{ title }}", level=0)
    document.add_paragraph("{{ labels.generated }}: {{ generated|datetime }} · {{ count_text }}")
    document.add_paragraph("{%p if not entries %}")
    document.add_paragraph("{{ labels.no_entries }}")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{%p for entry in entries %}")
    document.add_heading("{{ entry.identifier }}: {{ entry.title }}", level=1)
    document.add_paragraph(
        "{{ labels.status }}: {{ entry.status }} · {{ labels.version }} {{ entry.version }}"
    )
    document.add_paragraph("{{ labels.provider }}: {{ entry.provider }}")
    document.add_paragraph("{{ labels.recipients }}: {{ entry.recipients }}")
    document.add_paragraph("{%p for field in entry.fields %}")
    document.add_paragraph("{{ field.label }}: {{ field.value }}", style="List Bullet")
    document.add_paragraph("{%p endfor %}")
    document.add_heading("{{ labels.data_items }}", level=2)
    document.add_paragraph("{%p if entry.data_items %}")
    table = document.add_table(rows=3, cols=4)
    table.style = "Table Grid"
    header = table.rows[0].cells
    for cell, text in zip(
        header,
        (
            "{{ labels.name }}",
            "{{ labels.unit }}",
            "{{ labels.personal }}",
            "{{ labels.description }}",
        ),
        strict=True,
    ):
        cell.text = text
    loop = table.rows[1].cells
    loop[0].text = "{%tr for item in entry.data_items %}"
    body = table.rows[2].cells
    for cell, text in zip(
        body,
        ("{{ item.name }}", "{{ item.unit }}", "{{ item.personal }}", "{{ item.description }}"),
        strict=True,
    ):
        cell.text = text
    end = table.add_row().cells
    end[0].text = "{%tr endfor %}"
    document.add_paragraph("{%p else %}")
    document.add_paragraph("{{ labels.no_data_items }}")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{%p endfor %}")
    document.save(OUT)
    return OUT


if __name__ == "__main__":
    print(build())
