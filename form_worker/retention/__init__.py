"""Retention: how long each kind of personal record is kept, the daily purge that enforces it, and
the anonymisation an admin runs when an applicant asks to be erased (PIPL art. 47)."""
