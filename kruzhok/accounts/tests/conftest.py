from kruzhok.accounts.tests.fixtures import full_world  # noqa: F401
