"""oohdesk's own deployment checks, run by ``oohdesk check --deploy`` beside Django's."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

from oohdesk.env import read_raw

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


@register(Tags.security, deploy=True)
def check_deployment(app_configs, **kwargs) -> list[Warning]:
    problems = []
    if not read_raw("OOHDESK_SECRET_KEY"):
        problems.append(
            Warning(
                "OOHDESK_SECRET_KEY is not set, so the key generated in the data directory signs links and sessions.",
                hint="Set OOHDESK_SECRET_KEY (or OOHDESK_SECRET_KEY_FILE) to the same long random value for every "
                "web and engine process, or links sent by one process are rejected by another.",
                id="oohdesk.W001",
            )
        )
    if not set(settings.ALLOWED_HOSTS) - LOOPBACK_HOSTS:
        problems.append(
            Warning(
                "OOHDESK_ALLOWED_HOSTS names only this machine, so requests for the desk's public name are rejected.",
                hint="Set OOHDESK_ALLOWED_HOSTS to the host name people use, such as desk.agency.example.",
                id="oohdesk.W002",
            )
        )
    if urlsplit(settings.OOHDESK_BASE_URL).scheme != "https":
        problems.append(
            Warning(
                f"OOHDESK_BASE_URL is {settings.OOHDESK_BASE_URL}, so links in notifications are not HTTPS.",
                hint="Set OOHDESK_BASE_URL to the desk's public https:// address.",
                id="oohdesk.W003",
            )
        )
    if settings.OOHDESK_HTTPS and settings.OOHDESK_PROXY_COUNT == 0:
        problems.append(
            Warning(
                "OOHDESK_HTTPS is true but OOHDESK_PROXY_COUNT is 0. oohdesk serves plain HTTP, so HTTPS must end "
                "at a reverse proxy, and without trusting its X-Forwarded-Proto every request looks insecure and "
                "is redirected for ever.",
                hint="Set OOHDESK_PROXY_COUNT to the number of reverse proxies in front of oohdesk, usually 1.",
                id="oohdesk.W004",
            )
        )
    if not settings.EMAIL_HOST:
        problems.append(
            Warning(
                "OOHDESK_EMAIL_HOST is not set, so email notifications are written to files in the data directory "
                "instead of being sent.",
                hint="Set OOHDESK_EMAIL_HOST (and the other OOHDESK_EMAIL_ settings) to your mail server.",
                id="oohdesk.W005",
            )
        )
    if not settings.OOHDESK_METRICS_TOKEN:
        problems.append(
            Warning(
                "OOHDESK_METRICS_TOKEN is not set, so anyone who can reach /metrics can read the desk's figures.",
                hint="Set OOHDESK_METRICS_TOKEN and give Prometheus the same value as its bearer token.",
                id="oohdesk.W006",
            )
        )
    return problems
