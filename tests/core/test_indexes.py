"""No index that another one makes redundant: every index is paid for by every insert."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models


def _leading_columns(model: type[models.Model]) -> set[str]:
    """The first column of every composite index and unique constraint of ``model``.

    A partial one (with a condition) does not count: it leaves rows out.
    """
    leading = set()
    for index in model._meta.indexes:
        if len(index.fields) > 1 and index.condition is None:
            leading.add(model._meta.get_field(index.fields[0].lstrip("-")).column)
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        partial = getattr(constraint, "condition", None) is not None
        if isinstance(constraint, models.UniqueConstraint) and len(fields) > 1 and not partial:
            leading.add(model._meta.get_field(fields[0]).column)
    return leading


def test_no_foreign_key_has_an_index_that_a_composite_index_starts_with() -> None:
    redundant: list[str] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("zbut."):
            continue
        for model in config.get_models():
            leading = _leading_columns(model)
            redundant += [
                f"{model._meta.label}.{field.name}"
                for field in model._meta.concrete_fields
                if isinstance(field, models.ForeignKey)
                and field.db_index
                and field.column in leading
            ]
    assert redundant == []


@pytest.mark.django_db
def test_the_migrated_tables_have_no_index_on_a_covered_foreign_key_alone() -> None:
    dropped = {
        "bases_company": "bases_company_project_id_78b80521",
        "bases_companyphone": "bases_companyphone_company_id_cea2b493",
        "history_event": "history_event_company_id_d23fc30c",
    }
    with connection.cursor() as cursor:
        for table, index in dropped.items():
            names = set(connection.introspection.get_constraints(cursor, table))
            assert index not in names
            assert names  # the table's other indexes are there
