"""Early warning (防范预警) that reaches people: what to tell whom, derived from the repository's
state; which of it was already told, kept in a small state file. Delivery lives in erpops.channels,
which this package never imports."""
