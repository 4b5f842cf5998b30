"""Signals the missions app sends, so higher apps act on its changes without being imported."""

from django.dispatch import Signal

# Sent inside ``mission_create``'s transaction with ``mission``, ``actor``, ``now`` and
# ``source``: None, or the earlier mission whose set-up the new one copies. The observation app
# gives the mission its default checklists or copies the source's current ones; the reports
# app copies the source's candidates. A receiver that raises undoes the whole creation.
mission_created = Signal()

# Sent by ``missions.sampling.sample_stations_reporting`` with ``sample``: a receiver answers
# how many of the sample's stations have sent a count the estimates use. The reports app
# answers (it reads the visits, which the missions app cannot); no receiver means none.
sample_reporting = Signal()
