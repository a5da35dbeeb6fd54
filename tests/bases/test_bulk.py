"""Rows written as plain tuples (``bulk.insert_rows``): every column the caller leaves out gets
its model default, and what is bound per row is cheap for the driver to bind."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tests.conftest import World
from zbut.bases.bulk import _Table, insert_rows
from zbut.bases.models import Company, CompanyPhone

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_column_left_out_gets_its_model_default_or_null(world: World) -> None:
    project = world.project_a
    with transaction.atomic():
        [company_id] = insert_rows(
            Company,
            ("client_id", "project_id", "name"),
            [(project.client_id, project.pk, "ТОВ «Прилад»")],
            returning_ids=True,
        )
        insert_rows(
            CompanyPhone,
            ("client_id", "company_id", "e164"),
            [(project.client_id, company_id, "+380672945123")],
        )

    company = Company.objects.get(pk=company_id)
    assert (company.outcome, company.contact_count, company.excluded_reason) == ("", 0, "")
    assert company.created_at is not None
    # Nullable columns whose default is None are not written at all: NULL all the same.
    assert company.agreement_id is None
    assert company.planned_phase_id is None
    assert company.last_contact_at is None
    assert company.next_callback_on is None
    assert company.phones.get().is_bad is False


def test_a_row_binds_no_default_that_is_none_or_a_bool_on_sqlite(world: World) -> None:
    # sqlite3 binds None and bool through its lookup of adapters, about thirty times the
    # cost of binding an int or a str; an import binds these defaults on every row.
    for model in (Company, CompanyPhone):
        table = _Table(model, ("client_id",), json_encoded=True)
        assert None not in table.defaults
        assert "agreement_id" not in table.rest
        if connection.vendor == "sqlite":
            assert {type(value) for value in table.defaults} <= {int, str}
