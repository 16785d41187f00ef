"""Node and edge reads for the local Graph API stand-in: `/{id}` and `/{id}/{edge}`, nested edges included."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sources.standin.data import DEFAULT_FIELDS, EDGES, EdgeRenderer, Listing, Store, View, check_fields
from sources.standin.faults import Scenario, catalog_fault, graph_error
from sources.standin.fields import FieldSpec, FieldsSyntaxError, format_fields, parse_fields
from sources.standin.paging import Window, edge_url, paging_object, take

Query = list[tuple[str, str]]
MAX_LIMIT = 100
DEFAULT_LIMIT = 25


@dataclass(frozen=True)
class EdgeRequest:
    """What a read needs to know about the HTTP request it answers."""

    base: str
    version: str
    query: Query
    token: str | None
    number: int
    view: View
    scenario: Scenario


class Reader:
    """Answers reads against a `Store`: nodes with their fields, and paged edges."""

    def __init__(self, dataset: dict[str, Any]) -> None:
        self.store = Store(dataset)

    def read(self, segments: list[str], request: EdgeRequest) -> dict[str, Any]:
        """The JSON body for `/{id}` or `/{id}/{edge}`; raises `GraphFault` for Graph API errors."""
        if segments[0] == "me":
            node, item = self.store.me(request.view.token_kind, request.token or "")
        else:
            node, item = self.store.node(segments[0])
        params = _first_values(request.query)
        specs = _parse(params.get("fields", ""))
        if len(segments) == 1:
            check_fields(node, specs)
            return self.store.render(node, item, specs, request.view, self._nested(request))
        edge = segments[1]
        if edge not in EDGES[node]:
            raise graph_error(400, 100, f"(#100) Tried accessing nonexisting field ({edge}) on node type ({node})")
        scenario = request.scenario
        window = Window(
            limit=_limit(params), after=params.get("after"), before=params.get("before"),
            short=request.number in scenario.short_pages, empty=request.number in scenario.empty_pages,
            repeat_next=scenario.repeat_next, overlap=request.number in scenario.overlap_pages,
            after_cursor_limit=scenario.after_cursor_limit,
            stale_cursor_error=scenario.stale_cursor_error,
        )
        return self._edge(node, item, edge, params, specs, request, window, request.query)

    def _edge(self, node: str, item: dict[str, Any], edge: str, params: dict[str, str],
              specs: tuple[FieldSpec, ...] | None, request: EdgeRequest, window: Window,
              query: Query) -> dict[str, Any]:
        child = "Comment" if edge == "comments" else "PagePost"
        check_fields(child, specs)
        threshold = request.scenario.reduce_data_threshold
        if threshold is not None and window.limit * _weight(specs, child) > threshold:
            raise catalog_fault("code1_reduce")
        listing = self._listing(node, item, edge, params, request)
        page = take(listing.items, listing.keys, listing.descending, window)
        nested = self._nested(request)
        body: dict[str, Any] = {"data": [self.store.render(child, x, specs, request.view, nested) for x in page.items]}
        path = f"{item['id']}/{edge}"
        paging = paging_object(
            page, lambda direction, cursor: edge_url(request.base, request.version, path, query, request.token,
                                                     direction, cursor))
        if paging:
            body["paging"] = paging
        if _truthy(params.get("summary")) and not page.past_end:
            body["summary"] = _summary(listing, request.scenario, edge)
        return body

    def _listing(self, node: str, item: dict[str, Any], edge: str, params: dict[str, str],
                 request: EdgeRequest) -> Listing:
        scenario = request.scenario
        if edge != "comments":
            return self.store.post_listing(edge, params, scenario.posts_since_field)
        listing = self.store.comment_listing(node, item, params, scenario.since_inclusive)
        if request.view.token_kind == "user" and scenario.user_token_mode == "empty":
            return Listing([], [], listing.descending, 0, listing.order)
        return listing

    def _nested(self, request: EdgeRequest) -> EdgeRenderer:
        def render(node: str, node_id: str, edge: str, spec: FieldSpec) -> dict[str, Any] | None:
            params = dict(spec.modifiers)
            limit = _limit(params)
            query: Query = [("limit", str(limit))]
            query += [(k, v) for k, v in spec.modifiers.items() if k != "limit"]
            if spec.children is not None:
                query.append(("fields", format_fields(spec.children)))
            _, item = self.store.node(node_id)
            body = self._edge(node, item, edge, params, spec.children, request, Window(limit=limit), query)
            if not body["data"] and "summary" not in body and request.scenario.omit_empty_nested_comments:
                return None
            return body

        return render


def _summary(listing: Listing, scenario: Scenario, edge: str) -> dict[str, Any]:
    if edge != "comments":
        return {"total_count": listing.total_count}
    total = max(0, listing.total_count + scenario.total_count_offset)
    return {"order": listing.order, "total_count": total, "can_comment": True}


def _first_values(query: Query) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in query:
        params.setdefault(key, value)
    return params


def _parse(text: str) -> tuple[FieldSpec, ...] | None:
    try:
        return parse_fields(text) or None
    except FieldsSyntaxError as error:
        raise graph_error(400, 2500, str(error)) from None


def _limit(params: dict[str, str]) -> int:
    raw = params.get("limit", str(DEFAULT_LIMIT))
    try:
        limit = int(raw)
    except ValueError:
        raise graph_error(400, 100, f"(#100) Param limit must be a number, got ({raw})") from None
    if limit > MAX_LIMIT:
        raise graph_error(400, 100, f"(#100) The 'limit' parameter should not exceed {MAX_LIMIT}")
    if limit < 0:
        raise graph_error(400, 100, "(#100) The 'limit' parameter must be non-negative")
    return limit


def _weight(specs: tuple[FieldSpec, ...] | None, node: str) -> int:
    if not specs:
        return len(DEFAULT_FIELDS[node])
    return sum(1 + (_weight(s.children, "Comment") if s.children else 0) for s in specs)


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1", "total_count")
