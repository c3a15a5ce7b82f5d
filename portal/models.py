"""Every model of the portal, imported in one place so migrations see the whole schema."""

from portal.accounts.models import Organisation, User
from portal.api.models import ApiToken, IdempotencyKey
from portal.audit.models import AuditLog
from portal.auth.models import RateLimitCounter
from portal.berichten.models import Upload
from portal.clients.models import Client
from portal.contracts.models import ProviderContract
from portal.deadlines.models import StoredDeadline
from portal.declaraties.models import DeclarationLine
from portal.iwmo.models import IwmoMessage
from portal.plans.models import (
    Deviation,
    EvaluationDue,
    Plan,
    PlanVersion,
    SupportStart,
    ToewijzingResult,
)
from portal.regions.models import ConfiguredProductCode, ConfiguredTariff
from portal.toewijzingen.models import Toewijzing

__all__ = ["ApiToken", "AuditLog", "Client", "ConfiguredProductCode", "ConfiguredTariff",
           "DeclarationLine", "Deviation", "EvaluationDue", "IdempotencyKey", "IwmoMessage",
           "Organisation", "Plan", "PlanVersion", "ProviderContract", "RateLimitCounter",
           "StoredDeadline", "SupportStart", "Toewijzing", "ToewijzingResult", "Upload", "User"]
