"""Read any picture of a digit as grey levels: files, uploads, PIL images and NumPy arrays.

``load_grey`` is the first step of ``digitrec.preprocess.to_mnist``: whatever the file format,
mode or bit depth, it returns the image as it looks on screen, in grey levels from 0 (black) to 1
(white). Every unusable input raises ``ImageError`` with a one-sentence message.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from digitrec.errors import ImageError

#: Largest image accepted, in pixels (width x height): 40 megapixels, more than any phone camera
#: gives. Bigger files are refused before they are decoded (a "decompression bomb" is a small file
#: that declares a huge image).
MAX_PIXELS = 40_000_000

#: What ``load_grey`` reads: a file path, a file's contents, a PIL image or a NumPy array.
ImageSource = Union[str, os.PathLike, bytes, Image.Image, np.ndarray]  # noqa: UP007 (Python 3.10 alias)


def load_grey(source: ImageSource, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Read an image as it looks on screen, in grey levels.

    Args:
        source: A file path (PNG, JPEG, BMP, GIF, TIFF, WebP ... anything Pillow reads), the
            bytes of such a file (an upload), a PIL image, or a NumPy array of shape (H, W),
            (H, W, 1), (H, W, 3) RGB or (H, W, 4) RGBA.
            Arrays of integers are read on their type's full range (uint8 0-255, uint16 0-65535);
            float arrays must lie in [0, 1] (or [0, 255], which is detected).
        max_pixels: Largest accepted width x height.

    Returns:
        (H, W) float32 array in [0, 1], 0 black and 1 white. Transparent pixels count as white
        paper (RGBA drawings are composited onto white); RGB becomes luma by ITU-R BT.601
        (0.299 R + 0.587 G + 0.114 B, Pillow's "L" conversion); JPEG EXIF rotation is applied.

    Raises:
        ImageError: The file is missing, a directory, empty, not an image, truncated or damaged,
            larger than ``max_pixels``, or the array has an unusable shape or values.

    """
    if isinstance(source, Image.Image):
        try:
            return _grey_from_pil(source, max_pixels)
        except OSError:
            raise ImageError("the image is damaged or truncated and cannot be decoded") from None
    if isinstance(source, np.ndarray):
        return _grey_from_array(source, max_pixels)
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise ImageError("the file is empty (0 bytes)")
        return _decode(io.BytesIO(bytes(source)), max_pixels)
    if isinstance(source, (str, os.PathLike)):
        return _decode(_image_file(source), max_pixels)
    raise ImageError(
        f"cannot read an image from a {type(source).__name__}; "
        "give a file path, file contents, a PIL image or a NumPy array"
    )


def _image_file(source: str | os.PathLike) -> Path:
    """Return ``source`` as a Path, after checking that it is a file that is not empty."""
    path = Path(source)
    if not path.exists():
        raise ImageError("no such file")
    if path.is_dir():
        raise ImageError("this is a folder, not an image file")
    if path.stat().st_size == 0:
        raise ImageError("the file is empty (0 bytes)")
    return path


def _decode(file: Path | io.BytesIO, max_pixels: int) -> np.ndarray:
    """Open an image file, check its size from the header, then decode it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                _check_size(image.width, image.height, max_pixels)
                image.load()
                return _grey_from_pil(image, max_pixels)
    except Image.DecompressionBombError:
        raise ImageError(f"the image is too large (over {max_pixels:,} pixels)") from None
    except UnidentifiedImageError:
        raise ImageError(
            "not an image file that Pillow can read (PNG, JPEG, BMP, GIF, TIFF, WebP ...)"
        ) from None
    except ImageError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageError("the image file is damaged or truncated and cannot be decoded") from None


def _check_size(width: int, height: int, max_pixels: int) -> None:
    """Refuse an image over ``max_pixels`` (width x height) or without pixels."""
    if width * height > max_pixels:
        raise ImageError(
            f"the image is too large: {width} x {height} pixels is over the limit of {max_pixels:,}"
        )
    if width == 0 or height == 0:
        raise ImageError("the image has no pixels")


def _grey_from_pil(image: Image.Image, max_pixels: int) -> np.ndarray:
    """Grey levels of a decoded PIL image of any mode; see ``load_grey``."""
    _check_size(image.width, image.height, max_pixels)
    image = ImageOps.exif_transpose(image)
    mode = image.mode
    if mode.startswith("I;16"):
        return np.asarray(image, dtype=np.float32) / 65535.0
    if mode == "I":
        values = np.asarray(image, dtype=np.float32)
        return np.clip(values / (65535.0 if values.max() > 255 else 255.0), 0.0, 1.0)
    if mode == "F":
        return _grey_from_array(np.asarray(image, dtype=np.float32), max_pixels)
    if "A" in mode or "transparency" in image.info:
        return _grey_from_array(np.asarray(image.convert("RGBA")), max_pixels)
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def _grey_from_array(array: np.ndarray, max_pixels: int) -> np.ndarray:
    """Grey levels of an image array of any shape and dtype that ``load_grey`` accepts."""
    if array.ndim == 3 and array.shape[2] in (1, 3, 4):
        channels = array.shape[2]
    elif array.ndim == 2:
        channels = 1
    else:
        raise ImageError(
            f"an image array must have shape (H, W), (H, W, 1), (H, W, 3) or "
            f"(H, W, 4), not {array.shape}"
        )
    _check_size(array.shape[1], array.shape[0], max_pixels)
    if array.dtype == bool:
        values = array.astype(np.float32)
    elif np.issubdtype(array.dtype, np.integer):
        values = array.astype(np.float32) / float(np.iinfo(array.dtype).max)
    elif np.issubdtype(array.dtype, np.floating):
        values = array.astype(np.float32)
        if not np.isfinite(values).all():
            raise ImageError("the image array contains NaN or infinite values")
        if values.min() < 0 or values.max() > 255:
            raise ImageError("float image values must lie in [0, 1] (or [0, 255])")
        if values.max() > 1:
            values = values / 255.0
    else:
        raise ImageError(f"cannot read an image array of dtype {array.dtype}")
    values = values.reshape(array.shape[0], array.shape[1], channels)
    if channels == 1:
        return values[..., 0]
    grey = values[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    if channels == 4:
        alpha = values[..., 3]
        grey = grey * alpha + (1.0 - alpha)  # composite onto white paper
    return np.clip(grey, 0.0, 1.0).astype(np.float32)
