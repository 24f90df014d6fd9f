"""Catalog models: wire names, validation and the search-document mapping."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from adapters.catalog_documents import Product
from adapters.search_index import INDEX_MAPPINGS, product_to_search_doc
from api.models.catalog import ProductCreate, ProductDetails, ProductUpdate, SetStock
from ops.demo.catalog import generate_catalog

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def iphone() -> Product:
    return next(generate_catalog(1))


def test_product_round_trips_through_its_stored_form() -> None:
    product = iphone()
    stored = product.model_dump()
    assert stored["productId"] == "prod_000001"
    assert isinstance(stored["images"][0], str), "images are stored as plain URL strings"
    assert isinstance(stored["createdAt"], datetime), "dates are stored as BSON dates"
    assert Product.model_validate(stored) == product


def test_search_doc_matches_the_strict_mapping() -> None:
    doc = product_to_search_doc(iphone())
    assert set(doc) <= set(INDEX_MAPPINGS["properties"])
    assert doc["availableQty"] == 5
    assert doc["thumbnail"].startswith("https://")


def test_search_doc_prefers_the_live_stock_figure() -> None:
    doc = product_to_search_doc(iphone(), available_qty=0)
    assert (doc["availableQty"], doc["inStock"]) == (0, False)


def test_search_doc_carries_the_terms_and_completions() -> None:
    doc = product_to_search_doc(iphone())
    assert doc["titleTerms"].startswith("appl iphon 15 pro")
    assert doc["categoryTerms"] == "phone"
    assert doc["suggest"]["input"] == [
        "Apple iPhone 15 Pro 256GB",
        "iPhone 15 Pro 256GB",
        "Apple",
        "Phones",
    ]


def test_completions_leave_out_control_characters() -> None:
    """Elasticsearch's completion field refuses U+001F and U+001E: one such title must not
    stop search sync."""
    odd = iphone().model_copy(update={"title": "Lamp\x1f Deluxe\x1e, Red", "brand": "\x1f"})
    assert product_to_search_doc(odd)["suggest"]["input"] == ["Lamp Deluxe", "Phones"]


def test_details_expose_live_stock_not_the_derived_quantity() -> None:
    details = ProductDetails.of(iphone(), available_qty=3).model_dump(mode="json")
    assert details["availableQty"] == 3
    assert "quantity" not in details and "createdAt" not in details
    assert {"category", "brand", "rating", "reviewCount", "specifications"} <= set(details)


def test_a_listed_product_starts_without_reviews_or_stock() -> None:
    listing = ProductCreate.model_validate(
        {
            "productId": "prod_x1",
            "title": "Desk Lamp",
            "category": "Home",
            "brand": "Acme",
            "price": 19.999,
            "images": ["https://cdn.shopstream.example/lamp.jpg"],
        }
    )
    product = Product.listed(listing, now=NOW)
    assert (product.quantity, product.reviews, product.rating) == (0, [], 0.0)
    assert product.price == 20.0, "prices are kept to cents"
    assert product.created_at == product.updated_at == NOW


@pytest.mark.parametrize(
    "bad",
    [
        {"productId": "bad id!", "title": "x", "category": "c", "brand": "b", "price": 1},
        {"productId": "p1", "title": "", "category": "c", "brand": "b", "price": 1},
        {"productId": "p1", "title": "x", "category": "c", "brand": "b", "price": 0},
        {
            "productId": "p1",
            "title": "x",
            "category": "c",
            "brand": "b",
            "price": 1,
            "images": ["not a url"],
        },
        {"productId": "p1", "title": "x", "category": "c", "brand": "b", "price": 1, "quantity": 5},
    ],
)
def test_invalid_listings_are_refused(bad: dict) -> None:
    with pytest.raises(ValidationError):
        ProductCreate.model_validate(bad)


def test_update_sends_only_the_fields_given() -> None:
    update = ProductUpdate.model_validate({"price": 12.5, "specifications": {"color": "Red"}})
    assert update.changes() == {"price": 12.5, "specifications": {"color": "Red"}}


def test_empty_update_is_refused() -> None:
    with pytest.raises(ValidationError):
        ProductUpdate.model_validate({})


def test_negative_stock_is_refused() -> None:
    with pytest.raises(ValidationError):
        SetStock.model_validate({"availableQty": -1})
