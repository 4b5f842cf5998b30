from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "missions"
    verbose_name = "Missions"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .languages import session_language_login

        # A session starts with its account's language: pages then read it from the session.
        user_logged_in.connect(session_language_login, dispatch_uid="missions.session_language")
