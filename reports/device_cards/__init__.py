"""Sheets of device QR cards: a team's or the whole mission's observers, eight A4 cards a page,
each with a new device code (observation.devices), printed to PDF by the Chromium that prints
the briefing pack (reports.charts.printing): it lives here, above observation, for that."""
