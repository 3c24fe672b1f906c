"""``manage.py logins``: the demo accounts, one per role, with their passwords and what each sees."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kruzhok.demo.users import demo_logins


class Command(BaseCommand):
    help = "Print the demo logins: e-mail, password and what each role sees."

    def handle(self, *args, **options) -> None:
        logins = demo_logins()
        if not logins:
            self.stdout.write("No demo accounts yet: run `manage.py demo` first.")
            return
        width = max(len(login["email"]) for login in logins)
        self.stdout.write(f"Demo logins (password for all: {logins[0]['password']}):")
        for login in logins:
            self.stdout.write(f"  {login['email']:<{width}}  {login['password']}  {login['role']}: {login['sees']}")
