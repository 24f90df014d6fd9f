"""Product images as pure rules: what an upload must be, the variants, the gallery a product
publishes, and what the lifecycle job may delete. No I/O."""

import io
import struct
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from domain.errors import NotFound
from domain.media import (
    LARGE,
    MAX_PICTURES,
    THUMBNAIL,
    VARIANTS_MADE,
    ImageStatus,
    InvalidImage,
    Picture,
    StoredObject,
    TooManyPictures,
    UploadTooLarge,
    accept_upload,
    add_picture,
    finish_picture,
    garbage,
    image_id_of,
    make_variants,
    public_urls,
    published,
    remove_picture,
)
from ops.demo.placeholders import placeholder_image

NOW = datetime(2026, 12, 1, tzinfo=UTC)
LIMIT = 10_000_000
BASE = "https://cdn.test/media"


def picture_bytes(size: tuple[int, int], fmt: str = "PNG", mode: str = "RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red").save(out, fmt, **save)
    return out.getvalue()


# uploads


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted_and_named_by_their_content(fmt: str) -> None:
    data = picture_bytes((30, 20), fmt)
    upload = accept_upload(data, LIMIT)
    assert (upload.width, upload.height) == (30, 20)
    assert upload.content_type == Image.MIME[fmt]
    assert upload.key == f"originals/{upload.image_id}"
    assert accept_upload(data, LIMIT) == upload, "same bytes, same id"
    assert accept_upload(picture_bytes((31, 20), fmt), LIMIT).image_id != upload.image_id


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"%PDF-1.7", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"GIF89a" + b"\x00" * 20],
    ids=["empty", "text", "pdf", "png-header-only", "gif-header"],
)
def test_what_is_not_an_image_we_read_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidImage):
        accept_upload(data, LIMIT)


def test_other_formats_are_refused_naming_the_accepted_ones() -> None:
    with pytest.raises(InvalidImage) as refused:
        accept_upload(picture_bytes((4, 4), "GIF", mode="P"), LIMIT)
    assert refused.value.details["accepted"] == ["JPEG", "PNG", "WEBP"]


