"""Read and check the control-template data files (``data/templates/*.yaml``).

Like the standards files, loading is all-or-nothing: every file is parsed and checked first,
and any problem (naming the file and the template) stops the load before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from keel.platform.libraries import LibraryDataError, read_yaml, text

from .choices import ControlType, Coverage, Frequency

TEMPLATES_DIR = Path(__file__).resolve().parent / "data" / "templates"
TEMPLATE_FIELDS = {
    "key",
    "title",
    "type",
    "frequency",
    "owner_role",
    "description",
    "ai_extension",
    "example_evidence",
    "requirements",
}
LINK_FIELDS = {"key", "coverage", "note"}


class TemplateDataError(LibraryDataError):
    """A template file is malformed; ``problems`` lists every problem, each naming its file and entry."""

    what = "control-template data"


@dataclass
class LinkData:
    requirement_key: str
    coverage: str
    note: str


@dataclass
class TemplateData:
    key: str
    title: str
    type: str
    frequency: str
    owner_role: str
    description: str
    ai_extension: str
    example_evidence: list[str]
    source: str
    sort_order: int
    links: list[LinkData] = field(default_factory=list)


_text = text


def read_templates(
    folder: Path = TEMPLATES_DIR, known_requirements: set[str] | None = None
) -> list[TemplateData]:
    """Parse and check every template file. ``known_requirements``: the requirement keys that
    exist (when given, links to anything else are errors)."""
    problems: list[str] = []
    templates: list[TemplateData] = []
    seen: dict[str, str] = {}
    order = 0
    for path in sorted(folder.glob("*.yaml")):
        where_file = f"templates/{path.name}"
        failed = len(problems)
        data = read_yaml(path, where_file, problems)
        if len(problems) > failed:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("templates"), list):
            problems.append(f"{where_file}: expected a mapping with a list 'templates'")
            continue
        for index, raw in enumerate(data["templates"], start=1):
            key = str(raw.get("key") or "") if isinstance(raw, dict) else ""
            where = f"{where_file}: template {key!r}" if key else f"{where_file}: template {index}"
            if not isinstance(raw, dict):
                problems.append(f"{where}: expected a mapping")
                continue
            before = len(problems)
            unknown = set(raw) - TEMPLATE_FIELDS
            if unknown:
                problems.append(f"{where}: unknown field(s) {sorted(unknown)}")
            for name in ("key", "title", "type", "frequency", "owner_role", "description"):
                if not _text(raw.get(name)):
                    problems.append(f"{where}: missing '{name}'")
            if raw.get("type") not in ControlType.values:
                problems.append(
                    f"{where}: type {raw.get('type')!r} is not one of {', '.join(ControlType.values)}"
                )
            if raw.get("frequency") not in Frequency.values:
                problems.append(
                    f"{where}: frequency {raw.get('frequency')!r} is not one of {', '.join(Frequency.values)}"
                )
            evidence = raw.get("example_evidence")
            if (
                not isinstance(evidence, list)
                or not evidence
                or not all(isinstance(x, str) for x in evidence)
            ):
                problems.append(f"{where}: 'example_evidence' must be a non-empty list of texts")
                evidence = []
            if key in seen:
                problems.append(f"{where}: duplicate key (also in {seen[key]})")
            links: list[LinkData] = []
            raw_links = raw.get("requirements")
            if not isinstance(raw_links, list) or not raw_links:
                problems.append(f"{where}: 'requirements' must list at least one requirement")
                raw_links = []
            standards = set()
            for link in raw_links:
                rkey = str(link.get("key") or "") if isinstance(link, dict) else ""
                if not rkey or set(link) - LINK_FIELDS:
                    problems.append(
                        f"{where}: each requirement needs key, coverage and note (and nothing else)"
                    )
                    continue
                if link.get("coverage") not in Coverage.values:
                    problems.append(f"{where}: {rkey}: coverage must be full or partial")
                if known_requirements is not None and rkey not in known_requirements:
                    problems.append(f"{where}: requirement {rkey!r} does not exist (is the standard loaded?)")
                standards.add(rkey.rsplit(":", 1)[0])
                links.append(LinkData(rkey, str(link.get("coverage")), _text(link.get("note"))))
            if len(standards) > 1 and not _text(raw.get("ai_extension")):
                problems.append(f"{where}: serves several standards, so it needs an 'ai_extension'")
            if len(problems) > before:
                continue
            seen[key] = where_file
            order += 1
            templates.append(
                TemplateData(
                    key=key,
                    title=_text(raw["title"]),
                    type=raw["type"],
                    frequency=raw["frequency"],
                    owner_role=_text(raw["owner_role"]),
                    description=_text(raw["description"]),
                    ai_extension=_text(raw.get("ai_extension")),
                    example_evidence=[_text(x) for x in evidence],
                    source=where_file,
                    sort_order=order * 10,
                    links=links,
                )
            )
    if problems:
        raise TemplateDataError(problems)
    return templates
