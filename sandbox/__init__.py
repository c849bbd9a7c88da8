"""The sandbox: the real bot against a local stand-in for Slack, shown in the browser on a manual clock.

`fake_slack` is the stand-in for Slack's Web API (the tests use it too) and `slack_requests`
shapes and signs the requests Slack sends to an app.
"""
