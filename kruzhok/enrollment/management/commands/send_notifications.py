import time

from django.core.management.base import BaseCommand

from kruzhok.enrollment.notifications import notifications_send
from kruzhok.enrollment.services import invitations_expire


class Command(BaseCommand):
    help = "Send pending application status e-mails and expire stale invitations (--loop: keep running)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args, loop: bool, interval: float, **options):
        while True:
            sent = notifications_send()
            expired = invitations_expire()
            if sent or expired:
                self.stdout.write(f"sent {sent} notifications, expired {expired} invitations")
            if not loop:
                return
            time.sleep(interval)
