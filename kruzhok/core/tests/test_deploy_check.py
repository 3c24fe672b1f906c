"""The production profile: `check --deploy` is clean, secrets are required, static files are served."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PROFILE_VARIABLES = ("KRUZHOK_PROFILE", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "SECURE_SSL_REDIRECT",
                     "SECURE_HSTS_SECONDS", "STATIC_ROOT", "CSRF_TRUSTED_ORIGINS")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in PROFILE_VARIABLES}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment,
                          capture_output=True, text=True, timeout=300)


def production(**extra: str) -> dict[str, str]:
    return {"KRUZHOK_PROFILE": "production", "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "example.org", **extra}


def test_production_profile_passes_the_deploy_check_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


@pytest.mark.parametrize("secret_key", [None, "", settings.DEV_SECRET_KEY], ids=["missing", "empty", "dev-default"])
def test_production_refuses_to_start_without_its_own_secret_key(secret_key):
    env = production()
    del env["SECRET_KEY"]
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = production()
    del env["ALLOWED_HOSTS"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_serves_hashed_static_files_through_whitenoise(tmp_path):
    env = production(STATIC_ROOT=str(tmp_path / "static"))
    collected = manage("collectstatic", "--noinput", "-v", "0", **env)
    assert collected.returncode == 0, collected.stderr
    probe = (
        "from django.test import Client; from django.templatetags.static import static; "
        "url = static('web/site.css'); "
        "r = Client().get(url, secure=True, HTTP_HOST='example.org'); "
        "print(url, r.status_code, r.headers.get('Cache-Control'), r.headers.get('Content-Type'), sep='|')"
    )
    result = manage("shell", "-v", "0", "-c", probe, **env)
    assert result.returncode == 0, result.stderr
    url, status, cache_control, content_type = result.stdout.strip().splitlines()[-1].split("|")
    assert url.startswith("/static/web/site.") and url.endswith(".css") and url != "/static/web/site.css"
    assert status == "200"
    assert "immutable" in cache_control
    assert content_type.startswith("text/css")
