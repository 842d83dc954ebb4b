"""Bank account numbers were stored in plain text: each stored one is encrypted with the field key."""

from django.db import migrations

import wenyun.core.fields


def encrypt_bank_accounts(apps, schema_editor):
    StaffMember = apps.get_model("workforce", "StaffMember")
    for person in StaffMember.objects.exclude(bank_account="").only("pk", "bank_account").iterator():
        person.bank_account_encrypted = person.bank_account
        person.save(update_fields=["bank_account_encrypted"])


def decrypt_bank_accounts(apps, schema_editor):
    StaffMember = apps.get_model("workforce", "StaffMember")
    for person in StaffMember.objects.exclude(bank_account_encrypted="").iterator():
        person.bank_account = person.bank_account_encrypted
        person.save(update_fields=["bank_account"])


class Migration(migrations.Migration):
    dependencies = [
        ("workforce", "0002_person_names_are_full_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="staffmember",
            name="bank_account_encrypted",
            field=wenyun.core.fields.EncryptedTextField(blank=True, default="", verbose_name="bank account"),
            preserve_default=False,
        ),
        migrations.RunPython(encrypt_bank_accounts, decrypt_bank_accounts, elidable=False),
        migrations.RemoveField(model_name="staffmember", name="bank_account"),
        migrations.RenameField(
            model_name="staffmember", old_name="bank_account_encrypted", new_name="bank_account"
        ),
    ]
