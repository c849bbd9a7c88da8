"""The composition root: the `mentorbot` command line, and the code that starts the Bolt app and
the scheduler together. The only package that knows both bot/ and scheduler/."""
