"""Next steps on a case page: other apps say what the viewer can do next about a case.

    from yiwang.cases.links import CaseLink, register_case_links
    register_case_links("payments", links_of, many=links_of_many, order=10)
    # links_of(case, user) -> list[CaseLink]
    # links_of_many(cases, user) -> {case.pk: [CaseLink, ...]}  (a few queries for all rows)

The cases app never imports the apps that register here (payments, appointments, ratings,
certificates). A provider decides by itself who sees what: the applicant gets links to the
provider's existing pages ("缴费", "预约办理时段", "评价", "查看电子证照"); staff get, at
most, read-only facts (paid or not, the booked slot). A provider that gives `many` is used by
lists (我的办件) without a query per row; one without is called per case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# What a link is: a step to take (emphasised), a step already taken (its result, maybe with
# a link to it), or a plain fact for staff.
TODO = "todo"
DONE = "done"
FACT = "fact"


@dataclass(frozen=True)
class CaseLink:
    label: str
    url: str = ""  # empty: a fact to read, not a link
    kind: str = TODO
    hint: str = ""  # e.g. the amount, the slot, the deadline

    @property
    def is_todo(self) -> bool:
        return self.kind == TODO


One = Callable[[Any, Any], list[CaseLink]]
Many = Callable[[Sequence[Any], Any], dict[int, list[CaseLink]]]


@dataclass(frozen=True)
class _Provider:
    key: str
    one: One
    many: Many | None
    order: int


_providers: dict[str, _Provider] = {}


def register_case_links(key: str, fn: One, *, many: Many | None = None, order: int = 100) -> None:
    """Add (or, under the same key, replace) a provider; lower `order` is listed first."""
    _providers[key] = _Provider(key, fn, many, order)


def unregister_case_links(key: str) -> None:
    _providers.pop(key, None)


def _ordered() -> list[_Provider]:
    return sorted(_providers.values(), key=lambda p: (p.order, p.key))


def links_for(case: Any, user: Any) -> list[CaseLink]:
    """The next steps (and facts) of one case for this viewer, steps to take first."""
    found: list[CaseLink] = []
    for provider in _ordered():
        found.extend(provider.one(case, user))
    return _steps_first(found)


def links_for_cases(cases: Sequence[Any], user: Any) -> dict[int, list[CaseLink]]:
    """The same for a page of cases: {case.pk: links}."""
    cases = list(cases)
    found: dict[int, list[CaseLink]] = {case.pk: [] for case in cases}
    if not cases:
        return found
    for provider in _ordered():
        if provider.many is not None:
            given = provider.many(cases, user)
            for case in cases:
                found[case.pk].extend(given.get(case.pk, []))
        else:
            for case in cases:
                found[case.pk].extend(provider.one(case, user))
    return {pk: _steps_first(links) for pk, links in found.items()}


def one_of(many: Many) -> One:
    """A per-case provider made from a batch one."""

    def one(case: Any, user: Any) -> list[CaseLink]:
        return many([case], user).get(case.pk, [])

    return one


def _steps_first(links: list[CaseLink]) -> list[CaseLink]:
    return sorted(links, key=lambda link: 0 if link.is_todo else 1)
