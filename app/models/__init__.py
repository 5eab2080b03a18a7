"""All models, importable from one place (``from app.models import Area``)."""
from app.models.api_token import API_TOKEN_ROLES, ApiToken
from app.models.area import AREA_KINDS, Agency, Area, AreaPopulation
from app.models.alias import AreaAlias, IndicatorAlias
from app.models.indicator import (
    AGGREGATIONS,
    PERIOD_KINDS,
    RAG_BAND_KINDS,
    RAG_METHODS,
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
from app.models.performance import (
    Commentary,
    OutcomeAssessment,
    PeerPosition,
    PeerValue,
    PeriodSignOff,
    RagSetting,
    ReturnDue,
)
from app.models.mail import MAIL_KINDS, MAIL_STATUSES, MailMessage
from app.models.results import IndicatorFigure, IndicatorResult
from app.models.setting import PartnershipSetting
from app.models.submission import SUBMISSION_STATUSES, AuditEvent, Submission
from app.models.template import FREQUENCIES, VERSION_STATUSES, ReturnTemplate, TemplateVersion, template_agency
from app.models.user import ROLES, User

__all__ = [
    "API_TOKEN_ROLES", "ApiToken",
    "ACTION_SCOPES", "ACTION_STATUSES", "CASE_STATUSES", "COST_KINDS", "REVIEW_TYPES", "Commentary",
    "DhrAction", "DhrActionUpdate", "DhrBudgetYear", "DhrCase", "DhrContribution", "DhrCost", "DhrPanelMeeting",
    "OutcomeAssessment", "PartnershipSetting", "PeerPosition", "PeerValue", "PeriodSignOff", "RagSetting", "ReturnDue",
    "AGGREGATIONS", "AREA_KINDS", "FREQUENCIES",
    "PERIOD_KINDS", "RAG_BAND_KINDS", "RAG_METHODS", "ROLES", "SUBMISSION_STATUSES",
    "VERSION_STATUSES", "Agency", "Area", "AreaAlias", "AreaPopulation", "AuditEvent", "DataValue",
    "Indicator", "IndicatorAlias", "IndicatorFigure", "IndicatorResult",
    "Outcome", "Period", "ReturnTemplate", "Submission", "Target", "TemplateVersion",
    "User", "template_agency", "MAIL_KINDS", "MAIL_STATUSES", "MailMessage",
]
