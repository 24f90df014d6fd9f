"""The media bucket on an S3-compatible object store, through boto3.

boto3 is synchronous: the asyncio callers (API handlers, the media agent) run these calls in a
thread (``asyncio.to_thread``). Only variants are readable without credentials: the bucket
policy lets anyone ``GetObject`` under ``variants/``, which is what the CDN fetches; originals
stay private.
"""

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

from config import Settings
from domain.media import VARIANTS, StoredObject

IMMUTABLE = "public, max-age=31536000, immutable"
"""Content-addressed objects never change: caches may keep them for a year."""

_DELETE_BATCH = 1000  # DeleteObjects takes at most this many keys


@dataclass
class ObjectStore:
    settings: Settings

    @cached_property
    def client(self) -> BaseClient:
        s = self.settings
        return boto3.client(
            "s3",
            endpoint_url=s.objectstore_url,
            aws_access_key_id=s.objectstore_access_key,
            aws_secret_access_key=s.objectstore_secret,
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                connect_timeout=3,
                read_timeout=20,
                retries={"mode": "standard", "max_attempts": 3},
            ),
        )

    @property
    def bucket(self) -> str:
        return self.settings.media_bucket

    def ensure_bucket(self) -> bool:
        """Create the bucket and its public-variants policy; whether it was created."""
        created = False
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)
            created = True
        self.client.put_bucket_policy(Bucket=self.bucket, Policy=json.dumps(self._policy()))
        return created

    def _policy(self) -> dict:
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["s3:GetObject"],
                    "Resource": [f"arn:aws:s3:::{self.bucket}/{VARIANTS}*"],
                }
            ],
        }

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            CacheControl=IMMUTABLE,
        )

    def get(self, key: str) -> bytes | None:
        """The object's bytes; None when there is no such object."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise
        return True

    def objects(self) -> Iterator[StoredObject]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        for page in pages:
            for item in page.get("Contents", []):
                yield StoredObject(item["Key"], item["LastModified"])

    def delete(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), _DELETE_BATCH):
            batch = keys[start : start + _DELETE_BATCH]
            self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
            )
