"""The standard text of the four shipped templates (German, as the documents are): what a new
Kooperationsvereinbarung, Zielvereinbarung, Datenaustausch-Vereinbarung or Geschäftsordnung
starts from. Template administrators change it on the templates page."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..extensions import db
from .models import AgreementTemplate
from .standard_text import has_text, set_text

PRINCIPLES = (
    "Kooperation, Transparenz und Beteiligung, Datenfluss und Berichterstattung sowie "
    "Gremienmitwirkung"
)

SHIPPED_TEXTS: dict[str, dict[str, Any]] = {
    "kooperationsvereinbarung": {
        "preamble": (
            "Das Land Sachsen-Anhalt, vertreten durch das Ministerium für Bildung, und die "
            "Modellkommunen wollen das kommunale Bildungsmanagement gemeinsam weiterentwickeln. "
            "Bildung gelingt dort, wo Land und Kommunen ihre Zuständigkeiten aufeinander "
            "abstimmen, Daten zu Bildungsverläufen gemeinsam nutzen und Entscheidungen auf eine "
            "gemeinsame Grundlage stellen. Die Vertragsparteien arbeiten deshalb nach den "
            f"Grundsätzen {PRINCIPLES} zusammen und schließen die folgende Vereinbarung."
        ),
        "subject": (
            "Gegenstand dieser Vereinbarung ist die Zusammenarbeit der Vertragsparteien im "
            "Modellvorhaben „Kooperation im kommunalen Bildungsmanagement“: der Aufbau eines "
            "datenbasierten kommunalen Bildungsmanagements in den Modellkommunen, seine "
            "Abstimmung mit den Steuerungsaufgaben des Landes und die gemeinsame "
            "Berichterstattung."
        ),
        "objectives": (
            "(1) Kooperation: Land und Modellkommunen stimmen Vorhaben im Bildungsbereich "
            "frühzeitig miteinander ab und nutzen vorhandene Strukturen gemeinsam.\n"
            "(2) Transparenz und Beteiligung: Die Vertragsparteien informieren einander über "
            "Planungen und Ergebnisse und beteiligen die Bildungsakteure vor Ort.\n"
            "(3) Datenfluss und Berichterstattung: Die Vertragsparteien stellen einander die für "
            "das Bildungsmonitoring vereinbarten Daten bereit; die Ergebnisse fließen in den "
            "Bildungsbericht des Landes an den Landtag ein.\n"
            "(4) Gremienmitwirkung: Die Vertragsparteien wirken im Begleitgremium mit und setzen "
            "dessen Empfehlungen in ihrem Zuständigkeitsbereich um."
        ),
        "extra_clauses": (
            "Die Vertragsparteien werten die Zusammenarbeit einmal jährlich im Begleitgremium "
            "aus. Ergibt sich Anpassungsbedarf, wird diese Vereinbarung fortgeschrieben."
        ),
        "duties": {
            "land": [
                "koordiniert das Modellvorhaben und richtet eine Geschäftsstelle ein",
                "legt schrittweise Art, Umfang und Zweck der Datenbereitstellung fest",
                "beruft das Begleitgremium ein und führt dessen Geschäfte",
                "fasst die Ergebnisse des Monitorings für den Bildungsbericht zusammen",
            ],
            "municipality": [
                "benennt eine feste Ansprechperson für das kommunale Bildungsmanagement",
                "stellt die vereinbarten Daten für das Bildungsmonitoring fristgerecht bereit",
                "wirkt im Begleitgremium mit und berichtet halbjährlich über den Stand",
                "beteiligt die Bildungsakteure vor Ort an Planungen und Ergebnissen",
            ],
            "agency": [
                "begleitet die Modellkommunen beim Aufbau des Bildungsmanagements",
                "wirkt beratend im Begleitgremium mit",
            ],
        },
    },
    "zielvereinbarung": {
        "preamble": (
            "Die Kommune baut mit Unterstützung des Landes ein datenbasiertes kommunales "
            "Bildungsmanagement auf; die Begleitagentur unterstützt sie dabei als "
            "Prozessbegleitung. Mit dieser Zielvereinbarung legen Kommune und Begleitagentur "
            "fest, welche Ziele sie in der Laufzeit gemeinsam erreichen wollen und welche "
            "Leistungen und Mitwirkungen dafür erbracht werden."
        ),
        "subject": (
            "Gegenstand ist die Prozessbegleitung der Kommune durch die Begleitagentur beim "
            "Aufbau und bei der Verstetigung des kommunalen Bildungsmanagements und "
            "Bildungsmonitorings."
        ),
        "objectives": (
            "(1) Ein kommunales Bildungsmonitoring mit abgestimmten Kennzahlen ist aufgebaut und "
            "wird jährlich fortgeschrieben.\n"
            "(2) Die Bildungsakteure der Kommune tauschen sich regelmäßig aus und werden an "
            "Planungen beteiligt.\n"
            "(3) Die Ergebnisse werden im Begleitgremium vorgestellt und fließen in die "
            "kommunale Bildungsplanung ein."
        ),
        "extra_clauses": (
            "Kommune und Begleitagentur überprüfen die Zielerreichung einmal jährlich in einem "
            "gemeinsamen Gespräch; das Ergebnis wird schriftlich festgehalten."
        ),
        "duties": {
            "municipality": [
                "benennt eine feste Ansprechperson für die Prozessbegleitung",
                "stellt die für die Begleitung erforderlichen Informationen und Daten bereit",
                "beteiligt die Begleitagentur an den Sitzungen der kommunalen Steuerungsgruppe",
            ],
            "agency": [
                "begleitet den Aufbau des datenbasierten kommunalen Bildungsmanagements",
                "moderiert mindestens zwei Workshops pro Jahr",
                "dokumentiert den Fortschritt der Prozessbegleitung und berichtet im "
                "Begleitgremium",
            ],
        },
    },
    "datenaustausch": {
        "preamble": (
            "Das kommunale Bildungsmonitoring braucht verlässliche Daten von Land und Kommunen. "
            "Die Vertragsparteien tauschen Daten nur aus, soweit es für die vereinbarten Zwecke "
            "erforderlich ist, und wahren dabei das Datenschutz- und das Statistikrecht. Das Land "
            "legt schrittweise fest, in welcher Art, in welchem Umfang und zu welchen Zwecken "
            "eine Datenbereitstellung erfolgt."
        ),
        "subject": (
            "Diese Vereinbarung regelt den Austausch von Daten zwischen den Vertragsparteien für "
            "das kommunale Bildungsmonitoring und die Bildungsberichterstattung des Landes. Die "
            "einzelnen Datenbereitstellungen sind im Datenaustauschkatalog beschrieben."
        ),
        "objectives": (
            "Zweck des Datenaustauschs ist die Planung und Steuerung des Bildungsangebots, die "
            "Bildungsberichterstattung an den Landtag und die Auswertung der Zusammenarbeit im "
            "Modellvorhaben. Eine Nutzung zu anderen Zwecken ist ausgeschlossen."
        ),
        "extra_clauses": (
            "Jede neue Datenbereitstellung wird vor ihrer ersten Übermittlung im "
            "Datenaustauschkatalog beschrieben und geprüft. Die Vertragsparteien überprüfen "
            "mindestens jährlich, ob die übermittelten Daten weiterhin erforderlich sind."
        ),
        "duties": {
            "land": [
                "stellt die Schulstatistik aggregiert je Schule und Schuljahr bereit",
                "prüft jede neue Datenbereitstellung vorab im Datenaustauschkatalog",
            ],
            "municipality": [
                "liefert die vereinbarten Daten jährlich zum 31. März",
                "nutzt die Daten nur für das kommunale Bildungsmonitoring",
                "benennt eine Ansprechperson für Fragen des Datenschutzes",
            ],
        },
    },
    "geschaeftsordnung-begleitgremium": {
        "preamble": (
            "Das Begleitgremium steuert das Modellvorhaben „Kooperation im kommunalen "
            "Bildungsmanagement“. Es gibt sich die folgende Geschäftsordnung."
        ),
        "subject": (
            "Das Begleitgremium berät und steuert die Zusammenarbeit von Land und Modellkommunen, "
            "nimmt die Berichte der Modellkommunen entgegen und leitet die Erstellung des "
            "Abschlussberichts."
        ),
        "objectives": "",
        "extra_clauses": "",
        "duties": {
            "land": ["führt die Geschäftsstelle und lädt zu den Sitzungen ein"],
            "member": [
                "entsendet ein Mitglied und eine Stellvertretung",
                "bereitet die Sitzungen mit eigenen Beiträgen vor",
            ],
            "agency": ["berät das Gremium"],
        },
    },
}


def fill_shipped_texts() -> int:
    """Give the shipped templates their standard text where a template version has none yet
    (an administrator's own text is kept); returns how many were filled."""
    filled = 0
    templates = db.session.scalars(
        sa.select(AgreementTemplate).where(AgreementTemplate.code.in_(list(SHIPPED_TEXTS)))
    )
    for template in templates:
        if not has_text(template):
            set_text(template, SHIPPED_TEXTS[template.code])
            filled += 1
    db.session.flush()
    return filled
