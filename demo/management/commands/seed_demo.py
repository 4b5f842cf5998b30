import time

from django.core.management.base import BaseCommand

from demo.mission import DEMO_LOGINS, DEMO_PASSWORD, SIZES, demo_mission_exists, seed_demo


class Command(BaseCommand):
    help = "Load the demo mission (Kazakhstan 2022) unless it is already there."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="full")
        parser.add_argument("--seed", type=int, default=20221120)

    def handle(self, *args, size, seed, **options):
        if demo_mission_exists():
            self.stdout.write("The demo mission is already loaded.")
        else:
            started = time.monotonic()
            mission = seed_demo(size=size, seed=seed)
            self.stdout.write(
                f"Loaded the demo mission ({size}) in {time.monotonic() - started:.1f} s: "
                f"{mission.stations.count()} stations, {mission.observers.count()} observers, "
                f"{mission.visits.count()} visits."
            )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, what in DEMO_LOGINS:
            self.stdout.write(f"  {username:<12} {what}")
