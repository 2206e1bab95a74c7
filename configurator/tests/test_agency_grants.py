"""The agency's database grants come from the contract (appliance/contracts/tables.py), and
every table the agency's code names in SQL is covered by them: the grants cannot drift from
what the agency reads and writes."""

from __future__ import annotations

import re
from pathlib import Path

from appliance.agency import database
from appliance.contracts import call_records
from appliance.contracts.tables import AGENCY_TABLES, TABLES
from configurator.core.dbsetup import ALL, SELECT, Grant, agency_grants, parse_grants
from configurator.core.steps.database import agency_user_name

REPO = Path(__file__).resolve().parents[2]
# the code that connects with the agency's account (the agency; nginx's /sip proxies read the
# agency's configuration)
AGENCY_SOURCES = [
    *sorted((REPO / "appliance/agency").rglob("*.py")),
    REPO / "configurator/core/sip_proxy.py",
]
TABLE_AFTER = re.compile(
    r"\b(?:FROM|INTO|JOIN|UPDATE|TABLE(?: IF NOT EXISTS)?)\s+(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)"
)


def test_the_agency_reads_exactly_the_contract_tables_and_owns_its_own() -> None:
    grants = agency_grants("uzor")
    assert {g.table for g in grants if g.privileges == SELECT} == {t.table for t in TABLES}
    assert {g.table for g in grants if g.privileges == ALL} == set(AGENCY_TABLES)
    assert {g.privileges for g in grants} == {SELECT, ALL}
    assert {g.database for g in grants} == {"uzor"}
    assert len(grants) == len(TABLES) + len(AGENCY_TABLES)
    assert not {t.table for t in TABLES} & set(AGENCY_TABLES)


def test_no_admin_table_outside_the_contract_is_granted() -> None:
    tables = {g.table for g in agency_grants("uzor")}
    for private in ("auth_user", "django_session", "callcenter_revision", "axes_accessattempt"):
        assert private not in tables


def test_a_grant_is_one_table_level_statement_with_the_account_as_parameters() -> None:
    grant = Grant(SELECT, "uzor", "callcenter_operator")
    assert grant.statement() == "GRANT SELECT ON `uzor`.`callcenter_operator` TO %s@%s"


def test_the_tables_the_agency_creates_are_its_own() -> None:
    created = {
        re.search(r"CREATE TABLE IF NOT EXISTS (\w+)", statement).group(1)  # type: ignore[union-attr]
        for statement in database.SCHEMA
    }
    assert created == set(AGENCY_TABLES)


def test_every_table_in_the_agencys_sql_is_granted() -> None:
    granted = {g.table for g in agency_grants("uzor")}
    literal: set[str] = set()
    for path in AGENCY_SOURCES:
        if "tests" in path.parts:
            continue
        for name in TABLE_AFTER.findall(path.read_text()):
            if name == "{CALL_TABLE}":  # the call-record contract's table
                literal.add(call_records.TABLE)
            elif name.startswith("{"):
                # a name from the contract (``{o.table}``), never built otherwise
                assert name.endswith(".table}"), f"{path}: table {name}"
            elif name.islower() and "_" in name:
                literal.add(name)
    assert literal  # the scan finds the agency's own tables
    assert literal <= granted, literal - granted


def test_show_grants_lines_are_read_one_way() -> None:
    lines = [
        "GRANT USAGE ON *.* TO `uzor_agency`@`localhost` IDENTIFIED BY PASSWORD '*AB12'",
        "GRANT SELECT ON `uzor`.`callcenter_operator` TO `uzor_agency`@`localhost`",
        "GRANT ALL PRIVILEGES ON `uzor`.`agency_session` TO `uzor_agency`@`localhost`",
    ]
    assert parse_grants(lines) == {
        ("select", "uzor.callcenter_operator"),
        ("all privileges", "uzor.agency_session"),
    }


def test_a_database_wide_or_global_grant_is_seen() -> None:
    lines = [
        "GRANT SELECT, INSERT ON *.* TO `uzor_agency`@`localhost`",
        "GRANT ALL PRIVILEGES ON `uzor`.* TO `uzor_agency`@`localhost`",
    ]
    assert parse_grants(lines) == {("select, insert", "*.*"), ("all privileges", "uzor.*")}


def test_the_agencys_user_is_named_after_the_admins_within_32_characters() -> None:
    assert agency_user_name("uzor") == "uzor_agency"
    long = agency_user_name("u" * 32)
    assert len(long) == 32 and long.endswith("_agency")
