"""The search-quality yardstick (bench/search_quality.py), pure: predicate semantics, P@5 and
nDCG@10 on hand-made rankings, and the judged queries against the seed-42 test catalog."""

import math
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.catalog_documents import Product
from bench.search_quality import (
    PREDICATE_KEYS,
    Judgment,
    QueryScore,
    evaluate,
    is_relevant,
    load_judgments,
    report,
    score_query,
    summary,
)
from ops.demo.catalog import generate_catalog

LISTED = datetime(2025, 1, 1, tzinfo=UTC)
MUST_PASS = (
    "phone",
    "phones",
    "cell phone",
    "smartphone",
    "vacuum cleaner",
    "sneakers",
    "notebook computer",
)


def product(
    title: str, category: str = "Electronics", brand: str = "Sony", pid: str = "p_1"
) -> Product:
    return Product(
        product_id=pid,
        title=title,
        category=category,
        brand=brand,
        price=9.99,
        created_at=LISTED,
        updated_at=LISTED,
    )


TV = product("Sony Bravia X80K 55-inch 4K Smart TV, Black")


# --- Predicates --------------------------------------------------------------------------


def test_title_phrases_match_whole_words_only() -> None:
    assert is_relevant({"title_any": ["TV"]}, TV)
    assert is_relevant({"title_any": ["4K Smart TV"]}, TV)
    assert not is_relevant({"title_any": ["TV"]}, product("Wall Mount for TVs"))
    assert not is_relevant({"title_any": ["Pen"]}, product("G2 Premium Gel Pens"))
    assert not is_relevant({"title_any": ["Smart"]}, product("Galaxy Watch6 Smartwatch"))


def test_hyphens_and_punctuation_in_phrases_are_literal() -> None:
    shirt = product("Hanes ComfortSoft Crew T-Shirt 6-Pack, M", "Clothing", "Hanes")
    assert is_relevant({"title_any": ["T-Shirt"]}, shirt)
    assert not is_relevant({"title_any": ["T Shirt"]}, shirt)
    assert not is_relevant({"title_any": ["Shirt 6"]}, product("Crew T-Shirt 60-Pack"))


def test_matching_ignores_case() -> None:
    phone = product("Apple iPhone 15 Pro 256GB", "Phones", "Apple")
    assert is_relevant({"category": "phones", "brand": "APPLE", "title_all": ["IPHONE"]}, phone)


def test_a_list_of_names_means_any_of_them_and_a_string_is_one_name() -> None:
    assert is_relevant({"category": ["Phones", "Electronics"]}, TV)
    assert is_relevant({"brand": ["Samsung", "Sony"]}, TV)
    assert not is_relevant({"brand": ["Samsung", "LG"]}, TV)
    assert is_relevant({"title_any": "Smart TV"}, TV)
    assert not is_relevant({"title_any": "XYZ TV"}, product("X Y Z"))


def test_title_any_needs_one_phrase_and_title_all_needs_every_one() -> None:
    assert is_relevant({"title_any": ["OLED", "4K"]}, TV)
    assert is_relevant({"title_all": ["4K", "TV"]}, TV)
    assert not is_relevant({"title_all": ["4K", "OLED"]}, TV)


def test_every_key_of_a_predicate_must_hold() -> None:
    assert is_relevant({"category": "Electronics", "title_any": ["TV"]}, TV)
    assert not is_relevant({"category": "Phones", "title_any": ["TV"]}, TV)
    assert not is_relevant({"brand": "Samsung", "title_any": ["TV"]}, TV)


def test_any_of_needs_one_nested_predicate_to_hold() -> None:
    notebook = {
        "any_of": [
            {"category": "Laptops"},
            {"category": "Office Products", "title_any": ["Notebook"]},
        ]
    }
    assert is_relevant(notebook, product("Dell XPS 13 Laptop", "Laptops", "Dell"))
    moleskine = product("Moleskine Classic Hardcover Notebook", "Office Products", "Moleskine")
    assert is_relevant(notebook, moleskine)
    assert not is_relevant(notebook, product("Moleskine Notebook", "Books", "Moleskine"))
    assert not is_relevant({"any_of": []}, TV)


