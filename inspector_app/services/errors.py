"""Errors the services raise for people: each message says what is wrong and where."""

from __future__ import annotations


class ServiceError(Exception):
    """A request that cannot be carried out; nothing was written.

    ``problem`` is the same message without the "where" (the item, the inspection), for a
    screen that already shows where: the editor shows it beside the item.
    """

    def __init__(self, message: str, *, problem: str | None = None):
        super().__init__(message)
        self.problem = problem or message


class NotFound(ServiceError):
    pass


class InvalidInput(ServiceError):
    pass


class Locked(ServiceError):
    """The inspection is completed (frozen); changes need an amendment."""
