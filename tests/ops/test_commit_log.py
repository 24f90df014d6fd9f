"""Decoding ``__consumer_offsets``: where a group's commits live and what their records say."""

import struct

from ops.commit_log import CommitKey, decode_commit_time, decode_key, offsets_partition


def string(text: str) -> bytes:
    data = text.encode()
    return struct.pack(">h", len(data)) + data


def commit_key(version: int, group: str, topic: str, partition: int) -> bytes:
    return struct.pack(">h", version) + string(group) + string(topic) + struct.pack(">i", partition)


def test_partition_follows_javas_string_hash() -> None:
    assert offsets_partition("abc", 50) == 96354 % 50  # "abc".hashCode() == 96354
    # "polygenelubricants".hashCode() == Integer.MIN_VALUE, which Kafka's Utils.abs maps to 0
    assert offsets_partition("polygenelubricants", 50) == 0
    # observed on the local broker: this group's commits are in partition 12 of 50
    assert offsets_partition("g-engine-test-8a4d4cb0", 50) == 12


def test_offset_commit_key_is_decoded_and_group_metadata_is_not() -> None:
    assert decode_key(commit_key(1, "g", "shop.public.inventory", 2)) == CommitKey(
        "g", "shop.public.inventory", 2
    )
    assert decode_key(struct.pack(">h", 2) + string("g")) is None


def test_commit_time_of_each_value_version() -> None:
    at = 1_795_620_097_423
    v3 = struct.pack(">hqi", 3, 42, -1) + string("") + struct.pack(">q", at)
    v1 = struct.pack(">hq", 1, 42) + string("meta") + struct.pack(">qq", at, at + 86_400_000)
    assert decode_commit_time(v3, record_timestamp=0) == at
    assert decode_commit_time(v1, record_timestamp=0) == at
    assert decode_commit_time(struct.pack(">h", 4) + b"\x00" * 20, record_timestamp=at) == at
