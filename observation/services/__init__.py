"""Writes to the observation app: checklists, visit submission, review, photos, device tokens.

Every mutation runs in one transaction with its revision and audit rows, and every change to
visits or findings calls ``reports.pipeline.visits_changed`` in that transaction so the
aggregates follow after commit. Callers compute
``now`` at the edge (view, task) and pass it in. Permission checks belong to the caller
(``missions.access``), except that the review services refuse anyone but a coordinator of
the visit's mission as a last line of defence.
"""

from .photos import finding_photo_add
from .review import finding_review, review_apply, visit_delete, visit_review
from .visit_clean import VisitConflict, VisitInvalid
from .visits import visit_snapshot, visit_submit

__all__ = [
    "VisitConflict",
    "VisitInvalid",
    "finding_photo_add",
    "finding_review",
    "review_apply",
    "visit_delete",
    "visit_review",
    "visit_snapshot",
    "visit_submit",
]
