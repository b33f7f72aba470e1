from django.contrib.auth import views as auth_views
from django.urls import include, path

from dealbook.web import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    # Django's LogoutView accepts POST only: signing out is a state change.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("search/", views.search, name="search"),
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
    # Pages of each area, each in its own module.
    path("", include("dealbook.web.urls_customers")),
    path("", include("dealbook.web.urls_pipeline")),
    path("", include("dealbook.web.urls_contacts")),
    path("", include("dealbook.web.urls_leads")),
    path("", include("dealbook.web.urls_targets")),
    path("", include("dealbook.web.urls_notifications")),
]
