"""The AMI users ``uzor-pbx-setup`` writes into a unit's ``manager.d/uzor.conf``, taken from the
script itself, so the tests run the admin and the agency with exactly the packaged rights."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

SETUP = Path(__file__).resolve().parents[1] / "packaging/debian/uzor-pbx/usr/sbin/uzor-pbx-setup"
ADMIN_USER = "uzor-admin"
AGENCY_USER = "uzor-agency"
_SECRET_VARIABLES = {ADMIN_USER: "$admin_secret", AGENCY_USER: "$agency_secret"}


def _new_secret() -> str:
    return os.urandom(12).hex()


@dataclass(frozen=True)
class AmiUsers:
    """A secret each for the admin's and the agency's AMI user."""

    admin_secret: str = field(default_factory=_new_secret)
    agency_secret: str = field(default_factory=_new_secret)

    def secret(self, user: str) -> str:
        return {ADMIN_USER: self.admin_secret, AGENCY_USER: self.agency_secret}[user]

    def manager_d(self, permit: str = "127.0.0.1/32") -> str:
        """The two users' sections exactly as uzor-pbx-setup writes them."""
        return "\n".join(self.section(user, permit) for user in (ADMIN_USER, AGENCY_USER))

    def section(self, user: str, permit: str = "127.0.0.1/32") -> str:
        script = SETUP.read_text()
        match = re.search(
            rf"^\[{re.escape(user)}\]\n(?:[a-z]+(?:\(.*\))? =.*\n)+", script, re.MULTILINE
        )
        if match is None:
            raise AssertionError(f"uzor-pbx-setup writes no AMI user [{user}]")
        text = match.group(0).replace("$permit", permit)
        return text.replace(_SECRET_VARIABLES[user], self.secret(user))


def writes_all_rights_user() -> bool:
    """Whether uzor-pbx-setup still writes the one all-rights user ``[uzor]`` of old."""
    return re.search(r"^\[uzor\]$", SETUP.read_text(), re.MULTILINE) is not None
