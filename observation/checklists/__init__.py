"""Checklists: the default ones, the editor (services, forms, views) and the answer schema."""

from .services import (
    ChecklistInvalid,
    checklist_questions,
    checklist_revise,
    checklists_create_default,
    checklists_overview,
    question_spec,
)

__all__ = [
    "ChecklistInvalid",
    "checklist_questions",
    "checklist_revise",
    "checklists_create_default",
    "checklists_overview",
    "question_spec",
]
