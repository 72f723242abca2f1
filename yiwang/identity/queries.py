"""Reads of persons and legal persons, scoped to what the asking user may see."""

from __future__ import annotations

from typing import Any

from django.db import models

from yiwang.core.errors import NotFound
from yiwang.identity.models import LegalPerson, Person
from yiwang.regions.queries import scope_for_staff, staff_of


def persons_for_user(user: Any) -> models.QuerySet[Person]:
    """Staff see the persons residing in their jurisdiction; a citizen sees only themself."""
    base = Person.objects.select_related("region")
    if staff_of(user) is not None:
        return scope_for_staff(base, user)
    if getattr(user, "is_authenticated", False):
        return base.filter(user=user)
    return base.none()


def get_person_for_user(user: Any, pk: int) -> Person:
    """One person, if the user may see them."""
    person = persons_for_user(user).filter(pk=pk).first()
    if person is None:
        raise NotFound()
    return person


def legal_persons_for_user(user: Any) -> models.QuerySet[LegalPerson]:
    """Staff see those registered in their jurisdiction; an operator sees their own."""
    base = LegalPerson.objects.select_related("region")
    if staff_of(user) is not None:
        return scope_for_staff(base, user)
    if getattr(user, "is_authenticated", False):
        return base.filter(operators__user=user, operators__is_active=True).distinct()
    return base.none()
