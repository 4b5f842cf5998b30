"""The Celery worker's side of a broker outage: reconnect within a second of Redis coming back.

When Redis goes away, the worker's consumer reconnects through kombu's
``Connection.ensure_connection``, whose waits Celery does not expose as settings: 2, 4, 6, 8 ...
up to 30 s between attempts. After a 12 s outage the worker took 8 s more to come back
(tests/integration/test_fault_drill.py measures it), and with ``broker_connection_max_retries``
at its default of 100 it would give up for good after about 50 minutes. This consumer tries
again every ``CELERY_BROKER_RECONNECT_SECONDS`` (default 1 s; an attempt on a refused port
costs nothing, on a vanished host ``broker_connection_timeout``), forever.

Configured as ``worker_consumer`` (``CELERY_WORKER_CONSUMER`` in config/settings/base.py).
"""

from celery.worker.consumer import Consumer as CeleryConsumer
from django.conf import settings


class Consumer(CeleryConsumer):
    def ensure_connected(self, conn):
        ensure_connection = conn.ensure_connection
        wait = float(getattr(settings, "CELERY_BROKER_RECONNECT_SECONDS", 1.0))

        def promptly(*args, **kwargs):
            kwargs.setdefault("interval_start", 0)
            kwargs.setdefault("interval_step", wait)
            kwargs.setdefault("interval_max", wait)
            return ensure_connection(*args, **kwargs)

        conn.ensure_connection = promptly
        return super().ensure_connected(conn)
