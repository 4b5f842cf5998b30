"""What it means: aggregate tables, official figures, briefings."""
