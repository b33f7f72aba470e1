"""Web pages of the customers workspace (see the brief in docs/architecture.md, Web UI)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
