"""Every route of the app, for anonymous visitors and every staff role.

The list of routes comes from the app itself, so new routes are covered as they are
added: a route is either on the public allow-list or declares its roles through
`roles_required`; anything else fails this test."""
from __future__ import annotations

import re

import pytest

from app.roles import Role

#: Endpoints anyone may open without an account.
PUBLIC_ENDPOINTS = {
    "static",
    "public.home",
    "public.set_language",
    "public.privacy",
    "public.health",
    "auth.login",
    "auth.accept_invitation",
    "auth.two_step_code",  # the second step of logging in: before there is a session
}
PUBLIC_PREFIXES = ("public.", "councils.public_", "proposals.public_", "voting.public_", "finance.public_", "resident.")


def is_public(endpoint: str) -> bool:
    return endpoint in PUBLIC_ENDPOINTS or endpoint.startswith(PUBLIC_PREFIXES) and endpoint != "public.dashboard"


def sample_url(rule) -> str:
    """Fill every URL argument with a value that names no existing object."""
    path = rule.rule
    path = re.sub(r"<int:[^>]+>", "999999", path)
    path = re.sub(r"<any\(([^,)]+)[^>]*>", lambda m: m.group(1).strip(), path)
    path = re.sub(r"<(?:string:|path:)?[^>]+>", "nothing-here", path)
    return path


def protected_rules(app):
    rules = [r for r in app.url_map.iter_rules() if not is_public(r.endpoint)]
    # Logging out ends the session, so it goes last.
    return sorted(rules, key=lambda r: (r.endpoint == "auth.logout", r.rule))


def test_every_route_is_public_or_declares_roles(app):
    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if not is_public(rule.endpoint) and not hasattr(app.view_functions[rule.endpoint], "required_roles")
    ]
    assert undeclared == []


def _request(client, rule):
    url = sample_url(rule)
    method = "GET" if "GET" in rule.methods else "POST"
    return client.open(url, method=method)


def test_anonymous_visitors_are_sent_to_login(app, client):
    for rule in protected_rules(app):
        response = _request(client, rule)
        assert response.status_code == 302, rule.rule
        assert "/login" in response.headers["Location"], rule.rule


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_its_routes(app, client, login_as, role):
    login_as(role)
    for rule in protected_rules(app):
        required = app.view_functions[rule.endpoint].required_roles
        response = _request(client, rule)
        if required and role not in required:
            assert response.status_code == 403, rule.rule
        else:
            assert response.status_code not in (302, 401, 403), (rule.rule, response.status_code)


def test_the_matrix_covers_the_staff_routes(app):
    endpoints = {r.endpoint for r in protected_rules(app)}
    assert {"auth.users", "auth.audit_log", "places.index", "public.dashboard"} <= endpoints
