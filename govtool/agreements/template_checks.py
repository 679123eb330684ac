"""Checks for agreement templates, shared by `govtool templates check` and the upload page."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext

from ..core.docx import TemplateIssue, inspect_template
from .rendering import PROVIDED

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
MAX_EXPANDED_BYTES = 100 * 1024 * 1024
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
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            names = {m.filename.lower() for m in members}
            if sum(m.file_size for m in members) > MAX_EXPANDED_BYTES:
                return _error(gettext("The document expands to more than 100 MB; refused."))
            if "[content_types].xml" not in names or "word/document.xml" not in names:
                return _error(gettext("The file is not a DOCX document (no Word document part)."))
            types = package.read("[Content_Types].xml")
            if any(n.endswith(_MACRO_NAMES) for n in names) or b"macroEnabled" in types:
                return _error(gettext("The document contains macros; refused."))
            for member in members:
                if member.filename.endswith(".rels") and _EXTERNAL.search(
                    package.read(member.filename)
                ):
                    return _error(
                        gettext(
                            "The document links to external content (%(part)s); refused.",
                            part=member.filename,
                        )
                    )
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError) as exc:
        return _error(gettext("The file is not a readable DOCX document (%(e)s).", e=str(exc)))
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
    return result
