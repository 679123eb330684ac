"""The catalogue import in a real browser, without JavaScript help: a German Excel file with
mistakes lists every problem in a table, the corrected file with a likely duplicate asks for a
ticked checkbox, and then imports; axe-core on each page."""

from __future__ import annotations

from govtool.demo import DEMO_PASSWORD

HEADER = "Titel;Datenbereitstellende Stelle;Häufigkeit;Berichtszeitraum von\r\n"


def test_import_lists_every_problem_then_confirms_a_likely_duplicate(
    page, demo, browser_login, axe_check, tmp_path
):
    browser_login("halle@example.org", DEMO_PASSWORD)
    page.goto("/catalogue/import")
    page.get_by_role("heading", name="Katalogeinträge importieren", level=1).wait_for()
    axe_check("import form")
    assert page.get_by_role("link", name="Importvorlage (XLSX, mit Hinweisen)").is_visible()

    wrong = tmp_path / "aus-excel.csv"
    wrong.write_bytes(
        (HEADER + "Übergänge;HAL;vierzehntägig;31.02.2025\r\nPendler;XYZ;Jährlich;\r\n").encode(
            "cp1252"
        )
    )
    page.get_by_label("CSV- oder XLSX-Datei").set_input_files(str(wrong))
    page.get_by_role("button", name="Importieren").click()
    table = page.get_by_role("table", name="Probleme nach Zeile und Spalte")
    table.wait_for()
    assert table.locator("tbody tr").count() == 3
    assert "vierzehntägig" in table.inner_text() and "XYZ" in table.inner_text()
    axe_check("import problems")

    right = tmp_path / "korrigiert.csv"
    right.write_bytes(
        (
            HEADER + "Ganztagsangebote an Grundschulen;HAL;Jährlich;01.08.2025\r\n"
            "Übergänge an weiterführende Schulen;HAL;Jährlich;01.08.2025\r\n"
        ).encode("cp1252")
    )
    page.get_by_label("CSV- oder XLSX-Datei").set_input_files(str(right))
    page.get_by_role("button", name="Importieren").click()
    page.get_by_role("heading", name="Import bestätigen", level=1).wait_for()
    assert "DX-2025-003" in page.get_by_role("table", name="Mögliche Dubletten").inner_text()
    axe_check("import confirmation")

    page.get_by_role("button", name="2 Einträge importieren").click()  # not ticked
    page.get_by_text("Bitte bestätigen Sie den Import der möglichen Dubletten.").first.wait_for()
    axe_check("import confirmation with error")
    page.get_by_label("Ich habe die möglichen Dubletten geprüft").check()
    page.get_by_role("button", name="2 Einträge importieren").click()
    page.get_by_text("2 Einträge als Entwürfe importiert.").wait_for()
