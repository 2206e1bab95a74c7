"""Fixtures of real parts, available to every test tier (unit tests next to the code,
tests/integration, tests/e2e). See docs/testing.md."""

pytest_plugins = [
    "tests.fixtures.mariadb",
    "tests.fixtures.browser",
    "tests.fixtures.pbx",
    "tests.fixtures.licensing",
    "tests.fixtures.target",
]
