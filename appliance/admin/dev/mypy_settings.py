"""Django settings for mypy's django-stubs plugin (pyproject's ``[tool.django-stubs]``).

The plugin loads the admin's settings to learn its models and settings; those read an admin.yaml,
so this module points them at the developer one beside it, and mypy runs without any environment.
Not shipped: ``appliance/admin/dev`` is no package.
"""

import os
from pathlib import Path

os.environ["UZOR_ADMIN_CONFIG"] = str(Path(__file__).with_name("admin.yaml"))

from appliance.admin.uzor_admin.settings import *  # noqa: F403
