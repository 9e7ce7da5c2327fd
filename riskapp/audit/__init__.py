"""The audit trail: every change to an audited model, written by one session hook."""
