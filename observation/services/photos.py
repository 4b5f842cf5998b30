"""Finding photos are checked by what they contain, never by their name or declared type."""

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from PIL import Image

from missions.audit import audit_record

from ..models import Finding, FindingPhoto

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


MAX_PHOTOS_PER_FINDING = 3


@transaction.atomic
def finding_photo_add(*, finding, actor, image, now: dt.datetime) -> tuple[FindingPhoto, bool]:
    """Attach a JPEG or PNG photo (checked by content, at most 10 MB) to a finding, 3 at most.

    Returns the photo and whether it is new: the same content sent again to the same finding
    (a phone that lost the first answer) gets the stored photo back, not a copy.
    """
    content_type = photo_check(upload=image)
    digest = hashlib.sha256()
    image.seek(0)
    for chunk in image.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    locked = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("visit__mission")
        .get(pk=finding.pk)
    )
    existing = FindingPhoto.objects.filter(finding=locked, sha256=sha256).first()
    if existing is not None:
        return existing, False
    count = FindingPhoto.objects.filter(finding=locked).count()
    if count >= MAX_PHOTOS_PER_FINDING:
        raise ValidationError(
            {"image": [f"This finding already has {count} photos, the most it can carry."]}
        )
    extension = "png" if content_type == "image/png" else "jpg"
    image.seek(0)
    photo = FindingPhoto(finding=locked, content_type=content_type, size=image.size, sha256=sha256)
    photo.image.save(f"photo.{extension}", File(image), save=False)
    photo.save(force_insert=True)
    audit_record(
        actor=actor,
        mission=locked.visit.mission,
        action="finding.photo_add",
        obj=photo,
        after={"finding": locked.pk, "content_type": content_type, "size": photo.size},
        at=now,
    )
    return photo, True
