"""Template errors, kept light so the CLI can catch them without loading YAML or pydantic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TemplateIssue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class TemplateError(Exception):
    """A template file is invalid; ``issues`` holds every problem with its line."""

    def __init__(self, issues: list[TemplateIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


__all__ = ["TemplateError", "TemplateIssue"]
