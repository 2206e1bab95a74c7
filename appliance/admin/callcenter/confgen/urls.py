"""URLs of the confgen endpoints (mounted under /admin/confgen/, which nginx proxies)."""

from django.urls import path

from . import recordings, views

app_name = "confgen"
urlpatterns = [
    path("signing-key", views.signing_key, name="signing-key"),
    path("<str:unit_name>/current", views.current, name="current"),
    path("<str:unit_name>/revisions/<int:number>", views.revision, name="revision"),
    path("<str:unit_name>/sounds/<str:filename>", views.sound, name="sound"),
    path("<str:unit_name>/voicemail/<str:mailbox>", views.voicemail, name="voicemail"),
    path("<str:unit_name>/recordings", recordings.upload, name="recordings"),
]
