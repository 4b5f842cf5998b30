from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from missions.models import Mission
from reports.aggregates.reconcile import aggregates_reconcile


class Command(BaseCommand):
    help = "Recompute the aggregates of every mission (or one) from the raw tables."

    def add_arguments(self, parser):
        parser.add_argument("--mission", type=int, help="Only this mission's id.")

    def handle(self, *args, mission=None, **options):
        missions = Mission.objects.order_by("pk")
        if mission is not None:
            missions = missions.filter(pk=mission)
            if not missions.exists():
                raise CommandError(f"No mission with id {mission}.")
        for each in missions:
            result = aggregates_reconcile(mission=each, now=timezone.now())
            line = (
                f"Reconciled mission {each.pk} ({each.name}): {result.visits} visits in "
                f"{result.seconds:.2f} s, {result.changed_cells} cells changed."
            )
            if result.claimed:
                line += f" {result.claimed} visits loaded past the pipeline claimed."
            self.stdout.write(line)
