"""Search quality: the judged shopper queries of search_judgments.toml scored against a search.

P@5 asks whether the first screen is right: relevant products among the top 5, out of
min(5, relevant in the catalog), so a query with only 2 relevant products can still score 1.
nDCG@10 rewards putting them first: binary gains, log2 rank discount, ideal = every relevant
product at the top. A product repeated in a ranking gains once. The catalog is regenerated in
memory with the seed ``shopctl seed`` used, so judgments apply to exactly what is indexed.

    python -m bench.search_quality --base-url http://127.0.0.1:8000
    python -m bench.search_quality --count 2000 --show-misses
"""

import argparse
import asyncio
import math
import re
import statistics
import tomllib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from adapters.catalog_documents import Product
from ops.demo.catalog import generate_catalog

JUDGMENTS = Path(__file__).with_name("search_judgments.toml")
PREDICATE_KEYS = frozenset({"category", "brand", "title_any", "title_all", "any_of"})
PRECISION_DEPTH = 5
NDCG_DEPTH = 10

Search = Callable[[str], Awaitable[list[str]]]
"""A search engine as the yardstick sees it: a term in, ranked product ids out."""


@dataclass(frozen=True)
class Judgment:
    """A query a shopper types and the predicate saying which products answer it."""

    term: str
    why: str
    relevant: Mapping[str, Any]


@dataclass(frozen=True)
class QueryScore:
    """How well one ranking answered one judged query."""

    term: str
    precision_at_5: float
    ndcg_at_10: float
    relevant_in_catalog: int
    top: tuple[str, ...]


def load_judgments(path: Path = JUDGMENTS) -> list[Judgment]:
    """The ``[[query]]`` tables of ``path``, in file order."""
    with path.open("rb") as file:
        queries = tomllib.load(file)["query"]
    return [Judgment(q["term"], q.get("why", ""), q["relevant"]) for q in queries]


def is_relevant(predicate: Mapping[str, Any], product: Product) -> bool:
    """Every key of ``predicate`` holds for ``product`` (case ignored).

    An unknown key is an error rather than ignored, so a typo in the judgments cannot
    silently widen a relevant set.
    """
    return all(_holds(key, value, product) for key, value in predicate.items())


def _holds(key: str, value: Any, product: Product) -> bool:
    match key:
        case "category":
            return _named(product.category, value)
        case "brand":
            return _named(product.brand, value)
        case "title_any":
            return any(_phrase(phrase).search(product.title) for phrase in _listed(value))
        case "title_all":
            return all(_phrase(phrase).search(product.title) for phrase in _listed(value))
        case "any_of":
            return any(is_relevant(nested, product) for nested in value)
    raise ValueError(f"unknown predicate key {key!r}; known: {sorted(PREDICATE_KEYS)}")


def _listed(value: str | Sequence[str]) -> tuple[str, ...]:
    """One name or phrase, or a list of them (a bare string is not a list of characters)."""
    return (value,) if isinstance(value, str) else tuple(value)


def _named(name: str, value: str | Sequence[str]) -> bool:
    return name.casefold() in {wanted.casefold() for wanted in _listed(value)}


@cache
def _phrase(phrase: str) -> re.Pattern[str]:
    """Whole words only: "TV" is in "4K Smart TV, Black" but not in "TVs" or "TVstand"."""
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE)


def score_query(
    judgment: Judgment, ranked_ids: Sequence[str], catalog: Mapping[str, Product]
) -> QueryScore:
    """P@5 and nDCG@10 of one ranking; ids outside ``catalog`` are not relevant.

    A judgment with nothing relevant in the catalog cannot score a ranking: ValueError.
    """
    relevant_count = sum(is_relevant(judgment.relevant, p) for p in catalog.values())
    if not relevant_count:
        raise ValueError(f"nothing in the catalog is relevant to {judgment.term!r}")
    top = tuple(ranked_ids[:NDCG_DEPTH])
    gains = _gains(judgment, top, catalog)
    ideal = sum(_discount(rank) for rank in range(min(NDCG_DEPTH, relevant_count)))
    return QueryScore(
        term=judgment.term,
        precision_at_5=sum(gains[:PRECISION_DEPTH]) / min(PRECISION_DEPTH, relevant_count),
        ndcg_at_10=sum(gain * _discount(rank) for rank, gain in enumerate(gains)) / ideal,
        relevant_in_catalog=relevant_count,
        top=top,
    )


