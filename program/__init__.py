"""The program's operations: the layer between the Slack surfaces (bot/) and the scheduled jobs
(scheduler/) on one side, and the data (storage/) on the other.

Each operation takes a session, the actor and the time, applies the program's rules, writes, and
queues the messages it causes (worded by views/): one transaction, committed or rolled back whole.
Listeners and jobs both call these, so neither needs the other.
"""
