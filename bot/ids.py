"""Every slash command, action, view and event the bot handles, named once.

tests/bot/test_manifest.py checks that manifest.yml declares what is registered here.
"""

SLASH_COMMAND = "/mentor"

# Events the bot subscribes to (manifest: settings.event_subscriptions.bot_events).
EVENT_APP_HOME_OPENED = "app_home_opened"
BOT_EVENTS = (EVENT_APP_HOME_OPENED,)
