"""Periodic 好差评 work; safe to run twice."""

from __future__ import annotations

from django_tasks import task

from yiwang.ratings import actions


@task()
def apply_default_ratings() -> int:
    """基本满意 for touchpoints left unrated past the period."""
    return actions.apply_default_ratings()
