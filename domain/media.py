"""Product images as pure code: what an upload must be, the variants made of it, their names.

Objects are content-addressed: an original is stored under the SHA-256 of its bytes, and each
variant under that hash plus the variant's name and size. The same bytes always get the same
address and an address never changes content, so the CDN and browsers may keep an image
forever (``immutable``), and uploading the same picture twice stores it once. Changing a
variant's size changes its name, hence its address, instead of rewriting old URLs.
"""

import hashlib
import io
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from PIL import Image, ImageOps, UnidentifiedImageError

from domain.errors import NotFound, Refusal

MAX_PIXELS = 40_000_000
"""Bigger pictures are refused before they are decoded (a small file can decode to gigabytes)."""

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
"""Pillow's format name -> the original's file extension."""

ORIGINALS = "originals/"
VARIANTS = "variants/"
"""Key prefixes in the media bucket; only variants are public (the CDN serves them)."""

VARIANT_TYPE = "image/webp"
_VARIANT_QUALITY = 82
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ImageStatus(StrEnum):
    PROCESSING = "processing"  # original stored, variants not made yet
    READY = "ready"
    FAILED = "failed"  # the original could not be decoded after all


@dataclass(frozen=True)
class Variant:
    """A copy fitted within ``edge`` x ``edge`` pixels, aspect kept, never enlarged."""

    name: str
    edge: int

    def key(self, image_id: str) -> str:
        return f"{VARIANTS}{image_id}/{self.name}-{self.edge}.webp"


LARGE = Variant("large", 1200)
MEDIUM = Variant("medium", 600)
THUMBNAIL = Variant("thumbnail", 200)
VARIANTS_MADE = (LARGE, MEDIUM, THUMBNAIL)


class InvalidImage(Refusal):
    """The upload is not a picture we take (not an image, another format, too many pixels)."""

    code = "invalid_image"


class UploadTooLarge(Refusal):
    code = "upload_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"an image may be at most {limit} bytes", limit_bytes=limit)


@dataclass(frozen=True)
class Upload:
    """An accepted original: its id (content hash), format, size and where it is stored."""

    image_id: str
    extension: str
    content_type: str
    width: int
    height: int

    @property
    def key(self) -> str:
        return original_key(self.image_id)


def original_key(image_id: str) -> str:
    return f"{ORIGINALS}{image_id}"


def accept_upload(data: bytes, max_bytes: int) -> Upload:
    """Check an upload from its header and a structural read, without decoding the pixels."""
    if len(data) > max_bytes:
        raise UploadTooLarge(max_bytes)
    with _opened(data) as image:
        if image.format not in ACCEPTED_FORMATS:
            raise InvalidImage(
                f"{image.format or 'this'} images are not accepted; send JPEG, PNG or WebP",
                accepted=sorted(ACCEPTED_FORMATS),
            )
        width, height = image.size
        content_type = Image.MIME[image.format]
        try:
            image.verify()
        except Exception as exc:  # Pillow raises many kinds for a damaged file
            raise InvalidImage("the image is damaged") from exc
    return Upload(
        image_id=hashlib.sha256(data).hexdigest(),
        extension=ACCEPTED_FORMATS[image.format],
        content_type=content_type,
        width=width,
        height=height,
    )


