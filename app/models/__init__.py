"""All models, importable from one place (``from app.models import Area``)."""
from app.models.area import AREA_KINDS, Agency, Area, AreaPopulation
from app.models.indicator import (
    AGGREGATIONS,
    FLAGS,
    FLAGS_WITH_VALUE,
    FLAGS_WITHOUT_VALUE,
    PERIOD_KINDS,
    POLARITIES,
    RAG_BAND_KINDS,
    RAG_METHODS,
    UNITS,
    DataValue,
    Indicator,
    Outcome,
    Period,
    Target,
)
from app.models.dhr import (
    ACTION_SCOPES,
    ACTION_STATUSES,
    CASE_STATUSES,
    COST_KINDS,
    REVIEW_TYPES,
    DhrAction,
    DhrActionUpdate,
    DhrBudgetYear,
    DhrCase,
    DhrContribution,
    DhrCost,
    DhrPanelMeeting,
)
from app.models.performance import RAGS, Commentary, OutcomeAssessment, PeerValue, PeriodSignOff, RagSetting, ReturnDue
from app.models.submission import SUBMISSION_STATUSES, AuditEvent, Submission
from app.models.template import FREQUENCIES, VERSION_STATUSES, ReturnTemplate, TemplateVersion, template_agency
from app.models.user import ROLES, User

__all__ = [
    "ACTION_SCOPES", "ACTION_STATUSES", "CASE_STATUSES", "COST_KINDS", "RAGS", "REVIEW_TYPES", "Commentary",
    "DhrAction", "DhrActionUpdate", "DhrBudgetYear", "DhrCase", "DhrContribution", "DhrCost", "DhrPanelMeeting",
    "OutcomeAssessment", "PeerValue", "PeriodSignOff", "RagSetting", "ReturnDue",
    "AGGREGATIONS", "AREA_KINDS", "FLAGS", "FLAGS_WITH_VALUE", "FLAGS_WITHOUT_VALUE", "FREQUENCIES",
    "PERIOD_KINDS", "POLARITIES", "RAG_BAND_KINDS", "RAG_METHODS", "ROLES", "SUBMISSION_STATUSES",
    "UNITS", "VERSION_STATUSES", "Agency", "Area", "AreaPopulation", "AuditEvent", "DataValue",
    "Indicator", "Outcome", "Period", "ReturnTemplate", "Submission", "Target", "TemplateVersion",
    "User", "template_agency",
]
