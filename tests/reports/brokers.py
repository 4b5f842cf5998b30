"""Point this process's Celery app at a real broker for one test, then back to eager."""

from contextlib import contextmanager

from kombu import pools

from config.celery import app as celery_app


def _drop_connections():
    # kombu keeps connection and producer pools per broker URL, process-wide: close and
    # forget them all, so the next publish connects afresh to whatever the URL is now.
    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def real_broker(url: str, *, queue: str | None = None):
    conf = celery_app.conf
    saved = {
        "broker_url": conf.broker_url,
        "task_always_eager": conf.task_always_eager,
        "task_default_queue": conf.task_default_queue,
    }
    _drop_connections()
    conf.update(broker_url=url, task_always_eager=False)
    if queue:
        conf.update(task_default_queue=queue)
    try:
        yield celery_app
    finally:
        _drop_connections()
        conf.update(saved)
