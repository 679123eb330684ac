"""govtool: agreements, committees and the data-sharing catalogue for cooperating public bodies."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask, Response, has_request_context, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import SecurityError

from .config import (
    DEFAULT_BASE_URL,
    DEFAULT_SECRET_KEY,
    PROJECT_ROOT,
    Config,
    TestConfig,
    config_from_environment,
)
from .extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
from .i18n import install_request_cached_translations

__all__ = ["create_app", "Config", "TestConfig"]

# What a 503 (the database away) asks the client to wait before trying again.
RETRY_AFTER_SECONDS = 30
# How long a new PostgreSQL connection may take before the request gets the 503 page.
PG_CONNECT_TIMEOUT_SECONDS = 5


def select_locale() -> str:
    """German unless the user chose English (header switch or profile)."""
    from flask import current_app

    # Outside a request (CLI, reminders, document rendering) there is no session: use the default.
    chosen = session.get("locale") if has_request_context() else None
    if isinstance(chosen, str) and chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error pages, CLI."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(Path(Config.INSTANCE_DIR)),
    )
    if isinstance(config, dict):
        app.config.from_object(config_from_environment())
        app.config.update(config)
    else:
        app.config.from_object(config or config_from_environment())
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    _ensure_secret_key(app)
    _check_base_url(app)
    _apply_proxy_fix(app)
    logging.basicConfig(level=logging.INFO)

    _configure_database_connections(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Europe/Berlin")
    install_request_cached_translations(app, babel)
    bootstrap.init_app(app)
    _configure_rate_limit_storage(app)
    limiter.init_app(app)

    _register_models_and_rules()
    # Before the blueprints: every `<int:...>` rule binds to the bounded converter (core.args).
    from .core.args import BoundedIntConverter, BoundedRequest

    app.url_map.converters["int"] = BoundedIntConverter
    app.request_class = BoundedRequest
    _register_areas(app)
    _register_error_pages(app)
    _register_template_helpers(app)

    from .core.security import refuse_nul_characters, set_security_headers

    app.before_request(refuse_nul_characters)
    app.after_request(set_security_headers)

    from .cli import register_commands

    register_commands(app)
    return app


def _configure_database_connections(app: Flask) -> None:
    """Test each pooled connection before use (pool_pre_ping), so a connection cut while idle
    is replaced instead of failing a request; on PostgreSQL, give up connecting after a few
    seconds, so a database that is away answers 503 soon instead of holding the worker."""
    from sqlalchemy.engine import make_url

    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", True)
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", PG_CONNECT_TIMEOUT_SECONDS)
        options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _configure_rate_limit_storage(app: Flask) -> None:
    """Rate limits count in Redis when GOVTOOL_REDIS_URL (or RATELIMIT_STORAGE_URI) names one,
    with memory as the fallback while Redis is down (core.ratelimit_storage); else in memory."""
    from .core.ratelimit_storage import fallback_uri

    uri = (
        app.config.get("RATELIMIT_STORAGE_URI")
        or app.config.get("GOVTOOL_REDIS_URL")
        or "memory://"
    )
    app.config["RATELIMIT_STORAGE_URI"] = fallback_uri(uri)
    if app.config["RATELIMIT_STORAGE_URI"] != uri:
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {
            "retry_seconds": app.config.get("GOVTOOL_REDIS_RETRY_SECONDS", 5),
            **(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}),
        }


def _check_base_url(app: Flask) -> None:
    """Every absolute link is built on GOVTOOL_BASE_URL (core.urls): a production start without
    it warns, since mails and identifiers would then name the development address."""
    from urllib.parse import urlsplit

    url = app.config.get("GOVTOOL_BASE_URL") or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RuntimeError(
            f"GOVTOOL_BASE_URL={url!r} is not an absolute http(s) address, "
            "e.g. https://govtool.example.org"
        )
    if app.config.get("ENV_NAME") == "production" and url == DEFAULT_BASE_URL:
        logging.getLogger("govtool").warning(
            "GOVTOOL_BASE_URL is not set: links in mails, .ics files, exports and DCAT "
            "identifiers point to %s. Set GOVTOOL_BASE_URL to the public address.",
            DEFAULT_BASE_URL,
        )


def _ensure_secret_key(app: Flask) -> None:
    """Never run with a known key: production needs a long SECRET_KEY; development without one
    uses a random key kept in the instance directory, so sessions survive a restart."""
    key = app.config.get("SECRET_KEY")
    if (
        key
        and key != DEFAULT_SECRET_KEY
        and (len(key) >= 16 or app.config.get("ENV_NAME") != "production")
    ):
        return
    if app.config.get("ENV_NAME") == "production":
        raise RuntimeError(
            "SECRET_KEY is missing or the development default; set a long random SECRET_KEY "
            "before running govtool in production (GOVTOOL_ENV=production)."
        )
    app.config["SECRET_KEY"] = _instance_secret_key(Path(app.config["INSTANCE_DIR"]) / "secret_key")


def _instance_secret_key(path: Path) -> str:
    """The key stored at `path`, created once (random, readable by the owner only)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if len(key) >= 32:
            return key
        path.unlink()  # empty or cut short (e.g. a crash while writing): start again
        return _instance_secret_key(path)
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


def _apply_proxy_fix(app: Flask) -> None:
    """Behind a reverse proxy, take client address (and scheme, host) from its X-Forwarded-*
    headers, so the rate limits key on the real client; only as many hops as configured, since
    a client can send these headers itself."""
    hops = {
        name: int(app.config.get(f"GOVTOOL_PROXY_FIX_{name.upper()}") or 0)
        for name in ("for", "proto", "host")
    }
    if any(hops.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask documents wrapping wsgi_app in middleware; mypy sees a method being replaced.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops["for"], x_proto=hops["proto"], x_host=hops["host"]
        )


