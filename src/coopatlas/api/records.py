"""The endpoints of each record type: list, retrieve, create, replace, update, delete, workflow, restore.

One router per type, built from the registry. Endpoints stay thin and do what the UI views in
``catalogue/views.py`` do: validate with the type's UI form, then call ``core.services``, which hold
the permission rules and the transactions. Reads show each caller what the UI shows them.
"""

# No ``from __future__ import annotations`` here: ninja reads the endpoints' annotations, and the
# body schemas are classes built inside ``record_router``, which string annotations cannot name.
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import AuthenticationError

from coopatlas.api import listing
from coopatlas.api.auth import READ_AUTH, WRITE_AUTH
from coopatlas.api.errors import ErrorOut
from coopatlas.api.forms_bridge import form_data, valid_form
from coopatlas.api.schemas import (
    WorkflowIn,
    build_input_schemas,
    build_output_schema,
    operation_id,
    output_fields,
    serialise,
)
from coopatlas.core import services
from coopatlas.core.registry import RecordType

READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def api_path(rt: RecordType) -> str:
    """The collection path of a record type (``solutions``, ``initiatives``)."""
    return rt.url_prefix or f"{rt.key}s"


def prefetch_names(rt: RecordType) -> list[str]:
    """The many-to-many relations a response shows, prefetched so a page costs a fixed number of queries."""
    return [field.name for field in output_fields(rt) if field.many_to_many]


def caller(request: HttpRequest) -> Any:
    """The user the request authenticated as (AnonymousUser for an anonymous read)."""
    return request.auth  # type: ignore[attr-defined]


def writer(request: HttpRequest) -> Any:
    """The token's user; a write never runs without one (the auth classes already refuse it)."""
    user = caller(request)
    if not getattr(user, "is_authenticated", False):
        raise AuthenticationError()
    return user


def visible_record(rt: RecordType, user: Any, pk: int) -> Any:
    """The record if ``user`` may see it (moderators also see deleted ones, to restore them), else 404."""
    manager = rt.model.objects
    is_moderator = getattr(user, "is_authenticated", False) and user.is_moderator
    queryset = manager.all() if is_moderator else manager.visible_to(user)
    record = queryset.filter(pk=pk).prefetch_related(*prefetch_names(rt)).first()
    if record is None:
        raise Http404(_("No such record, or you may not see it."))
    return record


