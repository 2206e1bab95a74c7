"""URL configuration: the admin under /admin/ (nginx routes /admin/ and /static/ here)."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/confgen/", include("appliance.admin.callcenter.confgen.urls")),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]

handler500 = "appliance.admin.uzor_admin.unavailable.server_error"
