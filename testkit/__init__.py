"""The test kit: the cores of the real-part fixtures (MariaDB, Asterisk units, the SIP carrier,
Chromium, booted Debian targets, the admin, the agency and the webagent sites), with public names.

Used by the pytest plugin in tests/plugin.py, by `make demo` (installer/demo*.py) and by bench/.
Not part of the product: the wheel leaves it out, and an import contract (pyproject.toml,
[tool.importlinter]) keeps the product packages from importing it. It never imports `tests`.
See docs/testing.md."""
