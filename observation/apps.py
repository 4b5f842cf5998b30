from django.apps import AppConfig


class ObservationConfig(AppConfig):
    name = "observation"
    verbose_name = "Observation"

    def ready(self):
        # Models load only once the registry is ready, hence the imports here.
        from missions.models import Mission
        from missions.signals import mission_created

        from .checklists.services import mission_checklists_copy, mission_checklists_create

        def give_checklists(sender, *, mission, actor, now, source=None, **kwargs):
            if source is None:
                mission_checklists_create(mission=mission, actor=actor, now=now)
            else:
                mission_checklists_copy(mission=mission, source=source, actor=actor, now=now)

        mission_created.connect(
            give_checklists, sender=Mission, weak=False, dispatch_uid="checklists"
        )

        # Celery's autodiscovery finds observation.tasks only; the SMS sub-package has its own.
        # The audit log's sentences for this app's events register themselves on import.
        from . import audit_phrases  # noqa: F401
        from .sms import tasks  # noqa: F401
