"""The domain's tables (DESIGN.md section 1). Import models from here."""

from bot.models.base import (
    Base,
    CareerStage,
    DeliveryStatus,
    FlagReason,
    FlagSeverity,
    FlagStatus,
    MeetingStatus,
    PairingStatus,
    ParticipantRole,
    ParticipantStatus,
    ProgramFormat,
    ProgramStatus,
    SurveyKind,
    WinSharing,
)
from bot.models.deliveries import Delivery
from bot.models.feedback import Checkin, SurveyResponse, Win
from bot.models.flags import Flag
from bot.models.invitations import Invitation
from bot.models.meetings import Meeting
from bot.models.pairings import Pairing, PairingMember
from bot.models.participants import Participant
from bot.models.programs import Organizer, Program
from bot.models.proposals import MatchProposal, ProposalStatus
from bot.models.seen import SeenRequest
from bot.models.support import KickoffAnswer, KickoffReply, TalkRequest, TalkTopic

__all__ = [
    "Base",
    "CareerStage",
    "Checkin",
    "Delivery",
    "DeliveryStatus",
    "Flag",
    "FlagReason",
    "FlagSeverity",
    "FlagStatus",
    "Invitation",
    "KickoffAnswer",
    "KickoffReply",
    "MatchProposal",
    "Meeting",
    "MeetingStatus",
    "Organizer",
    "Pairing",
    "PairingMember",
    "PairingStatus",
    "Participant",
    "ParticipantRole",
    "ParticipantStatus",
    "Program",
    "ProgramFormat",
    "ProgramStatus",
    "ProposalStatus",
    "SeenRequest",
    "SurveyKind",
    "SurveyResponse",
    "TalkRequest",
    "TalkTopic",
    "Win",
    "WinSharing",
]
