from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        # Models load only once the registry is ready, hence the imports here.
        from common.health import register_check
        from missions.models import Mission, Sample
        from missions.signals import mission_created, sample_reporting
        from reports.aggregates.health import aggregation_state
        from reports.statistics.selectors import sample_reporting_answer
        from reports.statistics.services import candidates_copy

        register_check("aggregation", aggregation_state)
        # The audit log's sentences for this app's events register themselves on import.
        from . import audit_phrases  # noqa: F401

        # Whether a sample has counts (and so is locked in its place) is read from the visits.
        sample_reporting.connect(
            sample_reporting_answer, sender=Sample, weak=False, dispatch_uid="sample_reporting"
        )

        # A mission set up as a copy of an earlier one gets that one's candidates.
        def copy_candidates(sender, *, mission, actor, now, source=None, **kwargs):
            if source is not None:
                candidates_copy(mission=mission, source=source, actor=actor, now=now)

        mission_created.connect(
            copy_candidates, sender=Mission, weak=False, dispatch_uid="candidates"
        )
