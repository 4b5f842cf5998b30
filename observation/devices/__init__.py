"""Observers' devices: device tokens and the QR codes that carry them."""