def test_an_unknown_key_is_an_error_not_ignored() -> None:
    with pytest.raises(ValueError, match="titel_any"):
        is_relevant({"titel_any": ["TV"]}, TV)


# --- Metrics -----------------------------------------------------------------------------

TENT = Judgment("tent", "a tent", {"title_any": ["Tent"]})


def tents_and_bags(tents: int, bags: int = 15) -> dict[str, Product]:
    """``tents`` relevant products (tent_0...) and ``bags`` irrelevant ones (bag_0...)."""
    products = [
        product(f"Coleman Tent {n}", "Sports", "Coleman", f"tent_{n}") for n in range(tents)
    ]
    products += [product(f"Nike Duffel Bag {n}", "Sports", "Nike", f"bag_{n}") for n in range(bags)]
    return {p.product_id: p for p in products}


def dcg(ranks: list[int]) -> float:
    """Binary DCG of relevant products at these 1-based ranks."""
    return sum(1 / math.log2(rank + 1) for rank in ranks)


def test_a_perfect_ranking_scores_one() -> None:
    catalog = tents_and_bags(12)
    score = score_query(TENT, [f"tent_{n}" for n in range(12)], catalog)
    assert score.precision_at_5 == 1.0
    assert score.ndcg_at_10 == pytest.approx(1.0)
    assert score.relevant_in_catalog == 12
    assert score.top == tuple(f"tent_{n}" for n in range(10))


def test_a_ranking_with_nothing_relevant_scores_zero() -> None:
    score = score_query(TENT, [f"bag_{n}" for n in range(10)], tents_and_bags(3))
    assert (score.precision_at_5, score.ndcg_at_10) == (0.0, 0.0)


def test_an_empty_ranking_scores_zero() -> None:
    score = score_query(TENT, [], tents_and_bags(3))
    assert (score.precision_at_5, score.ndcg_at_10, score.top) == (0.0, 0.0, ())


def test_a_partial_ranking_is_discounted_by_rank() -> None:
    ranked = ["tent_0", "bag_0", "tent_1", "bag_1", "bag_2", "bag_3", "tent_2"]
    score = score_query(TENT, ranked, tents_and_bags(6))
    assert score.precision_at_5 == pytest.approx(2 / 5)
    assert score.ndcg_at_10 == pytest.approx(dcg([1, 3, 7]) / dcg([1, 2, 3, 4, 5, 6]))


def test_with_fewer_than_five_relevant_all_of_them_in_the_top_five_is_perfect_precision() -> None:
    ranked = ["bag_0", "bag_1", "bag_2", "tent_0", "tent_1"]
    score = score_query(TENT, ranked, tents_and_bags(2))
    assert score.precision_at_5 == 1.0
    assert score.ndcg_at_10 == pytest.approx(dcg([4, 5]) / dcg([1, 2]))
    assert score.relevant_in_catalog == 2


def test_only_the_top_ten_are_judged() -> None:
    ranked = [f"bag_{n}" for n in range(10)] + ["tent_0"]
    score = score_query(TENT, ranked, tents_and_bags(1))
    assert score.ndcg_at_10 == 0.0
    assert len(score.top) == 10


def test_a_repeated_product_gains_once_and_unknown_ids_gain_nothing() -> None:
    ranked = ["tent_0", "tent_0", "tent_0", "prod_999999", "tent_1"]
    score = score_query(TENT, ranked, tents_and_bags(5))
    assert score.precision_at_5 == pytest.approx(2 / 5)
    assert score.ndcg_at_10 == pytest.approx(dcg([1, 5]) / dcg([1, 2, 3, 4, 5]))


