"""Governance bodies, memberships, meetings, agendas, attendance, minutes, action items."""
