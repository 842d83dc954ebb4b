"""Bank account numbers are stored encrypted with the field key, which is kept apart from the database."""

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from wenyun.core.fields import FieldKeyError
from wenyun.workforce.models import Post, StaffMember

from .conftest import BANK_ACCOUNT

pytestmark = pytest.mark.django_db


def _raw_bank_account(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account FROM workforce_staffmember WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_database_holds_the_bank_account_only_encrypted_and_it_reads_back_whole(hire, unit):
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER, bank_account=BANK_ACCOUNT)

    raw = _raw_bank_account(person.pk)
    assert BANK_ACCOUNT not in raw
    assert "8901" not in raw
    assert raw.startswith("gAAAAA")  # a Fernet token
    again = StaffMember.objects.get(pk=person.pk)
    assert again.bank_account == BANK_ACCOUNT
    assert again.bank_account_masked == "***************8901"


def test_an_empty_bank_account_stays_empty(hire, unit):
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)

    assert _raw_bank_account(person.pk) == ""
    assert StaffMember.objects.get(pk=person.pk).bank_account == ""


def test_a_bank_account_read_with_another_key_is_a_clear_error(hire, unit):
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER, bank_account=BANK_ACCOUNT)

    with (
        override_settings(WENYUN_FIELD_KEYS=[Fernet.generate_key().decode()]),
        pytest.raises(FieldKeyError) as refused,
    ):
        StaffMember.objects.get(pk=person.pk)

    assert str(refused.value) == (
        "workforce.StaffMember.bank_account cannot be decrypted with the field key "
        "(WENYUN_FIELD_KEY, WENYUN_FIELD_KEY_FILE or field_key in the data directory): "
        "it was encrypted with another key."
    )
    assert BANK_ACCOUNT not in _raw_bank_account(person.pk)


def test_a_retired_key_still_reads_while_the_new_one_writes(hire, unit, settings):
    old_key = settings.WENYUN_FIELD_KEYS[0]
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER, bank_account=BANK_ACCOUNT)
    new_key = Fernet.generate_key().decode()

    settings.WENYUN_FIELD_KEYS = [new_key, old_key]
    again = StaffMember.objects.get(pk=person.pk)
    again.save(update_fields=["bank_account"])

    assert again.bank_account == BANK_ACCOUNT
    assert Fernet(new_key.encode()).decrypt(_raw_bank_account(person.pk).encode()).decode() == BANK_ACCOUNT


@pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
def test_the_migration_encrypts_the_bank_accounts_already_stored(county, unit):
    before = [("workforce", "0002_person_names_are_full_names")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        person = old.get_model("workforce", "StaffMember").objects.create(
            name="王秀英", bank_account=BANK_ACCOUNT
        )
        unpaid = old.get_model("workforce", "StaffMember").objects.create(name="李四", bank_account="")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)

    assert BANK_ACCOUNT not in _raw_bank_account(person.pk)
    assert _raw_bank_account(unpaid.pk) == ""
    assert StaffMember.objects.get(pk=person.pk).bank_account == BANK_ACCOUNT
