"""DOCX rendering with docxtpl, shared by agreements, minutes and the catalogue register.

Templates run in a Jinja sandbox with StrictUndefined and autoescape, so a template cannot reach
Python internals and a missing variable is an error naming the tag, not an empty string.

Each template (keyed by the SHA-256 of its bytes) is parsed and compiled once and reused: docxtpl's
own render() re-parses and re-compiles the XML on every call, which dominates render time. Output
is deterministic (fixed zip timestamps, document properties from the document's own moment), so
rendering one agreement version twice gives byte-identical files and a stored SHA-256 can prove
which text was signed. Every rendered document gets the house style of core.document_style.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import sys
import threading
import time
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx.opc.pkgwriter import PackageWriter
from docxtpl import DocxTemplate
from flask_babel import gettext, lazy_gettext
from jinja2 import (
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    meta,
    nodes,
    pass_eval_context,
)
from jinja2.filters import do_center, do_format, do_indent, do_replace, sync_do_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from .archives import ArchiveRefused, check_archive
from .document_style import DocumentMeta, apply_document_style
from .errors import ValidationError
from .formatting import format_date, format_datetime, format_money, format_number, format_time

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_PROPERTY_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_CACHE_SIZE = 32
# Characters XML 1.0 forbids; user text containing them would make Word refuse the file.
_INVALID_XML_CHARS = re.compile("[\x00-\x06\x08\x0b\x0e-\x1f\ufffe\uffff]")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


class TemplateRenderError(ValidationError):
    """A template could not be rendered; the message names the tag and the reason for the user.
    A ValidationError (422), so a page that renders a stored template answers with the message,
    never a 500."""

    def __init__(self, message: str, *, tag: str = "", paragraph: str = ""):
        super().__init__(message)
        self.tag = tag
        self.paragraph = paragraph


def _finalize(value: Any) -> Any:
    """Strip characters XML cannot hold and normalise Windows line breaks in output values."""
    if isinstance(value, str):
        return _INVALID_XML_CHARS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value


# Bounds of the document sandbox. A template is written by an administrator but runs on the
# server: without them `{{ 10 ** 100000 }}`, `{{ "x" * 10**9 }}`, `lipsum(n=10**6)` or nested
# `range(100000)` loops take minutes and gigabytes. Real agreement templates stay far below.
MAX_RANGE = 1000  # items of one range()
MAX_INT_BITS = 4096  # a number of ~1,200 digits; results of * and ** beyond are refused
MAX_TEXT = 100_000  # characters of one string (or items of one list) made by *, center, replace…
_WIDE_FORMAT = re.compile(
    r"%[#0 +\-]*(?:\d{6,}|\*)|%[#0 +\-]*\d*\.(?:\d{6,}|\*)"  # printf widths and precisions
    r"|\{[^{}]*:[^{}]*(?:\d{6,}|\{)"  # str.format widths, nested (computed) widths
)


# What a refusal names; lazy, so the checks that run on every call in a template translate nothing.
_A_FORMAT_WIDTH = lazy_gettext("A format width")
_A_WIDTH = lazy_gettext("A width")
_A_STRING = lazy_gettext("A string")
_A_POWER = lazy_gettext("A power")
_A_PRODUCT = lazy_gettext("A product")
_A_REPEAT = lazy_gettext("A repeated string or list")


def _refuse(what: Any) -> SecurityError:
    # The message reaches the administrator on the upload page: in the UI's language.
    return SecurityError(
        gettext("%(what)s exceeds the limits of document templates", what=str(what))
    )


def _check_text_size(size: int, what: Any) -> None:
    if size > MAX_TEXT:
        raise _refuse(what)


def _check_format(template: Any) -> None:
    if isinstance(template, str) and _WIDE_FORMAT.search(template):
        raise _refuse(_A_FORMAT_WIDTH)


def bounded_range(*args: int) -> range:
    """range() for templates: at most MAX_RANGE items."""
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise _refuse(
            gettext("range() of %(n)s items (limit %(limit)s)", n=len(result), limit=MAX_RANGE)
        )
    return result


def _bounded_center(value: Any, width: int = 80) -> str:
    _check_text_size(int(width), "center()")
    return do_center(value, width)


def _bounded_indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False):
    lines = str(s).count("\n") + 1
    pad = width if isinstance(width, str) else " " * _bounded_width(width)
    _check_text_size(len(str(s)) + lines * len(pad), "indent()")
    return do_indent(s, width, first, blank)


def _bounded_width(width: int) -> int:
    _check_text_size(int(width), _A_WIDTH)
    return int(width)


def _bounded_format(value: str, *args: Any, **kwargs: Any) -> str:
    _check_format(value)
    return do_format(value, *args, **kwargs)


@pass_eval_context
def _bounded_replace(eval_ctx, s: Any, old: str, new: str, count: int | None = None) -> str:
    text = str(s)
    hits = text.count(str(old)) if old else len(text) + 1
    if count is not None:
        hits = min(hits, max(int(count), 0))
    _check_text_size(len(text) + hits * len(str(new)), "replace()")
    return do_replace(eval_ctx, s, old, new, count)


@pass_eval_context
def _bounded_join(eval_ctx, value: Any, d: str = "", attribute: Any = None) -> str:
    items = list(value)
    if attribute is None:
        _check_text_size(sum(len(str(i)) for i in items) + len(d) * len(items), "join()")
    return sync_do_join(eval_ctx, items, d, attribute)


def _projected_call_size(obj: Any, args: tuple, kwargs: dict) -> int:
    """Size of the string a str method call would build (0 for calls that do not grow)."""
    method = getattr(obj, "__name__", "")
    text = getattr(obj, "__self__", None)
    if not isinstance(text, str):
        return 0
    if method in ("center", "ljust", "rjust", "zfill") and args:
        return int(args[0])
    if method == "expandtabs":
        return len(text) * int(args[0] if args else kwargs.get("tabsize", 8))
    if method == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        return len(text) + (text.count(old) if old else len(text) + 1) * len(new)
    if method == "join" and args:
        items = args[0]
        if isinstance(items, list | tuple):
            return sum(len(str(i)) for i in items) + len(text) * len(items)
    return 0


class DocumentSandbox(ImmutableSandboxedEnvironment):
    """The sandbox every DOCX template renders in: no Python internals (Jinja's sandbox), no
    lipsum, range() of at most MAX_RANGE items, and *, ** and text-growing methods bounded."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_product(left, right)
        elif operator == "%":
            _check_format(left)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if getattr(__obj, "__name__", "") == "join" and args and not isinstance(args[0], list):
            args = (list(args[0]), *args[1:])  # measure a generator once, then join it
        _check_text_size(_projected_call_size(__obj, args, kwargs), _A_STRING)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any):
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_power(base: Any, exponent: Any) -> None:
    if _is_int(base) and _is_int(exponent) and abs(base) > 1 and exponent > 0:
        if abs(base).bit_length() * exponent > MAX_INT_BITS:
            raise _refuse(_A_POWER)
    elif isinstance(base, int | float) and isinstance(exponent, int | float):
        if abs(exponent) > MAX_INT_BITS:
            raise _refuse(_A_POWER)


