"""The Django admin for the call-center model (the site itself: uzor_admin/sites.py)."""

from . import pbx, people, permissions, routing, schedules, topics, voicemail

__all__ = ["pbx", "people", "permissions", "routing", "schedules", "topics", "voicemail"]
