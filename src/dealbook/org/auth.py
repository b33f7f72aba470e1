"""API authentication: personal bearer tokens for scripts, the browser session (with CSRF)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from dealbook.org.services import api_token_authenticate


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token)
        if user is None or not user.org_id:
            return None
        request.user = user
        return user


class OrgSessionAuth(SessionAuth):
    """The browser session, for users that belong to an organisation."""

    def authenticate(self, request: HttpRequest, key: str | None):
        user = super().authenticate(request, key)
        if user is None or not getattr(user, "org_id", None):
            return None
        return user


API_AUTH = [BearerTokenAuth(), OrgSessionAuth()]
