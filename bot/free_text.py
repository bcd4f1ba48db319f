"""Erasing what a person typed, when they leave with erasure (or an admin erases them).

Sentences they wrote are blanked where they are kept, and taken out of the messages the outbox
keeps too; numbers (minutes, moods, scores) stay, so reports still add up.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import (
    Checkin,
    Delivery,
    Meeting,
    PairingMember,
    Participant,
    SurveyResponse,
    TalkRequest,
    Win,
)


def erase_free_text(session: Session, participant: Participant) -> None:
    """Blank everything this person typed: their answers, check-in comments, survey answers,
    win stories, what they asked an organizer about, and the place, topic and note of meetings
    they proposed or logged. Numbers (minutes, moods, scores) stay, so reports still add up.
    Copies of those words in messages (a wins digest, a request to talk) are taken out too."""
    typed = _free_text_of(session, participant)
    participant.goals = ""
    participant.department = ""
    participant.skills_offered = []
    participant.skills_wanted = []
    participant.meeting_formats = []
    session.execute(
        sa.update(Checkin).where(Checkin.participant_id == participant.id).values(comment="")
    )
    session.execute(
        sa.update(SurveyResponse)
        .where(SurveyResponse.participant_id == participant.id)
        .values(answers={})
    )
    session.execute(sa.update(Win).where(Win.participant_id == participant.id).values(text=""))
    session.execute(
        sa.update(TalkRequest)
        .where(
            TalkRequest.program_id == participant.program_id,
            TalkRequest.user_id == participant.user_id,
        )
        .values(text="")
    )
    their_pairings = sa.select(PairingMember.pairing_id).where(
        PairingMember.participant_id == participant.id
    )
    session.execute(
        sa.update(Meeting)
        .where(
            Meeting.pairing_id.in_(their_pairings),
            Meeting.proposed_by == participant.user_id,
        )
        .values(location="", topic="", note="")
    )
    _forget_in_messages(session, participant, typed)
    session.flush()


ERASED = "[erased]"
MIN_FORGOTTEN = 8  # characters: shorter texts are not looked for in messages


def _free_text_of(session: Session, participant: Participant) -> set[str]:
    """What this person wrote in sentences (not short labels such as skills or a department,
    which other people's messages may share): goals, comments, survey answers, wins, requests
    to talk, and the place, topic and note of their meetings."""
    texts = {participant.goals}
    texts.update(
        session.scalars(sa.select(Checkin.comment).where(Checkin.participant_id == participant.id))
    )
    for answers in session.scalars(
        sa.select(SurveyResponse.answers).where(SurveyResponse.participant_id == participant.id)
    ):
        texts.update(v for v in (answers or {}).values() if isinstance(v, str))
    texts.update(session.scalars(sa.select(Win.text).where(Win.participant_id == participant.id)))
    texts.update(
        session.scalars(
            sa.select(TalkRequest.text).where(
                TalkRequest.program_id == participant.program_id,
                TalkRequest.user_id == participant.user_id,
            )
        )
    )
    their_pairings = sa.select(PairingMember.pairing_id).where(
        PairingMember.participant_id == participant.id
    )
    for row in session.execute(
        sa.select(Meeting.location, Meeting.topic, Meeting.note).where(
            Meeting.pairing_id.in_(their_pairings), Meeting.proposed_by == participant.user_id
        )
    ):
        texts.update(row)
    return {text.strip() for text in texts if text and text.strip()}


def _forget_in_messages(session: Session, participant: Participant, texts: set[str]) -> None:
    """The outbox keeps what each message of the program said (to send it, then to edit it):
    replace this person's words there, as typed and as messages hold them (escaped for
    Slack's mrkdwn), so a message not sent yet does not carry them either."""
    forms = {
        form
        for text in texts
        if len(text) >= MIN_FORGOTTEN  # a word or two says little, and others may say it too
        for form in (text, _mrkdwn_escaped(text))
    }
    if not forms:
        return
    ordered = sorted(forms, key=len, reverse=True)  # a longer form first, then its parts

    def scrub(value: object) -> object:
        if isinstance(value, str):
            for form in ordered:
                if form in value:
                    value = value.replace(form, ERASED)
            return value
        if isinstance(value, list):
            return [scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: scrub(item) for key, item in value.items()}
        return value

    for row in session.scalars(
        sa.select(Delivery).where(
            Delivery.team_id == participant.team_id,
            Delivery.program_id == participant.program_id,
        )
    ):
        text, blocks = scrub(row.text), scrub(row.blocks)
        if text != row.text or blocks != row.blocks:
            row.text, row.blocks = text, blocks  # type: ignore[assignment]


def _mrkdwn_escaped(text: str) -> str:
    """Typed text as Slack messages carry it (see bot/slack/blocks/common.py `escape`)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
