"""Errors the services raise for people: each message says what is wrong and where."""

from __future__ import annotations

from inspector_app.domain.checklists.errors import TemplateError
from inspector_app.signing import SigningError
from inspector_app.store.db import DatabaseError


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


class Stale(ServiceError):
    """What the caller last saw has changed since (another window, the command line, a
    package taken at headquarters): writing would overwrite it unseen."""


def check_length(text: str, cap: int, what: str, *, where: str | None = None) -> None:
    """Refuse ``text`` longer than ``cap`` (a cap of ``inspector_app.limits``) with a message
    naming the field (``what``, translated) and the place (``where``, e.g. an item), e.g.
    "item s1.x: the comment is 120,000 characters; at most 4,000"."""
    from inspector_app.limits import length_problem

    problem = length_problem(what, text, cap)
    if problem is not None:
        raise InvalidInput(f"{where}: {problem}" if where else problem)


# What a request can be refused with, each saying what and where: the command line prints
# it and exits 1, the desktop shows it (a template, the database or a key at fault too).
REFUSALS: tuple[type[Exception], ...] = (ServiceError, DatabaseError, TemplateError, SigningError)
