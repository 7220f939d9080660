"""Governance: proposals decided under the silence procedure."""
