"""Generated placeholder pictures for the demo catalog: one per category and view.

Drawn, not downloaded: a colour of the category's own, its name and the view number, so a
storefront shows the catalog with real images served through the CDN. The same category and
view always draw the same bytes, hence the same content address: a second seed stores
nothing new.
"""

import hashlib
import io
import secrets

from PIL import Image, ImageDraw, ImageFont

SIZE = 800


def placeholder_image(category: str, view: int) -> bytes:
    """A PNG of ``SIZE`` x ``SIZE`` pixels."""
    digest = hashlib.sha256(category.encode()).digest()
    background = tuple(80 + b % 140 for b in digest[:3])
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    margin = SIZE // 10
    draw.rounded_rectangle(
        (margin, margin, SIZE - margin, SIZE - margin), radius=40, outline="white", width=8
    )
    title = ImageFont.load_default(size=64)
    small = ImageFont.load_default(size=40)
    draw.text((SIZE / 2, SIZE / 2), category, fill="white", font=title, anchor="mm")
    draw.text((SIZE / 2, SIZE * 0.68), f"view {view}", fill="white", font=small, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def sample_photo() -> bytes:
    """A JPEG to try the image upload with (the README's walk-through): a colour of its own
    each time, so it is a new picture, never one the catalog already holds."""
    background = tuple(secrets.randbelow(160) + 40 for _ in range(3))
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    draw.text(
        (SIZE / 2, SIZE / 2),
        "your photo",
        fill="white",
        font=ImageFont.load_default(size=72),
        anchor="mm",
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