def _check_product(left: Any, right: Any) -> None:
    if _is_int(left) and _is_int(right):
        if abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
            raise _refuse(_A_PRODUCT)
        return
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, str | bytes | list | tuple) and _is_int(times):
            _check_text_size(len(sequence) * max(times, 0), _A_REPEAT)


def make_environment() -> DocumentSandbox:
    """The Jinja environment for DOCX templates: bounded sandbox, strict, autoescaped, German
    filters."""
    env = DocumentSandbox(undefined=StrictUndefined, autoescape=True, finalize=_finalize)
    del env.globals["lipsum"]
    env.globals["range"] = bounded_range
    env.filters.update(
        center=_bounded_center,
        indent=_bounded_indent,
        format=_bounded_format,
        replace=_bounded_replace,
        join=_bounded_join,
        date=lambda v: format_date(v, "de"),
        datetime=lambda v: format_datetime(v, "de"),
        time=lambda v: format_time(v, "de"),
        money=lambda v: format_money(v, "de"),
        number=lambda v: format_number(v, "de"),
    )
    return env


def _paragraph_text(xml_line: str) -> str:
    return re.sub(r"<[^>]+>", "", xml_line).strip()


def _tag_in(text: str, hint: str = "") -> str:
    """The template tag in `text` that best matches `hint` (a name from the error message)."""
    tags = _TAG.findall(text)
    for tag in tags:
        if hint and hint in tag:
            return tag
    return tags[0] if tags else ""


@dataclass
class PreparedTemplate:
    """A template parsed and compiled once: its bytes, body and header/footer Jinja templates."""

    data: bytes
    sha256: str
    body: Any
    body_source: str
    parts: dict[str, tuple[Any, str, str]] = field(default_factory=dict)  # name: (tpl, src, enc)
    variables: set[str] = field(default_factory=set)


