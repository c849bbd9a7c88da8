"""Every slash command, action, view and event the bot handles, named once.

tests/bot/test_manifest.py checks that manifest.yml declares the command and events named here.
Action IDs are stable strings: buttons already sitting in people's DMs keep working across
releases, so never rename one that has shipped.
"""

SLASH_COMMAND = "/mentor"

# Events the bot subscribes to (manifest: settings.event_subscriptions.bot_events).
EVENT_APP_HOME_OPENED = "app_home_opened"
EVENT_APP_UNINSTALLED = "app_uninstalled"
EVENT_TOKENS_REVOKED = "tokens_revoked"
BOT_EVENTS = (EVENT_APP_HOME_OPENED, EVENT_APP_UNINSTALLED, EVENT_TOKENS_REVOKED)

# Matching: preferences and offers, rounds, proposals.
ACTION_OPEN_REQUEST = "request.open"  # button: open the resident's preferences modal
ACTION_OPEN_OFFER = "offer.open"  # button: open the faculty availability modal
VIEW_REQUEST = "request.submit"
VIEW_OFFER = "offer.submit"
ACTION_REVIEW_PROPOSAL = "proposal.review"  # button: open the pending proposal for review
VIEW_PROPOSAL = "proposal.submit"
# External selects (options loaded from the database: works for any number of people).
ACTION_PICK_MENTOR = "request.pick_mentor"  # a resident's ranked choices
ACTION_PICK_RESIDENT = "offer.pick_resident"  # a faculty member's preferred residents
ACTION_PICK_PROPOSAL_RESIDENT = "proposal.pick_resident"  # review: who to reassign
ACTION_PICK_PROPOSAL_MENTOR = "proposal.pick_mentor"  # review: to whom
ACTION_REASSIGN = "proposal.reassign"  # review: apply the reassignment

# Meetings.
ACTION_WE_MET = "meeting.open"  # button on reminders and the App Home: log a meeting
VIEW_MEETING = "meeting.submit"

# Pauses (bot/listeners/pauses.py; buttons from views/pauses.py). Value: a pairing id, or none.
ACTION_PAUSE = "pause.open"
VIEW_PAUSE = "pause.submit"
ACTION_RESUME = "pause.resume"

# Planning a meeting ("we'll meet on…", bot/listeners/meeting_plans.py). Value: a pairing id, or none.
ACTION_PLAN = "plan.open"
VIEW_PLAN = "plan.submit"

# Check-ins (bot/listeners/check_ins.py; views/check_ins.py). Value: the check-in's id.
ACTION_CHECK_IN = "check_in.open"
ACTION_CHECK_IN_SKIP = "check_in.skip"
VIEW_CHECK_IN = "check_in.submit"
ACTION_NOTE_READ = "check_in_note.read"  # a coordinator's DM; value: the note's id

# Confidential change and withdrawal (bot/listeners/changes.py; buttons from views/changes.py).
ACTION_CHANGE = "change.open"  # value: a pairing id (skips "which pairing"), or none
ACTION_WITHDRAW = "withdraw.open"
ACTION_REJOIN = "rejoin.open"
VIEW_CHANGE = "change.submit"
VIEW_WITHDRAW = "withdraw.submit"
ACTION_RESOLVE_REMATCH = "change_request.rematch"  # coordinator DM buttons; value: the request id
ACTION_RESOLVE_CLOSE = "change_request.close"

# Coordinator dashboard.
ACTION_OPEN_ROUND = "admin.round_open"
ACTION_RUN_MATCH = "admin.match"
ACTION_EXPORT = "admin.export"
