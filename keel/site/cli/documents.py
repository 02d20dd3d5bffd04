"""``keel documents export``: every document with its versions, as JSON, for a pipeline (a
nightly copy of the policy set into a repository, a publishing step).

Contract (docs/cli.md#keel-documents-export): ``keel documents export [--management-system ID]
[--status draft|in_review|approved|retired|all] [--output FILE]`` prints (or writes) one JSON
object ``{"exported_at": ISO datetime, "documents": [...]}``; each document has the fields of
the API's ``DocumentOut`` plus ``versions``, each version the fields of ``DocumentVersionOut``
(the Markdown text in ``body``; an uploaded file by its name, size, SHA-256 and download path).
Without ``--as`` (the operator) every document is exported; with ``--as EMAIL``, those that
person may read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from keel.site.cli.base import (
    PERMISSIONS,
    CliError,
    add_as_option,
    check_permission,
    note,
    out,
    require_tables,
    resolve_actor,
)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    doc = sub.add_parser(
        "documents", help="documented information", description="Export documents and their versions."
    )
    dsub = doc.add_subparsers(dest="documents_command", metavar="COMMAND", required=True)
    p = dsub.add_parser(
        "export",
        help="export every document with its versions as JSON",
        description="Print (or write to --output) every document with its versions as one JSON object.",
    )
    p.add_argument(
        "--management-system", metavar="ID", default="", help="only this management system's documents"
    )
    p.add_argument(
        "--status",
        default="all",
        choices=["draft", "in_review", "approved", "retired", "all"],
        help="only documents with this status (default: all)",
    )
    p.add_argument(
        "--output", metavar="FILE", default="", help="write the JSON to FILE instead of printing it"
    )
    add_as_option(p)
    p.set_defaults(handler=cmd_export, command_path="documents export")


def cmd_export(args: argparse.Namespace) -> int:
    from django.db.models import Prefetch
    from django.utils import timezone

    from keel.documents import queries
    from keel.documents.models import Document, DocumentVersion
    from keel.documents.schemas import DocumentOut, DocumentVersionOut

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["documents export"])
    f = queries.DocumentFilters(status=args.status, management_system=args.management_system)
    qs = queries.document_list(actor.user, f) if actor.user is not None else _every(f)
    qs = qs.prefetch_related(
        Prefetch(
            "versions",
            DocumentVersion.objects.select_related("document", "author", "approver")
            .prefetch_related("reviewers")
            .order_by("number"),
        )
    )
    documents: list[Document] = list(qs)
    data = {
        "exported_at": timezone.now().isoformat(),
        "documents": [
            {
                **DocumentOut.from_orm(d).model_dump(mode="json"),
                "versions": [
                    DocumentVersionOut.from_orm(v).model_dump(mode="json") for v in d.versions.all()
                ],
            }
            for d in documents
        ],
    }
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if args.output:
        try:
            Path(args.output).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CliError(f"--output {args.output}: cannot write it ({exc.strerror}).", code=2) from None
        note(f"Exported {len(documents)} document{'s' if len(documents) != 1 else ''} to {args.output}.")
    else:
        out(text)
    return 0


def _every(f: Any) -> Any:
    """Every document (the operator, not checked), with the same filters as the list."""
    from keel.documents import queries
    from keel.organisation.resolvers import TRUSTED
    from keel.organisation.resolvers import management_system as find_system

    qs = queries.base_documents()
    if f.status != "all":
        qs = qs.filter(status=f.status)
    if f.management_system:
        qs = qs.filter(management_systems=find_system(f.management_system, TRUSTED))
    return qs.order_by("ref_id")