class _Renderer(DocxTemplate):
    """DocxTemplate that takes its compiled Jinja templates from a PreparedTemplate."""

    def __init__(self, prepared: PreparedTemplate):
        super().__init__(io.BytesIO(prepared.data))
        self.prepared = prepared

    def _render_compiled(self, template, source: str, part, context) -> str:
        self.current_rendering_part = part
        try:
            xml = template.render(context)
        except TemplateError as exc:
            raise _explain(exc, source) from exc
        except SecurityError as exc:  # pragma: no cover - SecurityError is a TemplateError
            raise _explain(exc, source) from exc
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%")
        xml = xml.replace("%_}", "%}")
        return self.resolve_listing(xml)

    def build_xml(self, context, jinja_env=None):
        return self._render_compiled(
            self.prepared.body, self.prepared.body_source, self.docx._part, context
        )

    def build_headers_footers_xml(self, context, uri, jinja_env=None):
        for rel_key, part in self.get_headers_footers(uri):
            compiled = self.prepared.parts.get(str(part.partname))
            if compiled is None:
                continue
            template, source, encoding = compiled
            yield rel_key, self._render_compiled(template, source, part, context).encode(encoding)

    def render_footnotes(self, context, jinja_env=None):
        return None  # govtool templates keep no tags in footnotes; skipping saves a part scan


def _explain(exc: Exception, source: str) -> TemplateRenderError:
    """Turn a Jinja error into a message naming the offending tag and its paragraph."""
    lineno = getattr(exc, "lineno", None)
    if lineno is None:
        tb = sys.exc_info()[2] or exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<template>":
                lineno = tb.tb_lineno
            tb = tb.tb_next
    lines = source.splitlines()
    paragraph = _paragraph_text(lines[lineno - 1]) if lineno and lineno <= len(lines) else ""
    message = str(getattr(exc, "message", None) or exc)
    hint = ""
    found = re.search(r"'([^']+)' is undefined|attribute '([^']+)'", message)
    if found:
        hint = found.group(1) or found.group(2)
    tag = _tag_in(paragraph, hint)
    if isinstance(exc, SecurityError):
        text = gettext(
            "Template refused at tag %(tag)s: %(message)s", tag=tag or "?", message=message
        )
    else:
        text = gettext(
            "Template failed at tag %(tag)s: %(message)s", tag=tag or "?", message=message
        )
    if paragraph:
        text += " " + gettext('(paragraph: "%(text)s")', text=paragraph[:200])
    return TemplateRenderError(text, tag=tag, paragraph=paragraph)


_cache: OrderedDict[str, PreparedTemplate] = OrderedDict()
_cache_lock = threading.Lock()
_env = make_environment()


def _read(template: Path | str | bytes) -> bytes:
    if isinstance(template, bytes | bytearray):
        return bytes(template)
    return Path(template).read_bytes()


def _compile(env, source: str):
    return env.from_string(source)


def prepare_template(template: Path | str | bytes) -> PreparedTemplate:
    """Parse and compile a template once; later calls with the same bytes reuse the result."""
    data = _read(template)
    digest = hashlib.sha256(data).hexdigest()
    with _cache_lock:
        prepared = _cache.get(digest)
        if prepared is not None:
            _cache.move_to_end(digest)
            return prepared
    try:
        check_archive(data)  # a template stored before the upload check had the same limits
    except ArchiveRefused as refused:
        raise TemplateRenderError(refused.message) from refused
    try:
        doc = DocxTemplate(io.BytesIO(data))
        doc.init_docx()
    except Exception as exc:  # not a readable DOCX
        raise TemplateRenderError(f"The file is not a readable DOCX document ({exc}).") from exc
    body_source = re.sub(r"<w:p([ >])", r"\n<w:p\1", doc.patch_xml(doc.get_xml()))
    sources = {"body": body_source}
    parts: dict[str, tuple[Any, str, str]] = {}
    for uri in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI):
        for _key, part in doc.get_headers_footers(uri):
            xml = doc.get_part_xml(part)
            encoding = doc.get_headers_footers_encoding(xml)
            source = re.sub(r"<w:p([ >])", r"\n<w:p\1", doc.patch_xml(xml))
            sources[str(part.partname)] = source
            parts[str(part.partname)] = (None, source, encoding)
    compiled: dict[str, Any] = {}
    variables: set[str] = set()
    for name, source in sources.items():
        try:
            compiled[name] = _compile(_env, source)
            variables |= meta.find_undeclared_variables(_env.parse(source))
        except TemplateError as exc:
            raise _explain(exc, source) from exc
        except Exception as exc:  # the compiler's constant folding can fail on any expression
            raise TemplateRenderError(
                gettext("The template cannot be compiled: %(e)s", e=str(exc))
            ) from exc
    prepared = PreparedTemplate(
        data=data,
        sha256=digest,
        body=compiled["body"],
        body_source=body_source,
        parts={name: (compiled[name], src, enc) for name, (_t, src, enc) in parts.items()},
        variables=variables,
    )
    with _cache_lock:
        _cache[digest] = prepared
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return prepared


