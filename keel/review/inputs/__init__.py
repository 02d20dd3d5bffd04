"""The inputs a management review must consider (9.3.2 of ISO/IEC 27001 and ISO/IEC 42001), one
provider function per input, each tagged with the standard that asks for it. The titles are our
own words. A provider reads Keel's records live (:class:`base.Ctx` → :class:`base.Figures`); the
review freezes what they return when it is held (:func:`keel.review.services.hold_review`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..choices import ReviewTag
from . import context, operations, performance
from .base import Ctx, Figures


@dataclass(frozen=True)
class Input:
    key: str
    title: str
    clause: str
    tag: ReviewTag
    provider: Callable[[Ctx], Figures]


INPUTS: tuple[Input, ...] = (
    Input(
        "previous_actions",
        "Where the actions of earlier reviews stand",
        "9.3.2 a",
        ReviewTag.BOTH,
        context.previous_actions,
    ),
    Input(
        "context_issues",
        "What changed in our internal and external issues",
        "9.3.2 b",
        ReviewTag.BOTH,
        context.context_issues,
    ),
    Input(
        "interested_parties",
        "What changed in interested parties' needs and expectations",
        "9.3.2 c",
        ReviewTag.BOTH,
        context.interested_parties,
    ),
    Input(
        "nonconformities",
        "Nonconformities and corrective actions",
        "9.3.2 d 1",
        ReviewTag.BOTH,
        performance.nonconformities,
    ),
    Input(
        "monitoring",
        "Results of monitoring and measurement",
        "9.3.2 d 2",
        ReviewTag.BOTH,
        performance.monitoring,
    ),
    Input("audits", "Results of internal audits", "9.3.2 d 3", ReviewTag.BOTH, performance.audits),
    Input(
        "objectives",
        "How far the objectives are met",
        "9.3.2 d 4",
        ReviewTag.ISO27001,
        performance.objectives,
    ),
    Input("incidents", "Incidents in the period", "9.3.2 d", ReviewTag.BOTH, performance.incidents),
    Input(
        "ai_performance",
        "How the AI systems performed in operation",
        "9.3.2 d; A.6.2.6",
        ReviewTag.ISO42001,
        operations.ai_performance,
    ),
    Input(
        "concerns",
        "Concerns reported about AI systems",
        "9.3.2 d; A.3.3",
        ReviewTag.ISO42001,
        operations.concerns,
    ),
    Input(
        "feedback", "Feedback from interested parties", "9.3.2 e", ReviewTag.ISO27001, performance.feedback
    ),
    Input(
        "risks",
        "Risk assessment results and where risk treatment stands",
        "9.3.2 f",
        ReviewTag.ISO27001,
        operations.risks,
    ),
    Input(
        "improvement",
        "Opportunities for continual improvement",
        "27001 9.3.2 g; 42001 9.3.2 e",
        ReviewTag.BOTH,
        operations.improvement,
    ),
)
BY_KEY = {i.key: i for i in INPUTS}

__all__ = ["BY_KEY", "INPUTS", "Ctx", "Figures", "Input"]
