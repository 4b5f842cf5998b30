"""The demo mission and ``seed_demo``: the one app that may import missions, observation and
reports (imports run downward: missions <- observation <- reports <- demo)."""
