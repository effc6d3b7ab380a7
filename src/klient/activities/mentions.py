"""Whom the comment box suggests after "@": the colleagues a mention would reach.

The service reads `@username` of active users of the author's workspace and tells only
those who may see the interaction's record (`services.mentioned_users`,
`access.mention_recipients`); the suggestions follow the same two rules, so a colleague
offered here is one the comment will notify.
"""

from __future__ import annotations

from klient.activities.access import mention_recipients
from klient.activities.models import Interaction
from klient.activities.services import MENTION
from klient.contacts.normalize import search_fold
from klient.core.models import User
from klient.core.selectors import workspace_users

MENTION_LIMIT = 6
# Colleagues whose names match, checked against the record before the best are kept:
# a bounded number of checks, whatever the size of the workspace's data.
_CANDIDATES = 12


def _place(query: str, colleague: User) -> int | None:
    """0: the username starts with the query; 1: a first or last name does; None: no
    match, or a username the comment parser could not read back (`services.MENTION`)."""
    username = colleague.username
    if MENTION.fullmatch("@" + username) is None or username.endswith("."):
        return None
    if search_fold(username).startswith(query):
        return 0
    words = search_fold(f"{colleague.first_name} {colleague.last_name}").split(" ")
    return 1 if any(word.startswith(query) for word in words if word) else None


def mention_candidates(*, user: User, interaction: Interaction, query: str) -> list[User]:
    """Active colleagues of `user`'s workspace (not `user`) whose username, first or last
    name starts with `query` (case and ё/е folded), who may see the interaction's record:
    at most MENTION_LIMIT, usernames first, then by username. One query for the
    colleagues, then the record check of `mention_recipients` for a bounded few."""
    needle = search_fold(query.lstrip("@"))
    if not needle or " " in needle:
        return []
    ranked = sorted(
        (place, colleague.username.lower(), colleague.pk, colleague)
        for colleague in workspace_users(user=user).exclude(pk=user.pk)
        if (place := _place(needle, colleague)) is not None
    )
    colleagues = [colleague for *_key, colleague in ranked[:_CANDIDATES]]
    return mention_recipients(mentioned=colleagues, interaction=interaction)[:MENTION_LIMIT]