def test_a_truncated_image_is_refused() -> None:
    data = picture_bytes((400, 400), "PNG")
    with pytest.raises(InvalidImage):
        accept_upload(data[: len(data) // 2], LIMIT)


def declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (its IHDR rewritten)."""
    data = bytearray(picture_bytes((1, 1), "PNG"))
    ihdr = 12  # signature (8) + chunk length (4)
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(data[ihdr : ihdr + 17])))
    return bytes(data)


@pytest.mark.parametrize("size", [(50_000, 50_000), (7_000, 7_000)], ids=["bomb", "over-limit"])
def test_a_decompression_bomb_is_refused_from_its_header(size: tuple[int, int]) -> None:
    """A small file declaring more pixels than we decode is refused, never decoded."""
    with pytest.raises(InvalidImage, match="pixels"):
        accept_upload(declaring(*size), LIMIT)


def test_an_upload_over_the_limit_is_refused_before_reading_it() -> None:
    with pytest.raises(UploadTooLarge) as refused:
        accept_upload(b"x" * 101, 100)
    assert refused.value.details == {"limit_bytes": 100}


# variants


@pytest.mark.parametrize("size", [(3000, 1000), (1000, 3000), (150, 100), (1200, 1200)])
def test_variants_fit_their_box_keep_the_aspect_and_never_enlarge(size: tuple[int, int]) -> None:
    made = make_variants(picture_bytes(size, "JPEG"))
    assert set(made) == set(VARIANTS_MADE)
    for variant, data in made.items():
        image = Image.open(io.BytesIO(data))
        assert image.format == "WEBP"
        width, height = image.size
        assert max(width, height) == min(variant.edge, max(size))
        assert abs(width / height - size[0] / size[1]) < 0.02


def test_variants_stand_upright_as_the_exif_orientation_says() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees clockwise
    data = picture_bytes((400, 200), "JPEG", exif=exif)
    large = Image.open(io.BytesIO(make_variants(data)[LARGE]))
    assert large.size == (200, 400)


def test_transparency_survives_in_the_variants() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (255, 0, 0, 0)).save(out, "PNG")
    made = make_variants(out.getvalue())
    assert Image.open(io.BytesIO(made[THUMBNAIL])).mode == "RGBA"


def test_variant_urls_are_content_addressed_and_name_their_size() -> None:
    image_id = "a" * 64
    urls = public_urls(BASE + "/", image_id)
    assert urls["thumbnail"] == f"{BASE}/{image_id}/thumbnail-200.webp"
    assert set(urls) == {v.name for v in VARIANTS_MADE}
    assert THUMBNAIL.key(image_id) == f"variants/{image_id}/thumbnail-200.webp"


def test_placeholders_are_drawn_the_same_each_time_and_differ_by_view() -> None:
    first = placeholder_image("Electronics", 1)
    assert first == placeholder_image("Electronics", 1)
    assert first != placeholder_image("Electronics", 2)
    assert accept_upload(first, LIMIT).width == 800


# the gallery


def picture(n: int, status: ImageStatus = ImageStatus.READY, placeholder: bool = False) -> Picture:
    image_id = f"{n:064x}"
    variants = public_urls(BASE, image_id) if status is ImageStatus.READY else {}
    return Picture(image_id, status, 10, 10, "image/png", NOW, variants, placeholder)


def test_the_same_picture_is_added_once_and_a_product_holds_at_most_twenty() -> None:
    one = add_picture([], picture(1, ImageStatus.PROCESSING))
    assert add_picture(one, picture(1, ImageStatus.PROCESSING)) == one
    full = [picture(n) for n in range(MAX_PICTURES)]
    with pytest.raises(TooManyPictures):
        add_picture(full, picture(99))


def test_a_finished_picture_becomes_ready_and_retires_the_placeholders() -> None:
    placeholder = picture(1, placeholder=True)
    pending = picture(2, ImageStatus.PROCESSING)
    urls = public_urls(BASE, pending.image_id)
    after = finish_picture([placeholder, pending], pending.image_id, urls)
    assert [(p.image_id, p.status) for p in after] == [(pending.image_id, ImageStatus.READY)]
    assert after[0].variants == urls


def test_a_picture_that_cannot_be_made_fails_and_keeps_the_placeholders() -> None:
    placeholder, pending = picture(1, placeholder=True), picture(2, ImageStatus.PROCESSING)
    after = finish_picture([placeholder, pending], pending.image_id, None)
    assert [p.status for p in after] == [ImageStatus.READY, ImageStatus.FAILED]


def test_finishing_a_picture_taken_off_meanwhile_changes_nothing() -> None:
    kept = [picture(1)]
    assert finish_picture(kept, picture(2).image_id, public_urls(BASE, "b" * 64)) == kept


def test_removing_an_unknown_picture_is_not_found() -> None:
    with pytest.raises(NotFound):
        remove_picture([picture(1)], "prod", picture(2).image_id)


def test_the_sellers_urls_stay_first_and_ready_pictures_follow() -> None:
    seller = ["https://elsewhere.test/a.jpg"]
    ready, pending = picture(1), picture(2, ImageStatus.PROCESSING)
    images, thumbnail = published(seller, "https://elsewhere.test/t.jpg", [], [ready, pending])
    assert images == [*seller, ready.variants["large"]]
    assert thumbnail == "https://elsewhere.test/t.jpg", "the seller's own thumbnail stays"


def test_the_thumbnail_follows_the_first_ready_picture_and_goes_with_it() -> None:
    first, second = picture(1), picture(2)
    images, thumbnail = published([], None, [], [first, second])
    assert thumbnail == first.variants["thumbnail"]
    images, thumbnail = published(images, thumbnail, [first, second], [second])
    assert (images, thumbnail) == ([second.variants["large"]], second.variants["thumbnail"])
    assert published(images, thumbnail, [second], []) == ([], None)


# the lifecycle job


def stored(key: str, age: timedelta) -> StoredObject:
    return StoredObject(key, NOW - age)


def test_only_unreferenced_objects_older_than_the_grace_are_garbage() -> None:
    used, unused = "1" * 64, "2" * 64
    objects = [
        stored(f"originals/{used}", timedelta(days=3)),
        stored(f"variants/{used}/large-1200.webp", timedelta(days=3)),
        stored(f"originals/{unused}", timedelta(days=3)),
        stored(f"variants/{unused}/thumbnail-200.webp", timedelta(days=3)),
        stored(f"originals/{'3' * 64}", timedelta(minutes=5)),  # an upload in flight
        stored("somebody-elses/file.txt", timedelta(days=3)),
    ]
    assert garbage(objects, {used}, NOW, timedelta(hours=1)) == [
        f"originals/{unused}",
        f"variants/{unused}/thumbnail-200.webp",
    ]


@given(st.text(max_size=80))
def test_keys_that_are_not_ours_never_name_an_image(key: str) -> None:
    image_id = image_id_of(key)
    assert image_id is None or (len(image_id) == 64 and image_id in key)
