"""The read-only API. Every query goes through the token's membership: ``projects_for`` and
``project_for`` (ARCHITECTURE.md invariant 1); a slug of another client is a 404.

The classes are named on the views rather than taken from ``REST_FRAMEWORK`` settings, so the
API's rules cannot change by accident when someone edits the defaults.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions, generics, permissions, renderers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zbut.accounts.models import Membership
from zbut.api import selectors
from zbut.api.authentication import ApiTokenAuthentication
from zbut.api.errors import api_exception_handler
from zbut.api.models import ApiToken
from zbut.api.pagination import IdCursorPagination
from zbut.api.serializers import (
    CompanyFilterSerializer,
    CompanyOutputSerializer,
    ErrorSerializer,
    EventPageSerializer,
    EventQuerySerializer,
    ProjectOutputSerializer,
)
from zbut.api.throttling import TokenRateThrottle
from zbut.bases.models import Company
from zbut.projects.models import Project
from zbut.projects.selectors import project_for, projects_for

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid parameter or cursor."),
    401: OpenApiResponse(ErrorSerializer, description="Missing, unknown or revoked token."),
    404: OpenApiResponse(ErrorSerializer, description="No such project for this token."),
    429: OpenApiResponse(ErrorSerializer, description="Rate limit reached."),
}


class HasApiToken(permissions.BasePermission):
    """Only a token opens the API; a portal session does not (no CSRF surface, one rule)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, ApiToken)


class ClientApiView(APIView):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasApiToken]
    throttle_classes = [TokenRateThrottle]
    renderer_classes = [renderers.JSONRenderer]
    schema = AutoSchema()

    def get_exception_handler(self) -> Any:
        return api_exception_handler

    @property
    def membership(self) -> Membership:
        return self.request.auth.membership  # type: ignore[union-attr]

    def project(self) -> Project:
        try:
            return project_for(membership=self.membership, slug=self.kwargs["slug"])
        except Project.DoesNotExist:
            raise exceptions.NotFound() from None


@extend_schema(summary="The token's projects", responses={200: ProjectOutputSerializer, **ERRORS})
class ProjectList(ClientApiView, generics.ListAPIView):
    serializer_class = ProjectOutputSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self) -> QuerySet[Project]:
        return projects_for(membership=self.membership)


@extend_schema(
    summary="A project's companies with their current outcome",
    parameters=[CompanyFilterSerializer],
    responses={200: CompanyOutputSerializer, **ERRORS},
)
class CompanyList(ClientApiView, generics.ListAPIView):
    serializer_class = CompanyOutputSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self) -> QuerySet[Company]:
        filters = CompanyFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.companies_for_api(project=self.project(), **filters.validated_data)


@extend_schema(
    summary="A project's events after a cursor, oldest first",
    parameters=[EventQuerySerializer],
    responses={200: EventPageSerializer, **ERRORS},
)
class EventList(ClientApiView):
    def get(self, request: Request, slug: str) -> Response:
        query = EventQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        events = selectors.events_after(project=self.project(), after=after, limit=limit)
        next_after = events[-1].pk if events else after
        next_url = None
        if len(events) == limit:
            params = urlencode({"after": next_after, "limit": limit})
            next_url = request.build_absolute_uri(f"{request.path}?{params}")
        page = {"results": events, "next_after": next_after, "next": next_url}
        return Response(EventPageSerializer(page).data)


@extend_schema(exclude=True)
class SchemaView(SpectacularAPIView):
    """The OpenAPI document, public: it describes the API and holds no client's data."""

    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]
    schema = AutoSchema()

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Redefined undecorated: the library's own decoration of `get` is bound to DRF's
        # schema class while DEFAULT_SCHEMA_CLASS is not set in settings.
        return super().get(request, *args, **kwargs)


class DocsView(SpectacularSwaggerView):
    """Swagger UI over the schema, public like it; its scripts come from our static files."""

    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]