def record_router(rt: RecordType) -> Router:
    """A router with the endpoints of record type ``rt``."""
    from coopatlas.catalogue.models import Membership, Organisation

    label = str(rt.label).lower()
    plural = str(rt.label_plural).lower()
    router = Router(tags=[str(rt.label_plural)])
    RecordOut = build_output_schema(rt)  # noqa: N806 - a class built at run time
    CreateIn, ReplaceIn, PatchIn = build_input_schemas(rt)  # noqa: N806
    PageOut = listing.page_schema(rt, RecordOut)  # noqa: N806

    def respond(request: HttpRequest, record: Any) -> dict[str, Any]:
        return serialise(record, rt, caller(request), request)

    def refreshed(request: HttpRequest, record: Any) -> dict[str, Any]:
        # The caller has just changed this record, so may see it; reloading by visibility would read
        # ``User.organisation_ids()``, cached before a new organisation's membership existed.
        return respond(request, rt.model.objects.prefetch_related(*prefetch_names(rt)).get(pk=record.pk))

    @router.get("", response={200: PageOut, 401: ErrorOut, 422: ErrorOut}, auth=READ_AUTH,
                operation_id=operation_id(rt, "list"), url_name=operation_id(rt, "list"),
                summary=f"List and filter {plural}")
    def list_records(request: HttpRequest, filters: Query[listing.ListFilters]) -> dict[str, Any]:
        """The records you may see, filtered like the search page, with its facets."""
        # ``filters`` validates and documents the query string; the search service reads it itself.
        page = listing.record_page(rt, request, caller(request))
        page["results"] = [respond(request, record) for record in page["results"]]
        return page

    @router.get("/{record_id}", response={200: RecordOut, **READ_ERRORS}, auth=READ_AUTH,
                operation_id=operation_id(rt, "get"), url_name=operation_id(rt, "get"), summary=f"Read a {label}")
    def get_record(request: HttpRequest, record_id: int) -> dict[str, Any]:
        """One record, if you may see it (drafts only for its organisation's members and moderators)."""
        return respond(request, visible_record(rt, caller(request), record_id))

    @router.post("", response={201: RecordOut, **WRITE_ERRORS}, auth=WRITE_AUTH,
                 operation_id=operation_id(rt, "create"), summary=f"Create a {label}")
    def create_record(request: HttpRequest, payload: CreateIn) -> Status[dict[str, Any]]:  # type: ignore[valid-type]
        """Create a draft owned by one of your organisations (creating an organisation makes you its manager)."""
        user = writer(request)
        if rt.model is not Organisation and not Organisation.objects.editable_by(user).exists():
            raise PermissionDenied(_("Join or register an organisation first: records belong to organisations."))
        sent = payload.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
        form = valid_form(rt, form_data(rt, rt.model(), sent), user)
        with transaction.atomic():
            record = form.save_record_fields(rt.model())
            services.create_record(record, user, save_m2m=lambda: form.save_m2m_to(record))
            if rt.model is Organisation:
                Membership.objects.create(user=user, organisation=record, role=Membership.Role.MANAGER)
        return Status(201, refreshed(request, record))

    def update(request: HttpRequest, record_id: int, sent: dict[str, Any], partial: bool) -> dict[str, Any]:
        user = writer(request)
        record = visible_record(rt, user, record_id)
        if not services.can_edit(user, record):
            raise PermissionDenied(_("You may not edit this record."))
        form = valid_form(rt, form_data(rt, record if partial else rt.model(), sent), user, instance=record)

        def apply(fresh: Any) -> None:
            form.save_record_fields(fresh)
            form.save_m2m_to(fresh)

        record = services.update_record(record, user, form.expected_version(), apply)
        return refreshed(request, record)

    @router.put("/{record_id}", response={200: RecordOut, **WRITE_ERRORS}, auth=WRITE_AUTH,
                operation_id=operation_id(rt, "replace"), summary=f"Replace a {label}")
    def replace_record(request: HttpRequest, record_id: int, payload: ReplaceIn) -> dict[str, Any]:  # type: ignore[valid-type]
        """Replace every field (omitted fields are emptied or reset); send the ``version`` you read."""
        return update(request, record_id, payload.model_dump(exclude_unset=True), partial=False)  # type: ignore[attr-defined]

    @router.patch("/{record_id}", response={200: RecordOut, **WRITE_ERRORS}, auth=WRITE_AUTH,
                  operation_id=operation_id(rt, "update"), summary=f"Update some fields of a {label}")
    def update_record(request: HttpRequest, record_id: int, payload: PatchIn) -> dict[str, Any]:  # type: ignore[valid-type]
        """Change the fields you send, keep the others; send the ``version`` you read."""
        return update(request, record_id, payload.model_dump(exclude_unset=True), partial=True)  # type: ignore[attr-defined]

    @router.delete("/{record_id}", response={204: None, **WRITE_ERRORS}, auth=WRITE_AUTH,
                   operation_id=operation_id(rt, "delete"), summary=f"Delete a {label}")
    def delete_record(request: HttpRequest, record_id: int) -> Status[None]:
        """Soft-delete the record: it disappears for everyone but moderators, who can restore it."""
        user = writer(request)
        services.soft_delete(visible_record(rt, user, record_id), user)
        return Status(204, None)

    @router.post("/{record_id}/restore", response={200: RecordOut, **WRITE_ERRORS}, auth=WRITE_AUTH,
                 operation_id=operation_id(rt, "restore"), summary=f"Restore a deleted {label}")
    def restore_record(request: HttpRequest, record_id: int) -> dict[str, Any]:
        """Bring back a soft-deleted record (moderators only)."""
        user = writer(request)
        record = services.restore(visible_record(rt, user, record_id), user)
        return refreshed(request, record)

    @router.post("/{record_id}/workflow", response={200: RecordOut, **WRITE_ERRORS}, auth=WRITE_AUTH,
                 operation_id=operation_id(rt, "workflow"), summary=f"Submit, publish, return or unpublish a {label}")
    def move_record(request: HttpRequest, record_id: int, payload: WorkflowIn) -> dict[str, Any]:
        """Members submit and unpublish their records; moderators also publish and return (with a comment)."""
        user = writer(request)
        record = services.transition(visible_record(rt, user, record_id), user, payload.action, payload.comment)
        return refreshed(request, record)

    return router

