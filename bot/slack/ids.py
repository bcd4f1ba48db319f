"""Every action id and callback id the bot's Block Kit uses, in one place.

Builders put these in blocks; listeners register on them. Values of buttons carry plain ids
(program, participant) that listeners always look up again within the acting user's workspace.
"""

# Programs (organizers)
PROGRAM_MODAL = "program_modal"
PROGRAM_NEW = "program_new"
PROGRAM_EDIT = "program_edit"

# Invitations (organizers)
INVITE_MODAL = "invite_modal"
INVITE_OPEN = "invite_open"

# Enrolment (participants)
JOIN = "join_program"
JOIN_MODAL = "join_modal"
PROFILE_EDIT = "profile_edit"
LEAVE_CONFIRM = "leave_confirm"
LEAVE_AND_ERASE = "leave_and_erase"
LEAVE_CANCEL = "leave_cancel"

# Later features (the buttons exist on messages before their handlers do)
SCHEDULE_COFFEE = "schedule_coffee"

# Matching (organizers)
MATCH_RUN = "match_run"
MATCH_APPROVE = "match_approve"
MATCH_RERUN = "match_rerun"
MATCH_DROP = "match_drop"  # drop a proposed pair
MATCH_UNMATCHED_MENU = "match_unmatched_menu"  # overflow on someone left over
MATCH_SWAP_OPEN = "match_swap_open"
MATCH_SWAP_MODAL = "match_swap_modal"

# Meetings (pair members)
MEETING_MODAL = "meeting_modal"
MEETING_ACCEPT = "meeting_accept"
MEETING_COUNTER = "meeting_counter"
MEETING_DECLINE = "meeting_decline"
MEETING_CANCEL = "meeting_cancel"
MEETING_MET = "meeting_met"  # "did you meet?": yes
MEETING_NOT_MET = "meeting_not_met"
MEETING_MOVED = "meeting_moved"
MEETING_MINUTES_MODAL = "meeting_minutes_modal"

# Check-ins and surveys (participants)
CHECKIN_MOOD = "checkin_mood"  # value: "<checkin id>:<1-5>"
CHECKIN_MET = "checkin_met"  # value: "<checkin id>:yes|no"
CHECKIN_COMMENT = "checkin_comment"
CHECKIN_COMMENT_MODAL = "checkin_comment_modal"
SURVEY_OPEN = "survey_open"  # value: "<participant id>:<start|middle|end>"
SURVEY_MODAL = "survey_modal"
SHARE_WIN = "share_win"

# Flags (organizers)
FLAG_NUDGE = "flag_nudge"
FLAG_REPAIR = "flag_repair"
FLAG_PAUSE = "flag_pause"
FLAG_DISMISS = "flag_dismiss"
FLAG_DISMISS_MODAL = "flag_dismiss_modal"
MATCH_WEIGHTS_OPEN = "match_weights_open"
MATCH_WEIGHTS_MODAL = "match_weights_modal"

# Wins and the program report
WIN_MODAL = "win_modal"
WIN_PUBLISH = "win_publish"  # value: win id
WIN_PUBLISH_MODAL = "win_publish_modal"
RUN_AGAIN = "run_again"  # value: program id

# Guides and talking to an organizer
GUIDE_OPEN = "guide_open"  # value: program id (the clicker's own role in it)
GUIDE_EDIT = "guide_edit"  # value: program id (organizers)
GUIDE_EDIT_MODAL = "guide_edit_modal"
TALK_OPEN = "talk_open"  # value: program id, or "checkin:<checkin id>"
TALK_MODAL = "talk_modal"
TALK_TAKE = "talk_take"  # value: talk request id (organizers: "I'll reach out")

# Sponsor and kickoff
KICKOFF_MODAL = "kickoff_modal"
KICKOFF_GOING = "kickoff_going"  # value: "<program id>:<kickoff epoch>"
KICKOFF_NOT_GOING = "kickoff_not_going"  # value: as KICKOFF_GOING
