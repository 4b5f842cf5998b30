from django.apps import AppConfig


class ObservationConfig(AppConfig):
    name = "observation"
    verbose_name = "Observation"

    def ready(self):
        # Celery's autodiscovery finds observation.tasks only; the SMS sub-package has its own.
        from .sms import tasks  # noqa: F401
