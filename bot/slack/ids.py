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
