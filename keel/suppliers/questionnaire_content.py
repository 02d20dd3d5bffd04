"""The two questionnaires Keel ships, written in our own words (the standards' text is not
reproduced; ``reference`` only names the control a question is about).

- Security due diligence: ISO/IEC 27001 A.5.19–A.5.23 topics — the supplier's own management
  of information security and certification, access to our information, subcontractors,
  incident notification, cloud service terms and leaving the service.
- AI-component due diligence: ISO/IEC 42001 A.10.3 and related — where the model or data comes
  from, rights and licences over training data, evaluations and known limitations, notice of
  incidents and changes, restrictions on use, data retention, and (A.10.2) who is responsible
  for what between the supplier and us.
"""

from __future__ import annotations

from typing import Any

from .choices import QuestionnaireKind, QuestionType

YES_NO = QuestionType.YES_NO
SINGLE = QuestionType.SINGLE
MULTIPLE = QuestionType.MULTIPLE
TEXT = QuestionType.TEXT
NUMBER = QuestionType.NUMBER
DATE = QuestionType.DATE
FILE = QuestionType.FILE

SECURITY_KEY = "security-due-diligence"
AI_KEY = "ai-component-due-diligence"

SECURITY: dict[str, Any] = {
    "key": SECURITY_KEY,
    "name": "Security due diligence",
    "kind": QuestionnaireKind.SECURITY,
    "description": "What we ask every supplier that will hold, process or reach our information.",
    "questions": [
        {
            "text": "Does your organisation run a documented programme for managing information security?",
            "help": "Policies, named responsibilities and a regular review of how well it works.",
            "type": YES_NO,
            "weight": 2,
            "reference": "A.5.19",
        },
        {
            "text": "Which independent certifications or attestations cover the service you would provide us?",
            "type": MULTIPLE,
            "options": [
                {"label": "ISO/IEC 27001 certificate", "score": 3},
                {"label": "SOC 2 Type II report", "score": 2},
                {"label": "Other independent audit", "score": 1},
                {"label": "None", "score": 0},
            ],
            "weight": 3,
            "reference": "A.5.19",
        },
        {
            "text": "Upload the certificate or the latest audit report (or its summary).",
            "help": "PDF preferred. Leave empty if you answered None above.",
            "type": FILE,
            "required": False,
            "reference": "A.5.19",
        },
        {
            "text": "When does that certificate or report expire?",
            "type": DATE,
            "required": False,
            "reference": "A.5.19",
        },
        {
            "text": "How is access by your staff to our information limited?",
            "type": SINGLE,
            "options": [
                {"label": "Named people, need to know, reviewed at least yearly", "score": 3},
                {"label": "Role-based, not reviewed regularly", "score": 1},
                {"label": "Any employee can reach it", "score": 0},
            ],
            "weight": 3,
            "reference": "A.5.20",
        },
        {
            "text": "Will any subcontractor process or store our information?",
            "help": "Hosting, support desks and other sub-processors count.",
            "type": YES_NO,
            "options": [{"label": "Yes", "score": 0}, {"label": "No", "score": 1}],
            "reference": "A.5.21",
        },
        {
            "text": "List the subcontractors involved, and how you hold them to the same security terms.",
            "type": TEXT,
            "required": False,
            "reference": "A.5.21",
        },
        {
            "text": "Within how many hours of becoming aware of a security incident affecting us would you tell us?",
            "type": NUMBER,
            "weight": 2,
            "reference": "A.5.20",
        },
        {
            "text": "Do you tell customers in advance of changes to the service that affect security?",
            "type": YES_NO,
            "reference": "A.5.22",
        },
        {
            "text": "For a cloud service: where (which countries) is our data stored and processed?",
            "type": TEXT,
            "reference": "A.5.23",
        },
        {
            "text": "Do your cloud terms state the security responsibilities that stay with us as the customer?",
            "type": YES_NO,
            "reference": "A.5.23",
        },
        {
            "text": "If we leave the service, how do we get our data back, and when is it deleted on your side?",
            "type": TEXT,
            "weight": 2,
            "reference": "A.5.23",
        },
    ],
}

AI_COMPONENT: dict[str, Any] = {
    "key": AI_KEY,
    "name": "AI-component due diligence",
    "kind": QuestionnaireKind.AI_COMPONENT,
    "description": "What we ask a supplier of a model, a model API, a dataset or labelling that our AI "
    "systems will depend on.",
    "questions": [
        {
            "text": "Describe the model or dataset you would supply: what it is, which version, and where it comes from.",
            "help": "For a model: its family, who trained it and on what kind of data. For data: how it was collected.",
            "type": TEXT,
            "weight": 1,
            "reference": "A.10.3",
        },
        {
            "text": "Do you hold the rights to the data the model was trained on (or the data you supply)?",
            "type": SINGLE,
            "options": [
                {"label": "Yes, documented for all of it", "score": 3},
                {"label": "For most of it, with known gaps", "score": 1},
                {"label": "Not known", "score": 0},
            ],
            "weight": 3,
            "reference": "A.10.3",
        },
        {
            "text": "Under which licence may we use the model or data, and for what purposes?",
            "type": TEXT,
            "weight": 2,
            "reference": "A.10.3",
        },
        {
            "text": "Will data we send you (prompts, inputs, outputs) be used to train or improve your models?",
            "type": SINGLE,
            "options": [
                {"label": "Never", "score": 3},
                {"label": "Only if we opt in", "score": 2},
                {"label": "Unless we opt out", "score": 1},
                {"label": "Yes", "score": 0},
            ],
            "weight": 3,
            "reference": "A.10.3",
        },
        {
            "text": "Have you evaluated the model for accuracy, robustness and unfair outcomes, and can you share the results?",
            "type": YES_NO,
            "weight": 2,
            "reference": "A.10.3",
        },
        {
            "text": "Upload the evaluation summary or model card.",
            "type": FILE,
            "required": False,
            "reference": "A.10.3",
        },
        {
            "text": "Which limitations, known failure modes or unsuitable uses do you document?",
            "type": TEXT,
            "reference": "A.10.3",
        },
        {
            "text": "Which of these do you notify customers of, and in advance where possible?",
            "type": MULTIPLE,
            "options": [
                {"label": "Incidents affecting the model's behaviour or our data", "score": 2},
                {"label": "A new model version or retraining", "score": 2},
                {"label": "Deprecation or retirement of a model", "score": 1},
                {"label": "Changes to the terms of use", "score": 1},
            ],
            "weight": 3,
            "reference": "A.10.3",
        },
        {
            "text": "What restrictions does your acceptable-use policy place on how we may use the model?",
            "type": TEXT,
            "required": False,
            "reference": "A.10.3",
        },
        {
            "text": "How long do you keep our inputs and outputs, and can we ask for them to be deleted?",
            "type": TEXT,
            "weight": 2,
            "reference": "A.10.3",
        },
        {
            "text": "Does the contract set out which responsibilities for the AI system are yours and which are ours?",
            "help": "For example monitoring, human oversight, handling complaints, meeting legal duties.",
            "type": YES_NO,
            "weight": 2,
            "reference": "A.10.2",
        },
        {
            "text": "Within how many days would you tell us of a serious incident involving the model?",
            "type": NUMBER,
            "reference": "A.10.2",
        },
    ],
}

SEEDED: list[dict[str, Any]] = [SECURITY, AI_COMPONENT]
