"""Model fields shared by the apps."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class FieldKeyError(ImproperlyConfigured):
    """A stored value does not open with the configured field key: the key changed or is wrong."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token under settings.WENYUN_FIELD_KEYS (the first key encrypts, every key
    decrypts, so a key can be rotated). The database alone does not reveal it; it cannot be searched or
    compared in SQL, so keep beside it whatever must be (e.g. the last digits). Empty stays empty."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return _fernet(tuple(settings.WENYUN_FIELD_KEYS)).encrypt(value.encode()).decode()

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        try:
            return _fernet(tuple(settings.WENYUN_FIELD_KEYS)).decrypt(value.encode()).decode()
        except InvalidToken:
            raise FieldKeyError(
                f"{self.model._meta.label}.{self.name} cannot be decrypted with the field key "
                "(WENYUN_FIELD_KEY, WENYUN_FIELD_KEY_FILE or field_key in the data directory): "
                "it was encrypted with another key."
            ) from None
