"""Finding photos are checked by what they contain, never by their name or declared type."""

from django.core.exceptions import ValidationError
from PIL import Image

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAGIC = {
    b"\xff\xd8\xff": ("JPEG", "image/jpeg"),
    b"\x89PNG\r\n\x1a\n": ("PNG", "image/png"),
}


def photo_check(*, upload) -> str:
    """The content type (``image/jpeg`` or ``image/png``) of an uploaded photo.

    Raises ValidationError on ``image`` for a file over 10 MB, one that does not start like a
    JPEG or a PNG, or one Pillow cannot verify as that format.
    """
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                "image": [
                    f"The photo is {upload.size / 1024 / 1024:.1f} MB; send one of at most "
                    f"{MAX_PHOTO_BYTES // 1024 // 1024} MB."
                ]
            }
        )
    upload.seek(0)
    head = upload.read(8)
    detected = next((kind for magic, kind in MAGIC.items() if head.startswith(magic)), None)
    if detected is None:
        raise ValidationError(
            {"image": ["Send a JPEG or PNG photo; this file is neither (its content decides)."]}
        )
    pillow_format, content_type = detected
    upload.seek(0)
    try:
        with Image.open(upload, formats=[pillow_format]) as image:
            image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of error on a damaged file
        raise ValidationError(
            {"image": [f"This file starts like a {pillow_format} but is damaged; send it again."]}
        ) from None
    finally:
        upload.seek(0)
    return content_type