class _OverBudget(Exception):
    """The dry run took longer than its time budget."""


def dry_run(
    template: Path | str | bytes,
    context: dict[str, Any],
    *,
    max_chars: int,
    max_seconds: float,
) -> str | None:
    """Render every part of a template with `context` in the sandbox, counting the output and
    stopping at `max_chars` characters or `max_seconds`; the problem as text, or None when the
    template renders within budget. Used to check uploads before they are stored."""
    try:
        prepared = prepare_template(template)
    except TemplateRenderError as error:
        return error.message
    deadline = time.monotonic() + max_seconds

    def in_template(frame, event, _arg):
        if time.monotonic() > deadline:
            raise _OverBudget
        return in_template

    def tracer(frame, event, _arg):
        # Only the template's own code is watched: a loop in it is where time goes.
        if frame.f_code.co_filename == "<template>":
            return in_template
        return None

    parts = [(prepared.body, prepared.body_source)]
    parts += [(compiled, source) for compiled, source, _enc in prepared.parts.values()]
    size = 0
    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        for compiled, source in parts:
            try:
                for chunk in compiled.generate(context):
                    size += len(chunk)
                    if size > max_chars:
                        return gettext(
                            "The template writes more than %(n)s characters with sample data "
                            "(a loop or repetition too large).",
                            n=format_number(max_chars),
                        )
            except _OverBudget:
                return gettext(
                    "The template takes longer than %(s)s s to render with sample data "
                    "(a loop too large).",
                    s=f"{max_seconds:g}",
                )
            except TemplateError as exc:
                return _explain(exc, source).message
            except Exception as exc:
                return gettext("Template failed: %(error)s", error=f"{type(exc).__name__}: {exc}")
    finally:
        sys.settrace(previous)
    return None


