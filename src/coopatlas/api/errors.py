"""JSON errors of the API: every refusal is ``{"detail": message}``, invalid input adds ``errors`` per field.

Field messages come from the same Django forms as the UI (``InvalidDataError``) or, for values the
request schema already refuses (a date that is not a date, a page size over 100), from ninja's
validation, keyed by the field's path (``start_date``, ``sdg_targets.0``, ``page_size``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from coopatlas.core.services import StaleRecordError, WorkflowError

#: Key of messages that concern the whole record rather than one field (Django's convention).
NON_FIELD = "__all__"


class ErrorOut(Schema):
    """The body of every error response."""

    detail: str
    errors: dict[str, list[str]] | None = None
    current_version: int | None = None


class InvalidDataError(Exception):
    """A record form refused the data; carries its field messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def form_messages(form: Any) -> dict[str, list[str]]:
    """A bound, invalid form's errors as {field: [messages]} (strings in the active language)."""
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """Ninja's error location without its source (and, for a body, the parameter name)."""
    parts = list(loc)
    source = parts.pop(0) if parts else ""
    if source == "body" and len(parts) > 1:
        parts.pop(0)
    return ".".join(str(p) for p in parts) or str(source) or NON_FIELD


def _invalid(api: NinjaAPI, request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    detail = _("The data is not valid: see the messages of each field.")
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def install(api: NinjaAPI) -> None:
    """Register the exception handlers that turn the services' exceptions into JSON errors."""

    @api.exception_handler(NinjaValidationError)
    def on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_field_path(error.get("loc", ())), []).append(str(error.get("msg", "")))
        return _invalid(api, request, errors)

    @api.exception_handler(InvalidDataError)
    def on_form_invalid(request: HttpRequest, exc: InvalidDataError) -> HttpResponse:
        return _invalid(api, request, exc.errors)

    @api.exception_handler(DjangoValidationError)
    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: list(exc.messages)}
        return _invalid(api, request, {k: [str(m) for m in v] for k, v in errors.items()})

    @api.exception_handler(AuthenticationError)
    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        # Ninja raises the bare default when no credentials came; a refused token carries its own message.
        message = exc.message if exc.message != AuthenticationError().message else _(
            "Send an API token to do this: add the header “Authorization: Bearer <token>”."
        )
        response = api.create_response(request, {"detail": message}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or _("You may not do this.")}, status=403)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or _("Not found.")}, status=404)

    @api.exception_handler(StaleRecordError)
    def on_stale(request: HttpRequest, exc: StaleRecordError) -> HttpResponse:
        body = {"detail": str(exc), "current_version": exc.current_version}
        return api.create_response(request, body, status=409)

    @api.exception_handler(WorkflowError)
    def on_workflow(request: HttpRequest, exc: WorkflowError) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=409)