def _register_models_and_rules() -> None:
    # Importing the modules registers models with SQLAlchemy and rules with core.permissions.
    from . import models  # noqa: F401


def _register_areas(app: Flask) -> None:
    """Each area registers its own pages, navigation, dashboard panel, commands, reminders, demo
    data and catalogue (its init_app). Core first, then the areas alphabetically: the order of
    the dashboard panels, demo loaders (links after the areas it links), reminders and catalogues.
    """
    from . import agreements, api, auth, bodies, catalogue, core, directory, links, oparl

    for area in (core, auth, agreements, bodies, catalogue, directory, links, oparl, api):
        area.init_app(app)


def _register_error_pages(app: Flask) -> None:
    from flask_babel import gettext

    from .core.errors import DomainError
    from .core.forms import answer_domain_error
    from .core.models import rollback_quietly
    from .core.security import NulCharacterInInput
    from .core.storage import StoreUnavailable

    messages = {
        400: _l("The request could not be processed."),
        403: _l("You are not allowed to see or do this."),
        404: _l("This page does not exist."),
        405: _l("This action is not possible here."),
        413: _l(
            "The upload or the text sent is too large. Nothing was saved; please send a "
            "smaller file or a shorter text."
        ),
        429: _l("Too many attempts. Please wait a minute and try again."),
        500: _l(
            "Something went wrong on our side; the error has been logged. If you were saving "
            "something, please check whether it was saved before you try again."
        ),
        503: _l(
            "govtool is unavailable for a moment: its database cannot be reached. What you sent "
            "just now may not have been saved. Please try again in a few minutes."
        ),
    }

    # What the page's heading says; the status code stays beside it for support calls.
    titles = {
        400: _l("Request not processed"),
        403: _l("No access"),
        404: _l("Page not found"),
        405: _l("Not possible here"),
        413: _l("Upload too large"),
        429: _l("Too many attempts"),
        500: _l("Something went wrong"),
        503: _l("Temporarily unavailable"),
    }

    def render_error(error, code: int, message=None):
        if code >= 500:
            rollback_quietly()
        # A client that may try again (a database away for a moment) is told when.
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)} if code == 503 else {}
        if request.path.startswith(("/api/", "/oparl/")):
            from .api.problems import problem

            headers = {
                k: v
                for k, v in getattr(error, "get_headers", lambda: [])()
                if k.lower() != "content-type"
            }
            return problem(code, str(message or messages[code]), headers={**headers, **retry})
        if code == 503:
            _forget_user()  # the header would ask the database for the user again
        try:
            page = render_template(
                "errors/error.html",
                code=code,
                title=titles[code],
                message=message or messages[code],
            )
        except Exception:
            # Rendering needs the signed-in user; when that fails too, show the page as to a
            # visitor rather than Werkzeug's bare English one.
            app.logger.exception("error page %s could not be rendered for the user", code)
            rollback_quietly()
            _forget_user()
            page = render_template(
                "errors/error.html",
                code=code,
                title=titles[code],
                message=message or messages[code],
            )
        return page, code, retry

    for code in messages:
        app.register_error_handler(code, lambda e, code=code: render_error(e, code))
    app.register_error_handler(DomainError, answer_domain_error)

    # The database away or the connection cut (issue 15): the request in flight gets the 503 page
    # and its session is rolled back; a connection that SQLAlchemy found broken is already
    # invalidated (connection_invalidated), the others are tested on their next checkout
    # (pool_pre_ping), so the next request gets a fresh one without restarting the process.
    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.InterfaceError)
    @app.errorhandler(sa_exc.DisconnectionError)
    @app.errorhandler(sa_exc.TimeoutError)
    def database_unavailable(error):
        app.logger.error("database unavailable: %s", error)
        return render_error(error, 503)

    @app.errorhandler(StoreUnavailable)
    def storage_unavailable(error):
        app.logger.error("file storage unavailable: %s", error)
        return render_error(
            error,
            503,
            gettext(
                "govtool cannot reach its file storage for a moment, so files cannot be "
                "uploaded or downloaded. Nothing was saved; please try again in a few minutes."
            ),
        )

    @app.errorhandler(sa_exc.DBAPIError)
    def database_error(error):
        if error.connection_invalidated:
            app.logger.error("database connection lost: %s", error)
            return render_error(error, 503)
        app.logger.exception("database error")
        return render_error(error, 500)

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # A Host header outside TRUSTED_HOSTS: no URL can be built for this request, so no page
        # with links either; a short text in both languages.
        return Response(
            "400 – Unbekannter Hostname. / Unknown host name.\n",
            status=400,
            mimetype="text/plain",
        )

    @app.errorhandler(NulCharacterInInput)
    def nul_character(error):
        return render_error(
            error, 400, gettext("The input contains a character that is not allowed (NUL).")
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            error,
            400,
            gettext(
                "The form had expired or was sent from elsewhere. "
                "Please reload the page and try again."
            ),
        )


def _forget_user() -> None:
    """Let the rest of this request see a visitor, without asking the database."""
    from flask import g

    g._login_user = login_manager.anonymous_user()


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from .core.formatting import register_filters
    from .core.navigation import visible_nav_items
    from .core.permissions import can
    from .core.urls import external_url

    register_filters(app)
    app.jinja_env.globals["external_url"] = external_url

    @app.context_processor
    def inject_helpers():
        return {
            "can": can,
            "nav_items": visible_nav_items,
            "current_locale": lambda: str(get_locale() or "de"),
            "locale_choices": (("de", "Deutsch"), ("en", "English")),
        }
