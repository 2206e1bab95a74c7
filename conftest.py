"""Fixtures of real parts, available to every test tier (unit tests next to the code,
tests/integration, tests/e2e): the thin pytest plugin over the test kit (testkit/). See
docs/testing.md."""

pytest_plugins = ["tests.plugin"]
