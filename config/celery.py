import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("observatory")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# reports keeps its tasks in sub-packages, one tasks.py each.
app.autodiscover_tasks(["reports.aggregates", "reports.briefings", "reports.operations"])
