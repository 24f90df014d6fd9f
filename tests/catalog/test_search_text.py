"""Search analysis (pure): product text and queries meet on the same terms."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.search_text import Synonyms, analyze_phrase, index_terms, plan_query


def literal_words(query: str) -> list[tuple[str, ...]]:
    (reading, *_) = plan_query(query).readings
    return [concept.literal for concept in reading]


def alternatives(query: str) -> set[tuple[str, ...]]:
    (reading, *_) = plan_query(query).readings
    return {phrase for concept in reading for phrase in concept.alternatives}


def test_plural_and_singular_meet() -> None:
    assert index_terms("Phones").split() == ["phone"]
    assert literal_words("phones") == literal_words("phone") == [("phone",)]


def test_case_accents_and_apostrophes_fold() -> None:
    assert index_terms("L'Oréal Paris").split()[0] == "loreal"
    assert literal_words("l'oreal") == literal_words("LOREAL") == [("loreal",)]


def test_stop_words_drop_unless_nothing_else_is_left() -> None:
    assert literal_words("shoes for the gym") == [("shoe",), ("gym",)]
    assert literal_words("the") == [("the",)]


def test_hyphenated_words_index_their_parts_and_the_whole() -> None:
    terms = index_terms("ComfortSoft Crew T-Shirt 6-Pack").split()
    assert terms[:6] == ["comfortsoft", "crew", "t", "shirt", "6", "pack"], "parts keep order"
    assert {"tshirt", "6pack"} <= set(terms)
    assert ("t", "shirt") in alternatives("t-shirt") and ("tshirt",) in alternatives("t-shirt")


def test_letter_digit_runs_index_apart() -> None:
    assert {"watch6", "watch", "6"} <= set(index_terms("Galaxy Watch6").split())


def test_neighbouring_words_join_in_product_text_and_in_queries() -> None:
    assert "airfryer" in index_terms("Ninja Air Fryer", join_pairs=True).split()
    assert "airfryer" not in index_terms("Ninja Air Fryer").split()
    plan = plan_query("air fryer")
    assert [[c.literal for c in reading] for reading in plan.readings] == [
        [("air",), ("fryer",)],
        [("airfryer",)],
    ]


@pytest.mark.parametrize(
    ("query", "reaches"),
    [
        ("phone", ("smartphon",)),
        ("smartphone", ("phone",)),
        ("cell phone", ("phone",)),
        ("sneakers", ("run", "shoe")),
        ("vacuum cleaner", ("vacuum",)),
        ("notebook computer", ("laptop",)),
        ("television", ("tv",)),
    ],
)
def test_synonyms_reach_the_catalogs_words(query: str, reaches: tuple[str, ...]) -> None:
    assert reaches in alternatives(query)


def test_the_longest_synonym_phrase_wins_and_the_typed_words_come_first() -> None:
    (reading, *_) = plan_query("cell phone").readings
    (concept,) = reading
    assert concept.literal == ("cell", "phone")


def test_one_way_synonyms_do_not_reverse() -> None:
    synonyms = Synonyms(["notebook => laptop"])
    assert synonyms.of(("notebook",)) == [("laptop",)]
    assert synonyms.of(("laptop",)) == []


def test_synonym_file_syntax() -> None:
    synonyms = Synonyms(["# a comment", "", "tv, television  # trailing", "a, b => c"])
    assert synonyms.of(("televis",)) == [("tv",)]
    assert synonyms.of(("b",)) == [("c",)]
    assert analyze_phrase("Running Shoes") == ("run", "shoe")


@given(st.text(max_size=80))
def test_any_text_analyzes_without_error(text: str) -> None:
    assert "  " not in index_terms(text, join_pairs=True)
    plan = plan_query(text)
    assert plan.readings, "there is always a reading (maybe empty)"
    for reading in plan.readings:
        for concept in reading:
            assert concept.alternatives and all(concept.alternatives)
