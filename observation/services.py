"""Writes to the observation app."""

from .default_checklists import DEFAULT_CHECKLISTS
from .models import Checklist, Question


def checklists_create_default(*, mission) -> list[Checklist]:
    """Give a mission its default checklist for every stage (version 1, current)."""
    checklists = Checklist.objects.bulk_create(
        [Checklist(mission=mission, stage=stage, version=1) for stage in DEFAULT_CHECKLISTS]
    )
    Question.objects.bulk_create(
        [
            Question(checklist=checklist, position=position, **spec)
            for checklist in checklists
            for position, spec in enumerate(DEFAULT_CHECKLISTS[checklist.stage], start=1)
        ]
    )
    return checklists
