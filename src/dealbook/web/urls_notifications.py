"""Web pages of notifications (views_notifications)."""

from __future__ import annotations

from django.urls import URLPattern, path

from dealbook.web import views_notifications as views

urlpatterns: list[URLPattern] = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path(
        "notifications/<int:notification_id>/read/",
        views.notification_read,
        name="notification_read",
    ),
]
