"""Errors the services raise for people: each message says what is wrong and where."""

from __future__ import annotations


class ServiceError(Exception):
    """A request that cannot be carried out; nothing was written."""


class NotFound(ServiceError):
    pass


class InvalidInput(ServiceError):
    pass


class Locked(ServiceError):
    """The inspection is completed (frozen); changes need an amendment."""