def _save_deterministic(document, out: io.BytesIO) -> None:
    """Save like python-docx, but with fixed zip timestamps: equal input gives equal bytes."""
    package = document.part.package

    class _Writer:
        def __init__(self, stream):
            self._zip = zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED)

        def write(self, pack_uri, blob):
            info = zipfile.ZipInfo(pack_uri.membername, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            self._zip.writestr(info, blob)

        def close(self):
            self._zip.close()

    for part in package.parts:
        part.before_marshal()
    writer = _Writer(out)
    PackageWriter._write_content_types_stream(writer, package.parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    # _Writer has the write() the private PackageWriter helpers use, not a PhysPkgWriter's base.
    PackageWriter._write_parts(writer, package.parts)  # type: ignore[arg-type]
    writer.close()


def save_document(document) -> bytes:
    """A python-docx Document as bytes with fixed zip timestamps: equal documents, equal bytes
    (for documents changed after rendering, e.g. an agreement's signature page)."""
    out = io.BytesIO()
    _save_deterministic(document, out)
    return out.getvalue()


def _sync_related_parts(document) -> None:
    """docxtpl puts each rendered header and footer in a new part by changing its relationship's
    target, but python-docx resolves `section.footer` through a cache of the old targets: point
    the cache at the rendered parts, so what the style adds to a footer is what gets saved."""
    rels = document.part.rels
    for rel_id, rel in rels.items():
        if not rel.is_external:
            rels.related_parts[rel_id] = rel.target_part


def render_docx(
    template: Path | str | bytes,
    context: dict[str, Any],
    *,
    properties: dict[str, Any] | None = None,
    meta: DocumentMeta | None = None,
) -> bytes:
    """Render a DOCX template (path or bytes) with `context`; returns the document's bytes.

    The result gets the house style (core.document_style): tables laid out from their content,
    page numbers, the document language; with `meta` (who issues it, its file reference, date
    and contact) also the letterhead, the reference line and the core properties. `properties`
    sets further core properties (title, author, subject...). Nothing reads the clock: without a
    moment of the document's own, the timestamps are a fixed one, so the same input always
    yields the same bytes.
    """
    prepared = prepare_template(template)
    renderer = _Renderer(prepared)
    try:
        renderer.render(context, jinja_env=_env, autoescape=True)
    except TemplateRenderError:
        raise
    except Exception as exc:  # Jinja and docxtpl raise many types; the user needs one message
        raise TemplateRenderError(f"{type(exc).__name__}: {exc}") from exc
    document = renderer.docx
    _sync_related_parts(document)
    apply_document_style(document, meta)
    props = document.core_properties
    values: dict[str, Any] = {}
    if meta is None:
        values = {"created": FIXED_PROPERTY_TIME, "modified": FIXED_PROPERTY_TIME}
        props.last_modified_by = "govtool"
        props.revision = 1
    values.update(properties or {})
    for key, value in values.items():
        setattr(props, key, value)
    out = io.BytesIO()
    _save_deterministic(document, out)
    return out.getvalue()


# --- Template inspection (used by `govtool templates check` and template uploads) -------------


@dataclass
class TemplateIssue:
    """One problem or remark found in a template, with the paragraph it stands in."""

    level: str  # "error" or "warning"
    message: str
    paragraph: str = ""
    tag: str = ""


@dataclass
class TemplateReport:
    variables: set[str] = field(default_factory=set)
    paths: set[str] = field(default_factory=set)  # dotted uses rooted at a variable: agreement.x
    issues: list[TemplateIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[TemplateIssue]:
        return [i for i in self.issues if i.level == "error"]


_W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CURLY = "“”„‘’‚"


def _attribute_paths(ast, roots: set[str]) -> set[str]:
    """Dotted names like agreement.number whose root is one of `roots`."""
    paths = set()
    for node in ast.find_all(nodes.Getattr):
        chain = [node.attr]
        target = node.node
        while isinstance(target, nodes.Getattr):
            chain.append(target.attr)
            target = target.node
        if isinstance(target, nodes.Name) and target.name in roots:
            paths.add(".".join([target.name, *reversed(chain)]))
    return paths


def inspect_template(data: bytes) -> TemplateReport:
    """Variables a template uses, its syntax errors, and tags Word split or curly-quoted."""
    from docx import Document

    report = TemplateReport()
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:
        report.issues.append(TemplateIssue("error", f"Not a readable DOCX document ({exc})."))
        return report
    # Look at each paragraph's runs: a tag spread over several runs still renders (docxtpl joins
    # them), but Word may split it again on the next edit, so it is reported as a warning.
    elements = [document.element.body]
    for section in document.sections:
        for part in (section.header, section.footer):
            if not part.is_linked_to_previous:
                elements.append(part._element)
    for root in elements:
        for paragraph in root.iter(f"{_W_NS}p"):
            runs = [
                "".join(t.text or "" for t in r.iter(f"{_W_NS}t"))
                for r in paragraph.iter(f"{_W_NS}r")
            ]
            text = "".join(runs)
            if "{" not in text:
                continue
            bounds, start = [], 0
            for run in runs:
                bounds.append((start, start + len(run)))
                start += len(run)
            for match in _TAG.finditer(text):
                tag = match.group(0)
                spans = [b for b in bounds if b[0] < match.end() and b[1] > match.start()]
                if len(spans) > 1:
                    report.issues.append(
                        TemplateIssue(
                            "warning",
                            f"Tag {tag} is split across {len(spans)} text runs "
                            "(Word formatting); retype it in one go.",
                            text,
                            tag,
                        )
                    )
                if any(q in tag for q in _CURLY):
                    report.issues.append(
                        TemplateIssue(
                            "warning",
                            f"Tag {tag} contains typographic quotes; "
                            "they are read as straight quotes.",
                            text,
                            tag,
                        )
                    )
            opened = text.count("{{") + text.count("{%")
            closed = text.count("}}") + text.count("%}")
            if opened != closed:
                report.issues.append(
                    TemplateIssue("error", "Unbalanced tag braces in paragraph.", text)
                )
    try:
        doc = DocxTemplate(io.BytesIO(data))
        doc.init_docx()
        sources = [re.sub(r"<w:p([ >])", r"\n<w:p\1", doc.patch_xml(doc.get_xml()))]
        for uri in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI):
            for _key, part in doc.get_headers_footers(uri):
                sources.append(
                    re.sub(r"<w:p([ >])", r"\n<w:p\1", doc.patch_xml(doc.get_part_xml(part)))
                )
    except Exception as exc:
        report.issues.append(TemplateIssue("error", f"Not a readable DOCX document ({exc})."))
        return report
    for source in sources:
        try:
            ast = _env.parse(source)
        except TemplateSyntaxError as exc:
            error = _explain(exc, source)
            if not any(
                i.level == "error" and i.paragraph == error.paragraph for i in report.issues
            ):
                report.issues.append(
                    TemplateIssue("error", error.message, error.paragraph, error.tag)
                )
            continue
        names = meta.find_undeclared_variables(ast)
        report.variables |= names
        report.paths |= _attribute_paths(ast, names)
    return report
