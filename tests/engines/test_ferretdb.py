"""The MongoDB-wire server (FerretDB locally) is real and reachable through pymongo."""

import uuid

import pymongo


def test_insert_find_update(settings, require_engine):
    require_engine("ferretdb")
    client: pymongo.MongoClient = pymongo.MongoClient(settings.mongo_url)
    collection = client["engine_tests"][f"c_{uuid.uuid4().hex[:8]}"]
    try:
        collection.insert_one({"productId": "prod_1", "title": "Widget", "quantity": 3})
        collection.update_one({"productId": "prod_1"}, {"$inc": {"quantity": -1}})
        found = collection.find_one({"productId": "prod_1"}, {"_id": 0})
        assert found == {"productId": "prod_1", "title": "Widget", "quantity": 2}
    finally:
        collection.drop()
        client.close()
