from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from common.health import register_check
        from reports.aggregates.health import aggregation_state

        register_check("aggregation", aggregation_state)