def _gains(judgment: Judgment, top: Sequence[str], catalog: Mapping[str, Product]) -> list[int]:
    """1 for a relevant product at its first rank; 0 for the rest, repeats included."""
    seen: set[str] = set()
    gains = []
    for pid in top:
        product = catalog.get(pid)
        first = pid not in seen
        seen.add(pid)
        gains.append(int(first and product is not None and is_relevant(judgment.relevant, product)))
    return gains


def _discount(rank: int) -> float:
    """The weight of 0-based ``rank``: 1 at the top, 1/log2(rank + 2) below."""
    return 1 / math.log2(rank + 2)


async def evaluate(
    judgments: Sequence[Judgment], search: Search, catalog: Sequence[Product]
) -> list[QueryScore]:
    """Score each judgment's term, one search at a time (quality, not load).

    Judgments with nothing relevant in ``catalog`` (a small one) are left out, not scored 0.
    """
    by_id = {product.product_id: product for product in catalog}
    return [
        score_query(judgment, await search(judgment.term), by_id)
        for judgment in judgments
        if any(is_relevant(judgment.relevant, product) for product in catalog)
    ]


def summary(scores: Sequence[QueryScore]) -> tuple[float, float]:
    """Mean P@5 and mean nDCG@10: every query weighs the same."""
    return (
        statistics.fmean(score.precision_at_5 for score in scores),
        statistics.fmean(score.ndcg_at_10 for score in scores),
    )


def http_search(client: httpx.AsyncClient) -> Search:
    """The storefront's search endpoint, first page of ``NDCG_DEPTH`` products."""

    async def search(term: str) -> list[str]:
        response = await client.get(
            "/v1/products/search", params={"term": term, "size": NDCG_DEPTH}
        )
        response.raise_for_status()
        return [hit["productId"] for hit in response.json()["products"]]

    return search


def report(
    scores: Sequence[QueryScore],
    judgments: Sequence[Judgment],
    catalog: Mapping[str, Product],
    show_misses: bool,
) -> str:
    """The score table worst first, then the means; misses list irrelevant hits by title."""
    predicates = {judgment.term: judgment.relevant for judgment in judgments}
    width = max(len(score.term) for score in scores) + 2
    lines = [f"{'term':<{width}}{'P@5':>6}{'nDCG@10':>9}{'relevant':>10}"]
    for score in sorted(scores, key=lambda s: (s.ndcg_at_10, s.precision_at_5, s.term)):
        lines.append(
            f"{score.term:<{width}}{score.precision_at_5:6.2f}{score.ndcg_at_10:9.2f}"
            f"{score.relevant_in_catalog:10d}"
        )
        if show_misses:
            for rank, pid in enumerate(score.top, start=1):
                product = catalog.get(pid)
                if product is None or not is_relevant(predicates[score.term], product):
                    title = product.title if product else "(not in the generated catalog)"
                    lines.append(f"    miss #{rank:<2} {pid}  {title}")
    precision, ndcg = summary(scores)
    lines.append(f"{f'mean of {len(scores)} queries':<{width}}{precision:6.2f}{ndcg:9.2f}")
    scored = {score.term for score in scores}
    if unscored := [judgment.term for judgment in judgments if judgment.term not in scored]:
        lines.append(f"not scored, nothing relevant in this catalog: {', '.join(unscored)}")
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> None:
    catalog = list(generate_catalog(args.count, args.random_seed, args.id_prefix))
    judgments = load_judgments()
    async with httpx.AsyncClient(base_url=args.base_url, timeout=10) as client:
        scores = await evaluate(judgments, http_search(client), catalog)
    by_id = {product.product_id: product for product in catalog}
    print(report(scores, judgments, by_id, args.show_misses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="a running storefront")
    parser.add_argument("--count", type=int, default=10_000, help="seeded product count")
    parser.add_argument("--random-seed", type=int, default=42, help="seed used by shopctl seed")
    parser.add_argument("--id-prefix", default="prod_", help="product id prefix of the seed")
    parser.add_argument(
        "--show-misses", action="store_true", help="list the irrelevant products each query ranked"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
