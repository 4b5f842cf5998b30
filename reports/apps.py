from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from common.health import register_check
        from reports.aggregates.health import aggregation_state

        register_check("aggregation", aggregation_state)

        # Whether a sample has counts (and so is locked in its place) is read from the visits.
        from missions.models import Sample
        from missions.signals import sample_reporting
        from reports.statistics.selectors import sample_reporting_answer

        sample_reporting.connect(
            sample_reporting_answer, sender=Sample, weak=False, dispatch_uid="sample_reporting"
        )
