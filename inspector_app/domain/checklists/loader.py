"""Load checklist templates from YAML with errors that name the file, the line and the field.

Nothing from an invalid file is returned: ``load_template`` either gives a whole,
validated ``ChecklistTemplate`` or raises ``TemplateError`` with every problem found.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from inspector_app import limits
from inspector_app.domain.checklists.errors import TemplateError, TemplateIssue
from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate
from inspector_app.fsutil import FileRefused, read_regular
from inspector_app.i18n import _

MAX_TEMPLATE_BYTES = limits.TEMPLATE_BYTES
# Deeper than any template needs (items sit at depth 6); a deeper file is refused before the
# recursive construction and validation could overflow the stack.
MAX_DEPTH = 32

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedTemplate:
    template: ChecklistTemplate
    content_hash: str  # sha256 of the canonical JSON: what an inspection pins
    canonical_json: str
    path: Path | None = None


def canonical_json(template: ChecklistTemplate) -> str:
    data = template.model_dump(mode="json", by_alias=True, exclude_none=True)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# libyaml's parser when PyYAML has it (about 7x faster); duplicate keys are caught on the
# node tree in _line_map, whichever parser built it.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Refused(Exception):
    def __init__(self, issue: TemplateIssue):
        self.issue = issue


def _line_map(node: yaml.Node, file: str) -> tuple[dict[Loc, int], list[TemplateIssue]]:
    """Line of every place in the tree, duplicate keys; refuses aliases and deep nesting.

    An alias (``*name``) makes the composer reuse a node, so a 300-byte "billion laughs" file
    is a tree of a billion places; templates never need one, so the first node met twice is
    refused (each node is visited once: the walk stays as small as the file)."""
    lines: dict[Loc, int] = {}
    issues: list[TemplateIssue] = []
    seen_nodes: set[int] = set()

    def walk(n: yaml.Node, loc: Loc, line: int) -> None:
        if id(n) in seen_nodes:
            raise _Refused(
                TemplateIssue(
                    file,
                    line,
                    _(
                        "{field}: YAML aliases (*name) and merge keys are not allowed in templates",
                        field=_field_name(loc),
                    ),
                )
            )
        if len(loc) > MAX_DEPTH:
            raise _Refused(
                TemplateIssue(
                    file,
                    n.start_mark.line + 1,
                    _("nested more than {n} levels deep", n=MAX_DEPTH),
                )
            )
        seen_nodes.add(id(n))
        lines[loc] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in n.value:
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in seen:
                    issues.append(
                        TemplateIssue(
                            file,
                            line,
                            _(
                                "duplicate key {key!r} (first on line {first})",
                                key=key,
                                first=seen[key],
                            ),
                        )
                    )
                seen[key] = line
                # an alias as a key shares its anchor's marks: its value says where it is
                walk(key_node, (*loc, key, "(key)"), value_node.start_mark.line + 1)
                walk(value_node, (*loc, key), line)
                lines[(*loc, key)] = line  # a field's line is its key's, not its value's
        elif isinstance(n, yaml.SequenceNode):
            for i, child in enumerate(n.value):
                # the line reported if the child is an alias, which shares its anchor's marks:
                # the item before it says where it is
                before = n.value[i - 1].end_mark if i else n.start_mark
                walk(child, (*loc, i), before.line + 1)

    try:
        walk(node, (), 1)
    except _Refused as exc:
        return lines, [exc.issue]
    return lines, issues


def _line_for(lines: dict[Loc, int], loc: Loc) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _field_name(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(template)"


def parse_yaml(text: str, file: str) -> tuple[Any, dict[Loc, int]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise TemplateError([TemplateIssue(file, 1, _("the file is empty"))])
        lines, issues = _line_map(node, file)
        if issues:
            raise TemplateError(issues)
        data = loader.construct_document(node)
    except RecursionError:  # the composer itself went too deep
        raise TemplateError(
            [TemplateIssue(file, 1, _("nested more than {n} levels deep", n=MAX_DEPTH))]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or str(exc)
        raise TemplateError(
            [TemplateIssue(file, line, _("malformed YAML: {problem}", problem=problem))]
        ) from None
    except yaml.YAMLError as exc:
        raise TemplateError(
            [TemplateIssue(file, 1, _("malformed YAML: {problem}", problem=exc))]
        ) from None
    finally:
        loader.dispose()
    return data, lines


def _semantic_issues(t: ChecklistTemplate) -> Iterator[tuple[Loc, str]]:
    """Rules that span the tree: unique ids, conditions that point at real, earlier items."""
    seen: dict[str, Loc] = {}

    def claim(ident: str, loc: Loc) -> Iterator[tuple[Loc, str]]:
        if ident in seen:
            yield (
                (*loc, "id"),
                _(
                    "duplicate id {id!r} (also at {other})",
                    id=ident,
                    other=_field_name(seen[ident]),
                ),
            )
        else:
            seen[ident] = loc

    for vi, v in enumerate(t.vetoes):
        yield from claim(v.id, ("vetoes", vi))
    earlier: dict[str, Any] = {}
    for si, s in enumerate(t.sections):
        yield from claim(s.id, ("sections", si))
        for ii, item in enumerate(s.items):
            loc: Loc = ("sections", si, "items", ii)
            yield from claim(item.id, loc)
            cond = item.show_if
            if cond is not None:
                target = earlier.get(cond.item)
                if target is None:
                    yield (
                        (*loc, "show_if", "item"),
                        _(
                            "show_if refers to {ref!r}, which is not an item listed before this one",
                            ref=cond.item,
                        ),
                    )
                elif target.type is AnswerType.CHOICE:
                    wanted = [cond.equals] if cond.in_ is None else cond.in_
                    valid = {o.id for o in target.options}
                    for w in wanted:
                        if str(w) not in valid:
                            yield (
                                (*loc, "show_if"),
                                _(
                                    "show_if value {value!r} is not an option of {ref!r}",
                                    value=w,
                                    ref=cond.item,
                                ),
                            )
            earlier[item.id] = item


def load_template_text(text: str, file: str) -> LoadedTemplate:
    data, lines = parse_yaml(text, file)
    if not isinstance(data, dict):
        raise TemplateError([TemplateIssue(file, 1, _("a template must be a YAML mapping"))])
    try:
        template = ChecklistTemplate.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            issues.append(TemplateIssue(file, _line_for(lines, loc), f"{_field_name(loc)}: {msg}"))
        raise TemplateError(issues) from None
    problems = [
        TemplateIssue(file, _line_for(lines, loc), f"{_field_name(loc)}: {msg}")
        for loc, msg in _semantic_issues(template)
    ]
    if problems:
        raise TemplateError(problems)
    canonical = canonical_json(template)
    return LoadedTemplate(template, content_hash(canonical), canonical)


def load_template(path: Path) -> LoadedTemplate:
    file = str(path)
    try:
        raw = read_regular(path, MAX_TEMPLATE_BYTES)
    except FileRefused as exc:
        raise TemplateError(
            [TemplateIssue(file, 0, _("cannot read the file: {error}", error=exc))]
        ) from None
    except OSError as exc:
        raise TemplateError(
            [TemplateIssue(file, 0, _("cannot read the file: {error}", error=exc.strerror or exc))]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TemplateError([TemplateIssue(file, line, _("the file is not UTF-8 text"))]) from None
    loaded = load_template_text(text, file)
    return LoadedTemplate(loaded.template, loaded.content_hash, loaded.canonical_json, path)


def template_from_json(canonical: str) -> ChecklistTemplate:
    """Rebuild a pinned template from the canonical JSON stored with it."""
    return ChecklistTemplate.model_validate_json(canonical)


# content hash -> the parsed template, for the whole process. The hash names the content
# (checked when a version is pinned or arrives in a package), so a lookup needs only the
# hash; a pinned version never changes. The oldest parse goes beyond PARSED_KEPT.
_PARSED: dict[str, ChecklistTemplate] = {}
PARSED_KEPT = 64


def cached_template(content_hash: str) -> ChecklistTemplate | None:
    """The template parsed before under ``content_hash``, if any."""
    return _PARSED.get(content_hash)


def template_once(content_hash: str, canonical: str) -> ChecklistTemplate:
    """The template of ``canonical`` (whose hash is ``content_hash``), parsed once."""
    parsed = _PARSED.get(content_hash)
    if parsed is None:
        parsed = template_from_json(canonical)
        if len(_PARSED) >= PARSED_KEPT:
            del _PARSED[next(iter(_PARSED))]
        _PARSED[content_hash] = parsed
    return parsed


def validate_files(paths: Iterable[Path]) -> tuple[list[LoadedTemplate], list[TemplateIssue]]:
    """Validate many files; a template id+version given twice is an error too."""
    loaded: list[LoadedTemplate] = []
    issues: list[TemplateIssue] = []
    seen: dict[tuple[str, str], LoadedTemplate] = {}
    for path in paths:
        try:
            lt = load_template(path)
        except TemplateError as exc:
            issues.extend(exc.issues)
            continue
        key = (lt.template.id, lt.template.version)
        if key in seen:
            issues.append(
                TemplateIssue(
                    str(path),
                    1,
                    _(
                        "template {id} version {version} is also defined in {other}",
                        id=key[0],
                        version=key[1],
                        other=seen[key].path,
                    ),
                )
            )
            continue
        seen[key] = lt
        loaded.append(lt)
    return loaded, issues
