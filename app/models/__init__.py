"""All models, importable from one place (``from app.models import Area``)."""
from app.models.api_token import API_TOKEN_ROLES, ApiToken
from app.models.area import AREA_KINDS, Agency, Area, AreaPopulation
from app.models.alias import AreaAlias, IndicatorAlias
from app.models.indicator import (
    AGGREGATIONS,
    DATA_VALUE_IS_CURRENT,
    PERIOD_KINDS,
    RAG_BAND_KINDS,
    RAG_METHODS,
    DataValue,
    Indicator,
    Outcome,
    Period,
    TARGET_IS_CURRENT,
    Target,
)
from app.models.dhr import (
    CASE_STATUSES,
    COST_KINDS,
    REVIEW_TYPES,
    DhrBudgetYear,
    DhrCase,
    DhrContribution,
    DhrCost,
    DhrPanelMeeting,
)
from app.models.plans import (
    ACTION_SCOPES,
    ACTION_STATUSES,
    PLAN_KINDS,
    UPDATE_SOURCES,
    ActionPlan,
    PlanAction,
    PlanActionUpdate,
    PlanObjective,
    plan_action_indicator,
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
from app.models.security import ApiRequestCount, RecoveryCode, SignInThrottle
from app.models.setting import PartnershipSetting
from app.models.submission import SUBMISSION_STATUSES, AuditEvent, EntryDraft, Submission
from app.models.template import FREQUENCIES, VERSION_STATUSES, ReturnTemplate, TemplateVersion, template_agency
from app.models.user import ROLES, User

__all__ = [
    "API_TOKEN_ROLES", "ApiToken",
    "ACTION_SCOPES", "ACTION_STATUSES", "CASE_STATUSES", "COST_KINDS", "REVIEW_TYPES", "Commentary",
    "ActionPlan", "PLAN_KINDS", "PlanAction", "PlanActionUpdate", "PlanObjective", "UPDATE_SOURCES",
    "plan_action_indicator", "DhrBudgetYear", "DhrCase", "DhrContribution", "DhrCost", "DhrPanelMeeting",
    "OutcomeAssessment", "PartnershipSetting", "PeerPosition", "PeerValue", "PeriodSignOff", "RagSetting", "ReturnDue",
    "AGGREGATIONS", "AREA_KINDS", "DATA_VALUE_IS_CURRENT", "FREQUENCIES", "TARGET_IS_CURRENT",
    "PERIOD_KINDS", "RAG_BAND_KINDS", "RAG_METHODS", "ROLES", "SUBMISSION_STATUSES",
    "VERSION_STATUSES", "Agency", "Area", "AreaAlias", "AreaPopulation", "AuditEvent", "DataValue",
    "Indicator", "IndicatorAlias", "IndicatorFigure", "IndicatorResult",
    "Outcome", "Period", "ReturnTemplate", "Submission", "Target", "TemplateVersion",
    "User", "template_agency", "EntryDraft", "RecoveryCode", "SignInThrottle", "ApiRequestCount", "MAIL_KINDS",
    "MAIL_STATUSES",
    "MailMessage",
]
