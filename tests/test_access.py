"""Every staff URL needs a login and a staff role; only a short list of views is public.

The walk covers the whole URL configuration, so a view added later without
``staff_required`` (or ``login_required`` and its own role check) fails here.
"""

import re
from dataclasses import dataclass

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

from conftest import utc
from oohdesk.paging.models import Page
from reports import report

# Views anyone may open, by URL name (namespace included) or, for unnamed
# patterns, by the view's dotted path. Each is public on purpose.
PUBLIC = {
    "report",  # the Issue Report form
    "report-team",
    "ticket-confirmation",  # signed link
    "ticket-status",  # signed link
    "page-ack-link",  # signed link
    "ack-action",  # signed per notification, posted by a button inside it
    "test-page-confirm",  # signed link
    "pushover-callback",  # signed callback from Pushover
    "login",
    "logout",
    "admin:login",
    "admin:logout",  # signs out the requester and serves no data
    "healthz",
    "metrics",  # guarded by OOHDESK_METRICS_TOKEN when set; see test_operations
    "api-tickets",  # the public report endpoint
    "api-openapi",
    "calendar-feed",  # reached by the feed's secret key
    "intake-intercom",  # signed webhooks
    "intake-zendesk",
    "drill-report",  # signed drill link
    "django.views.generic.base.RedirectView",  # / to the report form
    "oohdesk.api.views.not_found",  # JSON 404 for unknown API paths
}

LOGIN_PATHS = ("/login/", "/admin/login/")


@dataclass(frozen=True)
class Route:
    url: str
    label: str
    callback: object


def _sample(name: str, samples: dict) -> str:
    return str(samples.get(name, "x"))


def _fill(pattern, samples: dict) -> str:
    if isinstance(pattern, RoutePattern):
        # An id with no sample of its own gets 1: the login and role checks come before any look-up.
        defaults = {name: 1 for name, converter in pattern.converters.items() if isinstance(converter, IntConverter)}
        values = {**defaults, **samples}
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: _sample(match.group(1), values), str(pattern._route))
    if isinstance(pattern, RegexPattern):
        template, params = normalize(pattern.regex.pattern)[0]
        return template % {name: _sample(name, samples) for name in params}
    raise AssertionError(f"unknown pattern type {type(pattern).__name__}")


def walk(samples: dict, resolver=None, prefix: str = "/", namespace: str = ""):
    """Yield a concrete URL for every view in the URL configuration."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        url = prefix + _fill(entry.pattern, samples)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(samples, entry, url, inner)
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            label = f"{namespace}{entry.name}" if entry.name else _dotted(callback)
            yield Route(url=url, label=label, callback=callback)


def _dotted(callback) -> str:
    view_class = getattr(callback, "view_class", None)
    target = view_class or callback
    return f"{target.__module__}.{target.__qualname__}"


def is_denied(response) -> bool:
    """Return whether the response served nothing: a refusal, a method never served there, or a redirect to sign in."""
    if response.status_code in (401, 403, 405):
        return True
    if response.status_code in (301, 302):
        location = response.headers.get("Location", "")
        return location.startswith(LOGIN_PATHS)
    return False


def unprotected(client: Client, samples: dict) -> list[str]:
    """Return each non-public URL that ``client`` can open with GET or POST."""
    problems = []
    routes = list(walk(samples))
    assert len(routes) > 40, "the walk found too few URLs to be the whole configuration"
    for route in routes:
        assert resolve(route.url).func == route.callback, f"no sample URL resolves to {route.label}: {route.url}"
        if route.label in PUBLIC:
            continue
        for method in (client.get, client.post):
            response = method(route.url)
            if not is_denied(response):
                problems.append(f"{method.__name__.upper()} {route.url} ({route.label}) answered {response.status_code}")
    return problems


@pytest.fixture
def samples(team, alice, db):
    ticket = report(team, utc(2026, 1, 6, 10))
    return {
        "page_id": Page.objects.get(ticket=ticket).id,
        "member_id": alice.id,
        "slug": team.slug,
        "ref": ticket.ref,
        "app_label": "tickets",
        "object_id": ticket.id,
        "content_type_id": 1,
        "id": 1,
    }


def test_staff_urls_need_login(client, samples):
    assert unprotected(client, samples) == []


def test_staff_urls_need_role(client, samples, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="correct horse battery")
    client.force_login(nobody)
    assert unprotected(client, samples) == []


def test_admin_needs_staff(client, samples, alice, django_user_model):
    developer = django_user_model.objects.create_user("alice", password="correct horse battery")
    alice.user = developer
    alice.save()
    client.force_login(developer)
    admin_routes = [route for route in walk(samples) if route.url.startswith("/admin/") and route.label not in PUBLIC]
    assert admin_routes
    for route in admin_routes:
        assert is_denied(client.get(route.url)), route.url


def test_developer_sees_dashboard(client, samples, alice, django_user_model):
    developer = django_user_model.objects.create_user("alice", password="correct horse battery")
    alice.user = developer
    alice.save()
    client.force_login(developer)
    assert client.get("/dashboard/").status_code == 200
    assert client.get(f"/pages/{samples['page_id']}/").status_code == 200


def open_view(request):
    from django.http import HttpResponse

    return HttpResponse("staff data")


urlpatterns = [*get_resolver().url_patterns]


def test_walk_finds_open_view(client, samples):
    from django.urls import path

    urlpatterns.append(path("leaky/", open_view, name="leaky"))
    try:
        with override_settings(ROOT_URLCONF=__name__):
            problems = unprotected(client, samples)
    finally:
        urlpatterns.pop()
    assert problems == ["GET /leaky/ (leaky) answered 200", "POST /leaky/ (leaky) answered 200"]
