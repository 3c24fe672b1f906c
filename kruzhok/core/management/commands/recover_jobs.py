from django.core.management.base import BaseCommand

from kruzhok.core.jobs import jobs_recover


class Command(BaseCommand):
    help = "Re-queue background jobs whose worker died (run before starting the worker)."

    def handle(self, *args, **options):
        ids = jobs_recover()
        self.stdout.write(f"re-queued {len(ids)} job(s)")
