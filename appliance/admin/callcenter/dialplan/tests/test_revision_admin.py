"""The read-only revision list and page in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from appliance.admin.callcenter.dialplan import create_revisions

from .model import build_model, make_unit

pytestmark = pytest.mark.usefixtures("admin_db")


def test_revisions_are_listed_and_shown_but_never_editable(tmp_path):
    model = build_model(tmp_path)
    model.topic.name = "<script>alert(1)</script>"
    model.topic.save()
    unit, _token = make_unit()
    revision = create_revisions([unit], created_by="root")[unit.pk]
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@uzor.test", "x-Pass-123"))

    listing = client.get("/admin/callcenter/revision/", HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(
        f"/admin/callcenter/revision/{revision.pk}/change/", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert revision.content_hash[:16] in listing.content.decode()
    text = page.content.decode()
    assert "UZOR_REVISION = " in text and "<h3>pjsip.conf</h3>" in text
    assert "<script>alert(1)</script>" not in text  # the config is shown escaped
    assert 'name="_save"' not in text
    assert client.get("/admin/callcenter/revision/add/").status_code == 403
    assert client.post(f"/admin/callcenter/revision/{revision.pk}/delete/").status_code == 403
