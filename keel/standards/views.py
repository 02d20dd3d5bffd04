"""Pages of the standards library: the list, a standard as a searchable tree, and one entry."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keel.platform import hooks
from keel.platform.errors import NotFound
from keel.platform.pages import page
from keel.platform.permissions import Perm
from keel.platform.views.common import is_partial, not_found

from . import queries

MAX_QUERY = 100


@page(Perm.VIEW)
def standards_list(request: HttpRequest) -> HttpResponse:
    return render(request, "standards/list.html", {"standards": queries.standards_with_counts()})


def _count(nodes: list[queries.TreeNode]) -> int:
    return sum(int(n.match) + _count(n.children) for n in nodes)


@page(Perm.VIEW)
def standard_detail(request: HttpRequest, key: str) -> HttpResponse:
    """The whole standard as a collapsible tree; ``?q=`` filters it (htmx gets the tree only)."""
    try:
        std = queries.get_standard(key)
    except NotFound as exc:
        return not_found(request, exc.message)
    q = " ".join(request.GET.get("q", "").split())[:MAX_QUERY]
    nodes = queries.tree(std, q or None)
    ctx = {
        "standard": std,
        "nodes": nodes,
        "sections": queries.tree_sections(nodes),
        "q": q,
        "matches": _count(nodes) if q else None,
    }
    template = "standards/_tree.html" if is_partial(request) else "standards/detail.html"
    return render(request, template, ctx)


@page(Perm.VIEW)
def requirement_detail(request: HttpRequest, key: str) -> HttpResponse:
    try:
        req = queries.get_requirement(key)
    except NotFound as exc:
        return not_found(request, exc.message)
    return render(
        request,
        "standards/requirement.html",
        {
            "req": req,
            "ancestors": queries.ancestors(req),
            "children": queries.live_children(req),
            "counterparts": queries.hs_counterparts(req),
            "amendments": queries.amendments_of(req),
            "panels": hooks.render_panels("requirement_detail", request, req),
        },
    )
