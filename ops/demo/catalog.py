"""Deterministic, realistic demo catalog: same random seed, same products, no network.

Every draw comes from one seeded ``random.Random`` in a fixed order, and timestamps are
relative to a fixed epoch, so ``generate_catalog(n, random_seed)`` is a pure function.
The hand-written ``HEROES`` (e.g. "Apple iPhone 15 Pro 256GB") come first, so even a
small test catalog contains them.
"""

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from adapters.catalog_documents import Product, Review, SpecValue
from ops.demo.catalog_data import (
    CATEGORIES,
    HEROES,
    REVIEW_TEXTS,
    REVIEWERS,
    CategoryPlan,
    HeroProduct,
    SpecChoices,
)

CDN = "https://cdn.shopstream.example"
CATALOG_EPOCH = datetime(2025, 6, 1, tzinfo=UTC)
"""The generated catalog's "now": creation, update and review dates lie before it."""

OUT_OF_STOCK_SHARE = 0.08
FLASH_SALE_SHARE = 0.02
MAX_REVIEWS = 5

_PLANS = {plan.name: plan for plan in CATEGORIES}


def product_id(prefix: str, number: int) -> str:
    return f"{prefix}{number:06d}"


def generate_catalog(
    count: int, random_seed: int = 42, id_prefix: str = "prod_"
) -> Iterator[Product]:
    """Yield ``count`` products with ids ``{id_prefix}000001``...; heroes first."""
    rng = random.Random(random_seed)
    for number in range(1, count + 1):
        pid = product_id(id_prefix, number)
        if number <= len(HEROES):
            yield _hero(rng, pid, HEROES[number - 1])
        else:
            yield _composed(rng, pid, rng.choice(CATEGORIES))


def _hero(rng: random.Random, pid: str, hero: HeroProduct) -> Product:
    plan = _PLANS[hero.category]
    return _product(
        rng,
        pid,
        plan,
        brand=hero.brand,
        title=hero.title,
        price=hero.price,
        stock=hero.stock,
        specs={"model": hero.title.removeprefix(f"{hero.brand} "), **hero.specs},
    )


def _composed(rng: random.Random, pid: str, plan: CategoryPlan) -> Product:
    brand = rng.choice(sorted(plan.lines))
    line, list_price = rng.choice(plan.lines[brand])
    chosen = _pick(rng, plan.variants)
    title = f"{brand} {line}" if plan.brand_in_title else line
    title += "".join(f", {value}" for value in chosen.values())
    specs = {"model": line, **chosen, **_pick(rng, plan.specs | plan.brand_specs.get(brand, {}))}
    return _product(
        rng,
        pid,
        plan,
        brand=brand,
        title=title,
        price=_price(rng, list_price),
        stock=_initial_stock(rng),
        specs=specs,
    )


def _product(
    rng: random.Random,
    pid: str,
    plan: CategoryPlan,
    *,
    brand: str,
    title: str,
    price: float,
    stock: int,
    specs: dict[str, SpecValue],
) -> Product:
    created = CATALOG_EPOCH - timedelta(days=rng.uniform(30, 900))
    updated = created + timedelta(days=rng.uniform(0, 29))
    rating = round(min(5.0, max(1.0, rng.gauss(4.2, 0.5))), 1)
    reviews = _reviews(rng, rating, since=created)
    images = [f"{CDN}/products/{pid}/{n}.jpg" for n in range(1, rng.randint(2, 5) + 1)]
    return Product(
        product_id=pid,
        title=title,
        description=_description(rng, plan, title),
        category=plan.name,
        brand=brand,
        price=price,
        images=images,
        thumbnail=f"{CDN}/products/{pid}/thumb.jpg",
        specifications=specs,
        rating=rating,
        review_count=len(reviews) + int(rng.lognormvariate(3, 1.5)),
        reviews=reviews,
        quantity=stock,
        created_at=created,
        updated_at=updated,
    )


def _pick(rng: random.Random, choices: SpecChoices) -> dict[str, SpecValue]:
    return {name: rng.choice(values) for name, values in choices.items()}


def _price(rng: random.Random, list_price: float) -> float:
    """Sellers and variants scatter around the list price; shelf prices end in .99."""
    return round(math.floor(list_price * rng.uniform(0.75, 1.3)) + 0.99, 2)


def _initial_stock(rng: random.Random) -> int:
    """Mostly healthy stock; some sold out; a few tiny flash-sale lots."""
    draw = rng.random()
    if draw < OUT_OF_STOCK_SHARE:
        return 0
    if draw < OUT_OF_STOCK_SHARE + FLASH_SALE_SHARE:
        return rng.randint(1, 5)
    return rng.randint(10, 500)


def _description(rng: random.Random, plan: CategoryPlan, title: str) -> str:
    points = rng.sample(plan.highlights, k=3)
    return f"{title}. " + ". ".join(points) + "."


def _reviews(rng: random.Random, rating: float, since: datetime) -> list[Review]:
    reviews = []
    for _ in range(rng.randint(0, MAX_REVIEWS)):
        stars = min(5, max(1, round(rng.gauss(rating, 0.8))))
        age = (CATALOG_EPOCH - since).total_seconds()
        reviews.append(
            Review(
                author=rng.choice(REVIEWERS),
                rating=stars,
                text=rng.choice(REVIEW_TEXTS[stars]),
                date=since + timedelta(seconds=rng.uniform(0, age)),
            )
        )
    return sorted(reviews, key=lambda review: review.date, reverse=True)