def test_a_judgment_with_nothing_relevant_cannot_score() -> None:
    with pytest.raises(ValueError, match="tent"):
        score_query(TENT, ["bag_0"], tents_and_bags(0))


async def test_evaluate_searches_each_judged_term_and_leaves_out_the_unjudgeable() -> None:
    catalog = tents_and_bags(3, bags=3)
    bags = Judgment("bag", "a bag", {"title_any": ["Duffel Bag"]})
    kayak = Judgment("kayak", "none in this catalog", {"title_any": ["Kayak"]})
    asked = []

    async def search(term: str) -> list[str]:
        asked.append(term)
        return ["tent_0", "bag_0"]

    scores = await evaluate([TENT, kayak, bags], search, list(catalog.values()))
    assert asked == ["tent", "bag"]
    assert [score.term for score in scores] == ["tent", "bag"]
    assert scores[0].precision_at_5 == pytest.approx(1 / 3)


def test_summary_is_the_mean_of_each_metric() -> None:
    scores = [QueryScore("a", 1.0, 0.5, 3, ()), QueryScore("b", 0.2, 0.1, 9, ())]
    assert summary(scores) == pytest.approx((0.6, 0.3))


def test_report_lists_the_worst_query_first_then_the_means_and_the_unscored() -> None:
    catalog = tents_and_bags(2, bags=2)
    bags = Judgment("bag", "a bag", {"title_any": ["Duffel Bag"]})
    kayak = Judgment("kayak", "none in this catalog", {"title_any": ["Kayak"]})
    scores = [
        score_query(TENT, ["tent_0", "tent_1"], catalog),
        score_query(bags, ["tent_0", "bag_0", "prod_999999"], catalog),
    ]
    lines = report(scores, [TENT, bags, kayak], catalog, show_misses=True).splitlines()
    assert [line.split()[0] for line in lines[:2]] == ["term", "bag"]
    assert "tent_0" in lines[2] and "Coleman Tent 0" in lines[2]
    assert "prod_999999" in lines[3]
    assert lines[4].split()[0] == "tent"
    assert lines[5].startswith("mean of 2 queries")
    assert lines[6].endswith(": kayak")


# --- The judged queries ------------------------------------------------------------------


@pytest.fixture(scope="module")
def judgments() -> list[Judgment]:
    return load_judgments()


@pytest.fixture(scope="module")
def seed_42_catalog() -> list[Product]:
    """The 2,000-product, seed-42 catalog (a prefix of the 10,000-product demo one)."""
    return list(generate_catalog(2000, random_seed=42))


def predicates(predicate: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """``predicate`` and every predicate nested in its ``any_of``."""
    yield predicate
    for nested in predicate.get("any_of", ()):
        yield from predicates(nested)


def test_the_judgments_cover_at_least_65_distinct_queries(judgments: list[Judgment]) -> None:
    terms = [judgment.term.strip().casefold() for judgment in judgments]
    assert len(terms) >= 65
    assert len(set(terms)) == len(terms)
    assert set(MUST_PASS) <= set(terms)


def test_every_judgment_says_why_in_one_line(judgments: list[Judgment]) -> None:
    for judgment in judgments:
        assert judgment.why and "\n" not in judgment.why, judgment.term


def test_judgments_use_only_known_non_empty_predicates(judgments: list[Judgment]) -> None:
    for judgment in judgments:
        for predicate in predicates(judgment.relevant):
            assert predicate, judgment.term
            assert set(predicate) <= PREDICATE_KEYS, judgment.term


def test_every_query_has_a_relevant_product_and_says_when_it_has_fewer_than_5(
    judgments: list[Judgment], seed_42_catalog: list[Product]
) -> None:
    for judgment in judgments:
        relevant = sum(is_relevant(judgment.relevant, p) for p in seed_42_catalog)
        assert relevant >= 1, judgment.term
        assert relevant < len(seed_42_catalog), f"{judgment.term}: everything is relevant"
        assert ("fewer than 5" in judgment.why) == (relevant < 5), judgment.term
