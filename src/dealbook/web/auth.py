"""Sign-in lockout: django-axes' check, for sign-ins that come with a request."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class SignInLockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in while its login and address are locked out (settings.AXES_*).

    Every sign-in form (ours and the admin's) passes the request. A call without one — a
    command, a script, a test checking a password — has no address to count failures
    against; it is left to the next backend instead of failing as axes' own backend does.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs,
    ):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
