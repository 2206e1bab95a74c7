"""The agency logs in to a unit with the agency's own AMI user the admin holds, and with the
admin's for a unit registered before there were two (issue 13, item 6): the agency's reading of
the admin's PbxUnit table on the real MariaDB."""

from __future__ import annotations

import asyncio

import pytest

from testkit.admin import configure_django

configure_django()

from appliance.admin.callcenter.models import PbxUnit  # noqa: E402
from testkit.agency import agency_database  # noqa: E402

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:The 'reconnect' argument is deprecated:DeprecationWarning"),
]


def test_the_agency_uses_its_own_ami_user_or_the_admins_for_an_old_unit(
    committed_admin_db, admin_database, tmp_path
):
    PbxUnit(
        name="new",
        address="127.0.0.1",
        ami_user="uzor-admin",
        ami_secret="admin-s3cret",
        agency_ami_user="uzor-agency",
        agency_ami_secret="agency-s3cret",
    ).save()
    PbxUnit(name="old", address="127.0.0.1", ami_user="uzor", ami_secret="old-s3cret").save()
    store = agency_database(admin_database, tmp_path)
    try:
        units = {unit.name: unit for unit in asyncio.run(store.units())}
    finally:
        store.close()
    assert (units["new"].username, units["new"].secret) == ("uzor-agency", "agency-s3cret")
    assert (units["old"].username, units["old"].secret) == ("uzor", "old-s3cret")
