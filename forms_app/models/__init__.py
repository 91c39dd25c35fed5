"""The data model, split by domain. Import from here."""

from .audit import AuditEvent, AuditHead
from .base import Base, new_id, table_of, utcnow
from .cases import AccessGrant, Case, CaseParty, CaseStatus, CaseUpdate, PartyRole
from .forms import Channel, FormVersion, Submission, SubmissionStatus
from .keys import KeyRotationProgress
from .matching import MatchReview
from .org import Membership, Organisation, Role, StaffSession, Team, User
from .outbox import Outbox, OutboxState
from .people import Address, AddressIndex, Person, PersonAddress, PersonIndex, PersonLink
from .referrals import ReferralLink

__all__ = [
    "AccessGrant",
    "Address",
    "AddressIndex",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Case",
    "CaseParty",
    "CaseStatus",
    "CaseUpdate",
    "Channel",
    "FormVersion",
    "KeyRotationProgress",
    "MatchReview",
    "Membership",
    "Organisation",
    "Outbox",
    "OutboxState",
    "PartyRole",
    "Person",
    "PersonAddress",
    "PersonIndex",
    "PersonLink",
    "ReferralLink",
    "Role",
    "StaffSession",
    "Submission",
    "SubmissionStatus",
    "Team",
    "User",
    "new_id",
    "table_of",
    "utcnow",
]
