"""The admin's side of the admin<->agency contracts (appliance/contracts/): the tables and
columns the agency reads are the ones the Django models make."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from appliance.admin.callcenter.models import changes
from appliance.contracts import tables


def _models_by_table() -> dict[str, type[models.Model]]:
    """Every model's table, the many-to-many fields' own tables too."""
    return {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}


@pytest.mark.parametrize("contract", tables.TABLES, ids=lambda c: c.table)
def test_every_table_and_column_the_agency_reads_is_a_model_s(contract):
    model = _models_by_table().get(contract.table)
    assert model is not None, f"no model has db_table {contract.table!r}"
    columns = {field.column for field in model._meta.concrete_fields}
    missing = sorted(set(contract.columns().values()) - columns)
    assert not missing, f"{model.__name__} ({contract.table}) has no column {missing}"


def test_the_contract_names_columns_and_the_check_sees_a_wrong_one():
    assert tables.Operator.columns()["agent_number"] == "agent_number"
    assert "table" not in tables.Operator.columns()

    class Renamed(tables.Operator):
        agent_number = "agent"

    model = _models_by_table()[Renamed.table]
    columns = {field.column for field in model._meta.concrete_fields}
    assert set(Renamed.columns().values()) - columns == {"agent"}


def test_the_change_counter_row_is_the_one_the_admin_bumps():
    assert changes.COUNTER_ID == tables.CHANGE_COUNTER_ROW
