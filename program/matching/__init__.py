"""The matching path: rounds (open, remind, propose), proposals (review, reassign, approve),
a coordinator's manual pairs, and residents' and faculty's answers. Each operation decides,
writes, and queues the messages it causes (worded by views/rounds.py) in one transaction.
"""
