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
