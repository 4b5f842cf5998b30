"""Writes of the reports app that are not aggregation: the official turnout figures."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from missions.audit import audit_record
from missions.models import Area
from reports.models import NATIONAL_CODE, OfficialTurnout


def _snapshot(official: OfficialTurnout) -> dict:
    return {
        "area": official.area.code if official.area_id else NATIONAL_CODE,
        "at": official.at.isoformat(),
        "percent": str(official.percent),
    }


@transaction.atomic
def official_turnout_create(
    *, mission, actor, area_code: str | None, at, percent: Decimal, now
) -> OfficialTurnout:
    """Record a turnout figure the election commission announced (national or for an area).

    ``at`` must fall on the election day in the mission's timezone, like every visit.
    """
    day = at.astimezone(mission.tzinfo).date() if at is not None else None
    if day != mission.election_date:
        raise ValidationError(
            {
                "at": [
                    _("Give a time on the election day, %(day)s, in %(tz)s.")
                    % {"day": mission.election_date.isoformat(), "tz": mission.timezone}
                ]
            }
        )
    area = None
    if area_code not in (None, "", NATIONAL_CODE):
        area = Area.objects.filter(mission=mission, code=area_code).first()
        if area is None:
            raise ValidationError({"area_code": ["No area of this mission has that code."]})
    duplicate = OfficialTurnout.objects.filter(mission=mission, area=area, at=at)
    if duplicate.exists():
        raise ValidationError(
            {"at": ["A figure for this area and time is already there; delete it first."]}
        )
    official = OfficialTurnout(
        mission=mission, area=area, at=at, percent=percent, created_by=actor, created_at=now
    )
    official.full_clean()
    official.save()
    audit_record(
        actor=actor,
        mission=mission,
        action="official_turnout.create",
        obj=official,
        after=_snapshot(official),
        at=now,
    )
    return official


@transaction.atomic
def official_turnout_delete(*, official: OfficialTurnout, actor, now) -> None:
    before = _snapshot(official)
    audit_record(
        actor=actor,
        mission=official.mission,
        action="official_turnout.delete",
        obj=official,
        before=before,
        at=now,
    )
    official.delete()
