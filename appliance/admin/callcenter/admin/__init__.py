"""The Django admin for the call-center model (the site itself: uzor_admin/sites.py)."""

from . import pbx, people, routing, schedules, topics, voicemail

__all__ = ["pbx", "people", "routing", "schedules", "topics", "voicemail"]
