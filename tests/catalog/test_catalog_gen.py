"""The demo catalog generator: deterministic, varied and realistic enough to demo."""

from collections import Counter

from ops.demo.catalog import CDN, generate_catalog
from ops.demo.catalog_data import CATEGORIES, HEROES


def test_same_random_seed_gives_the_same_catalog() -> None:
    assert list(generate_catalog(200, random_seed=7)) == list(generate_catalog(200, random_seed=7))


def test_different_random_seeds_give_different_catalogs() -> None:
    first, second = (
        list(generate_catalog(200, random_seed=1)),
        list(generate_catalog(200, random_seed=2)),
    )
    assert [p.title for p in first] != [p.title for p in second]


def test_a_prefix_of_the_catalog_is_the_smaller_catalog() -> None:
    """A 300-product test catalog is exactly the start of the 10k demo one."""
    assert (
        list(generate_catalog(50, random_seed=42))
        == list(generate_catalog(300, random_seed=42))[:50]
    )


def test_ids_are_unique_prefixed_and_numbered() -> None:
    ids = [p.product_id for p in generate_catalog(1_000, id_prefix="t_abc_")]
    assert len(set(ids)) == 1_000
    assert ids[0] == "t_abc_000001" and ids[-1] == "t_abc_001000"


def test_heroes_come_first_so_small_catalogs_can_demo_fuzzy_search() -> None:
    titles = [p.title for p in generate_catalog(len(HEROES))]
    assert titles == [hero.title for hero in HEROES]
    assert "Apple iPhone 15 Pro 256GB" in titles


def test_catalog_spans_every_category_with_several_brands() -> None:
    products = list(generate_catalog(3_000))
    brands_by_category: dict[str, set[str]] = {}
    for product in products:
        brands_by_category.setdefault(product.category, set()).add(product.brand)
    assert len(brands_by_category) == len(CATEGORIES) >= 12
    assert all(len(brands) >= 3 for brands in brands_by_category.values())


def test_products_carry_specs_images_reviews_and_ratings() -> None:
    for product in generate_catalog(500):
        assert product.specifications["model"]
        assert product.images and all(str(url).startswith(CDN) for url in product.images)
        assert str(product.thumbnail).startswith(CDN)
        assert 0 <= len(product.reviews) <= 5
        assert product.review_count >= len(product.reviews)
        assert 1 <= product.rating <= 5
        assert product.price > 0
        assert product.created_at <= product.updated_at


def test_stock_mixes_healthy_sold_out_and_flash_sale_lots() -> None:
    stock = Counter(
        "sold out" if p.quantity == 0 else "flash" if p.quantity <= 5 else "healthy"
        for p in generate_catalog(5_000)
    )
    assert stock["healthy"] > 4_000
    assert 200 < stock["sold out"] < 800
    assert 30 < stock["flash"] < 250
