"""German grammar of the generated documents' fixed words: counts, declined meeting kinds, the
notice period and the quorum sentence."""

from __future__ import annotations

import pytest

from govtool.agreements.rendering import notice_period
from govtool.bodies.documents import KIND_PHRASES, quorum_sentence
from govtool.bodies.models import MeetingKind
from govtool.core import german


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0 Einträge"), (1, "1 Eintrag"), (2, "2 Einträge"), (1234, "1.234 Einträge")],
)
def test_count_takes_the_noun_form_the_number_needs(value, expected):
    assert german.count(value, "Eintrag", "Einträge") == expected


def test_count_words_spells_out_one():
    assert german.count_words(1, "Monat", "Monaten", one="einem") == "einem Monat"
    assert german.count_words(3, "Monat", "Monaten", one="einem") == "3 Monaten"


def test_a_feminine_phrase_declines_after_the_article():
    phrase = german.feminine("konstituierend", "Sitzung")
    assert phrase.definite(german.Case.NOMINATIVE) == "die konstituierende Sitzung"
    assert phrase.definite(german.Case.GENITIVE) == "der konstituierenden Sitzung"
    assert phrase.definite(german.Case.DATIVE) == "der konstituierenden Sitzung"
    assert phrase.definite(german.Case.ACCUSATIVE) == "die konstituierende Sitzung"


def test_prepositions_take_their_case_and_contract():
    phrase = german.feminine("ordentlich", "Sitzung")
    assert phrase.after("zu") == "zur ordentlichen Sitzung"
    assert phrase.after("in") == "in der ordentlichen Sitzung"
    assert phrase.after("für") == "für die ordentliche Sitzung"
    masculine = german.Phrase("m", "Beschluss", "Beschlusses", "Beschluss", "Beschluss")
    assert masculine.after("zu") == "zum Beschluss"
    assert masculine.after("von") == "vom Beschluss"
    assert masculine.definite(german.Case.GENITIVE) == "des Beschlusses"


def test_every_meeting_kind_reads_right_in_the_invitation_sentence():
    assert {kind: KIND_PHRASES[kind].after("zu") for kind in MeetingKind} == {
        MeetingKind.CONSTITUENT: "zur konstituierenden Sitzung",
        MeetingKind.REGULAR: "zur ordentlichen Sitzung",
        MeetingKind.EXTRAORDINARY: "zur außerordentlichen Sitzung",
    }


def test_notice_period_agrees_with_its_number():
    assert notice_period(1) == "mit einer Frist von einem Monat zum Monatsende"
    assert notice_period(3) == "mit einer Frist von 3 Monaten zum Monatsende"
    assert notice_period(0) == "jederzeit zum Monatsende"


def test_quorum_sentence_agrees_with_its_numbers():
    assert quorum_sentence(1, 1, "Mehrheit").startswith(
        "Anwesend oder vertreten ist 1 von 1 stimmberechtigten Mitglied "
    )
    assert quorum_sentence(5, 6, "Mehrheit") == (
        "Anwesend oder vertreten sind 5 von 6 stimmberechtigten Mitgliedern (Regel: Mehrheit)."
    )