def make_variants(data: bytes) -> dict[Variant, bytes]:
    """Every variant of an original as WebP, turned upright as its EXIF says."""
    with _opened(data) as opened:
        try:
            upright = ImageOps.exif_transpose(opened)
            upright.load()
        except Exception as exc:
            raise InvalidImage("the image could not be decoded") from exc
    if upright.mode not in ("RGB", "RGBA"):
        upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
    made = {}
    for variant in VARIANTS_MADE:
        copy = upright.copy()
        copy.thumbnail((variant.edge, variant.edge), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        copy.save(out, "WEBP", quality=_VARIANT_QUALITY, method=4)
        made[variant] = out.getvalue()
    return made


class _opened:
    """``Image.open`` that refuses what is not an image, or too big to decode, as a Refusal."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __enter__(self) -> Image.Image:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                self.image = Image.open(io.BytesIO(self.data))
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise InvalidImage(f"images may have at most {MAX_PIXELS} pixels") from exc
            except (UnidentifiedImageError, OSError) as exc:
                raise InvalidImage("the upload is not an image we can read") from exc
        width, height = self.image.size
        if width * height > MAX_PIXELS:
            self.image.close()
            raise InvalidImage(f"images may have at most {MAX_PIXELS} pixels")
        return self.image

    def __exit__(self, *exc: object) -> None:
        self.image.close()


@dataclass(frozen=True)
class StoredObject:
    key: str
    last_modified: datetime


def image_id_of(key: str) -> str | None:
    """The content hash an object of the media bucket belongs to (None: not ours)."""
    for prefix in (ORIGINALS, VARIANTS):
        if key.startswith(prefix):
            candidate = key[len(prefix) :][:64]
            return candidate if _SHA256.fullmatch(candidate) else None
    return None


def garbage(
    objects: Iterable[StoredObject], referenced: set[str], now: datetime, grace: timedelta
) -> list[str]:
    """Keys no product refers to any more, older than ``grace``.

    The grace period keeps an upload whose object is stored but whose product document is
    not written yet (or a product being re-listed) from being collected under it.
    """
    return [
        obj.key
        for obj in objects
        if (image_id := image_id_of(obj.key)) is not None
        and image_id not in referenced
        and now - obj.last_modified >= grace
    ]


def public_urls(base_url: str, image_id: str) -> Mapping[str, str]:
    """The CDN URL of each variant: ``<base>/<id>/<name>-<edge>.webp``."""
    base = base_url.rstrip("/")
    return {v.name: f"{base}/{v.key(image_id).removeprefix(VARIANTS)}" for v in VARIANTS_MADE}


MAX_PICTURES = 20
"""As many as the product's ``images`` may list."""


@dataclass(frozen=True)
class Picture:
    """One uploaded image of a product as its document records it.

    ``variants`` maps a variant's name to its CDN URL once made. A placeholder (the demo
    catalog's generated picture) gives way to the first real picture made ready.
    """

    image_id: str
    status: ImageStatus
    width: int
    height: int
    content_type: str
    uploaded_at: datetime
    variants: Mapping[str, str]
    placeholder: bool = False

    @classmethod
    def uploaded(cls, upload: Upload, now: datetime) -> "Picture":
        return cls(
            upload.image_id,
            ImageStatus.PROCESSING,
            upload.width,
            upload.height,
            upload.content_type,
            now,
            {},
        )


class TooManyPictures(Refusal):
    code = "too_many_images"

    def __init__(self) -> None:
        super().__init__(f"a product may have at most {MAX_PICTURES} images", limit=MAX_PICTURES)


class PictureNotFound(NotFound):
    def __init__(self, product_id: str, image_id: str) -> None:
        super().__init__(
            f"product {product_id!r} has no image {image_id!r}",
            product_id=product_id,
            image_id=image_id,
        )


def add_picture(pictures: Sequence[Picture], picture: Picture) -> list[Picture]:
    """The same bytes uploaded again change nothing (same id)."""
    if any(p.image_id == picture.image_id for p in pictures):
        return list(pictures)
    if len(pictures) >= MAX_PICTURES:
        raise TooManyPictures()
    return [*pictures, picture]


def finish_picture(
    pictures: Sequence[Picture], image_id: str, variants: Mapping[str, str] | None
) -> list[Picture]:
    """Mark a picture ready with its variants' URLs (None: it failed); a real picture made
    ready retires the placeholders."""
    finished = []
    for p in pictures:
        if p.image_id != image_id:
            finished.append(p)
        elif variants is None:
            finished.append(replace(p, status=ImageStatus.FAILED))
        else:
            finished.append(replace(p, status=ImageStatus.READY, variants=dict(variants)))
    made_real = variants is not None and any(
        p.image_id == image_id and not p.placeholder for p in pictures
    )
    return [p for p in finished if not (made_real and p.placeholder)]


def remove_picture(pictures: Sequence[Picture], product_id: str, image_id: str) -> list[Picture]:
    if not any(p.image_id == image_id for p in pictures):
        raise PictureNotFound(product_id, image_id)
    return [p for p in pictures if p.image_id != image_id]


def published(
    images: Sequence[str],
    thumbnail: str | None,
    before: Sequence[Picture],
    after: Sequence[Picture],
) -> tuple[list[str], str | None]:
    """The product's ``images`` and ``thumbnail`` once its pictures went from ``before`` to
    ``after``: URLs a seller gave stay first, then each ready picture's large variant; the
    thumbnail follows the first ready picture unless the seller gave one of their own."""
    ours = {url for p in before for url in p.variants.values()}
    ready = [p for p in after if p.status is ImageStatus.READY]
    gallery = [url for url in images if url not in ours]
    gallery += [p.variants[LARGE.name] for p in ready]
    if thumbnail is None or thumbnail in ours:
        thumbnail = ready[0].variants[THUMBNAIL.name] if ready else None
    return gallery[:MAX_PICTURES], thumbnail
