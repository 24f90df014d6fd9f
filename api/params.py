"""Path parameters shared by several routers."""

from typing import Annotated

from fastapi import Path

ProductIdPath = Annotated[str, Path(alias="productId", min_length=1, max_length=64)]
