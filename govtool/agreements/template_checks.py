"""Checks for agreement templates, shared by `govtool templates check` and the upload page."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext

from ..core.archives import MB, ArchiveLimits, ArchiveRefused, open_archive
from ..core.docx import TemplateIssue, dry_run, inspect_template
from .rendering import PROVIDED, sample_context

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
TEMPLATE_LIMITS = ArchiveLimits(max_members=500, max_member_bytes=50 * MB, max_total_bytes=100 * MB)
# The dry run with sample data: a template writing more XML text than this, or taking longer,
# is refused (an agreement renders to a few hundred KB in well under a second).
DRY_RUN_MAX_CHARS = 10_000_000
DRY_RUN_MAX_SECONDS = 5.0
_EXTERNAL = re.compile(rb"TargetMode\s*=\s*[\"']External[\"']", re.IGNORECASE)
_MACRO_NAMES = ("vbaproject.bin", "vbadata.xml")


@dataclass
class CheckResult:
    """What a template uses, what no agreement provides, and every problem found."""

    variables: list[str] = field(default_factory=list)
    unprovided: list[str] = field(default_factory=list)
    issues: list[TemplateIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[TemplateIssue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def _error(message: str) -> CheckResult:
    return CheckResult(issues=[TemplateIssue("error", message)])


def check_package(data: bytes, filename: str = "") -> CheckResult | None:
    """Refuse files that are not a plain DOCX: size, zip, macros, external links, zip bombs."""
    name = filename.lower()
    if len(data) > MAX_TEMPLATE_BYTES:
        return _error(gettext("The file is larger than 10 MB."))
    if name.endswith((".docm", ".dotm")):
        return _error(gettext("Macro-enabled Word files (.docm) are not accepted."))
    if name and not name.endswith(".docx"):
        return _error(gettext("Only Word documents (.docx) are accepted."))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return _error(gettext("The file is not a DOCX document (not a zip package)."))
    try:
        with open_archive(data, TEMPLATE_LIMITS) as package:
            names = {n.lower(): n for n in package.names}
            if "[content_types].xml" not in names or "word/document.xml" not in names:
                return _error(gettext("The file is not a DOCX document (no Word document part)."))
            types = package.read(names["[content_types].xml"])
            if any(n.endswith(_MACRO_NAMES) for n in names) or b"macroEnabled" in types:
                return _error(gettext("The document contains macros; refused."))
            for lower, name in names.items():
                if lower.endswith(".rels") and _EXTERNAL.search(package.read(name)):
                    return _error(
                        gettext(
                            "The document links to external content (%(part)s); refused.",
                            part=name,
                        )
                    )
    except ArchiveRefused as refused:
        return _error(refused.message)
    return None


def _unprovided(variables: set[str], paths: set[str]) -> list[str]:
    missing = sorted(v for v in variables if v not in PROVIDED)
    for path in sorted(paths):
        root, _, rest = path.partition(".")
        attrs = PROVIDED.get(root)
        if attrs is not None and rest and rest.split(".")[0] not in attrs:
            missing.append(path)
    return sorted(missing)


def check_template(data: bytes, filename: str = "") -> CheckResult:
    """Run every check; the template is usable only when the result has no errors."""
    refused = check_package(data, filename)
    if refused is not None:
        return refused
    report = inspect_template(data)
    result = CheckResult(
        variables=sorted(report.variables),
        unprovided=_unprovided(report.variables, report.paths),
        issues=list(report.issues),
    )
    for name in result.unprovided:
        result.issues.append(
            TemplateIssue(
                "error",
                gettext("No agreement provides the variable %(name)s.", name=name),
                tag=name,
            )
        )
    if not result.errors:
        # Parsing proves little: render it in the sandbox with sample data, within budgets.
        for draft in (True, False):
            problem = dry_run(
                data,
                sample_context(draft=draft),
                max_chars=DRY_RUN_MAX_CHARS,
                max_seconds=DRY_RUN_MAX_SECONDS,
            )
            if problem:
                result.issues.append(
                    TemplateIssue(
                        "error",
                        gettext("Rendering with sample data failed: %(problem)s", problem=problem),
                    )
                )
                break
    return result
