"""Static files under content-hashed names, with gzip copies, once `collectstatic` has collected them."""

from __future__ import annotations

from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """`wenyun serve` collects the files first; a process that has not (the tests, a shell, the worker)
    gets the plain names for what the manifest lacks, which whitenoise serves from the app folders."""

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    # A hashed name never changes content: cache it a year (whitenoise's own default is ten).
    FOREVER = 365 * 24 * 60 * 60
