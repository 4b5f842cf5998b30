"""Signals the missions app sends, so higher apps act on its changes without being imported."""

from django.dispatch import Signal

# Sent inside ``mission_create``'s transaction with ``mission``, ``actor`` and ``now``.
mission_created = Signal()
