"""Finding items by plain words: jieba segmentation, an inverted index, administrator synonyms.

The index (SearchToken: token → version, weight) is written by the publish action and
cleared by retirement, so it only ever holds what an applicant may see. Queries use plain ORM
aggregation (no PostgreSQL full-text), so SQLite and PostgreSQL rank the same way.

Ranking: each query token t contributes weight(t, version) × idf(t), idf = ln(1 + N / df).
Synonyms are expanded at query time (the index never needs rebuilding when they change).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jieba
from django.db import connection, models
from django.db.models import Case, Count, F, FloatField, Q, Sum, Value, When

from yiwang.catalog.choices import APPLICABLE_TASK_TYPES, VersionStatus
from yiwang.catalog.models import (
    HandlingItem,
    Question,
    SearchToken,
    Synonym,
    TaskVersion,
    split_words,
)
from yiwang.regions.models import Region

jieba.setLogLevel(logging.WARNING)

# Words that say how someone asks, not what they ask for. Applied at index and query time.
STOP_WORDS = frozenset(
    {
        "我", "我要", "我想", "想", "要", "去", "怎么", "怎么办", "怎样", "如何", "办理", "办",
        "办事", "申请", "手续", "哪里", "在哪", "在哪里", "哪儿", "需要", "什么", "的", "了",
        "吗", "呢", "啊", "吧", "请问", "可以", "能", "能否", "一下", "和", "与", "及", "或",
    }
)  # fmt: skip
MAX_QUERY_CHARS = 100
MAX_QUERY_TOKENS = 24
TOKEN_MAX_LENGTH = 40

# How much a word counts where it appears (a name says more than an FAQ answer).
WEIGHT_NAME = 10
WEIGHT_ALIAS = 8
WEIGHT_SITUATION = 5
WEIGHT_QUESTION = 3
WEIGHT_ANSWER = 1
# A synonym's words count a little less than the words the person typed.
SYNONYM_FACTOR = 0.9
# Words found in more than this share of all published versions are too common to search by
# when the query has rarer words.
COMMON_SHARE = 0.2
PRUNE_FROM_DOCUMENTS = 2000

PERSON_THEME_PREFIX = "#p:"
CORP_THEME_PREFIX = "#c:"


def _word_ok(word: str) -> bool:
    return any(ch.isalnum() for ch in word) and word not in STOP_WORDS


@lru_cache(maxsize=65536)
def _segment_cached(text: str) -> tuple[str, ...]:
    words: list[str] = []
    for raw in jieba.cut_for_search(text):
        word = raw.strip().lower()[:TOKEN_MAX_LENGTH]
        if _word_ok(word) and word not in words:
            words.append(word)
    return tuple(words)


def segment(text: str) -> list[str]:
    """The search words of a text, in order, without stop words or repeats."""
    text = (text or "").strip()
    if not text:
        return []
    return list(_segment_cached(text))


# ---------------------------------------------------------------- building the index


def weighted_tokens(
    *,
    task_name: str,
    aliases: str,
    situations: Iterable[str],
    questions: Iterable[tuple[str, str]],
    person_themes: Iterable[str],
    corp_themes: Iterable[str],
) -> dict[str, int]:
    """Token → weight for one version: each field adds its weight once for each token in it."""
    weights: dict[str, int] = {}

    def add(texts: Iterable[str], weight: int) -> None:
        tokens: set[str] = set()
        for text in texts:
            tokens.update(segment(text))
        for token in tokens:
            weights[token] = weights.get(token, 0) + weight

    questions = list(questions)
    add([task_name], WEIGHT_NAME)
    add(split_words(aliases), WEIGHT_ALIAS)
    add(situations, WEIGHT_SITUATION)
    add([q for q, _ in questions], WEIGHT_QUESTION)
    add([a for _, a in questions], WEIGHT_ANSWER)
    for theme in person_themes:
        weights[f"{PERSON_THEME_PREFIX}{theme}"[:TOKEN_MAX_LENGTH]] = 0
    for theme in corp_themes:
        weights[f"{CORP_THEME_PREFIX}{theme}"[:TOKEN_MAX_LENGTH]] = 0
    return weights


def _is_searchable(version: TaskVersion) -> bool:
    return version.status == VersionStatus.PUBLISHED and version.task_type in APPLICABLE_TASK_TYPES


def index_versions(versions: Sequence[TaskVersion]) -> int:
    """(Re)build the index rows of these versions in bulk; returns how many rows were written.

    Versions that are not published (or are power-list items) get no rows.
    """
    ids = [v.pk for v in versions]
    SearchToken.objects.filter(version_id__in=ids).delete()
    searchable = [v for v in versions if _is_searchable(v)]
    if not searchable:
        return 0
    keep = [v.pk for v in searchable]
    situations: dict[int, list[str]] = {pk: [] for pk in keep}
    for version_id, name in HandlingItem.objects.filter(version_id__in=keep).values_list(
        "version_id", "name"
    ):
        situations[version_id].append(name)
    faqs: dict[int, list[tuple[str, str]]] = {pk: [] for pk in keep}
    for version_id, question, answer in Question.objects.filter(version_id__in=keep).values_list(
        "version_id", "question", "answer"
    ):
        faqs[version_id].append((question, answer))
    rows: list[tuple[str, int, int]] = []
    for version in searchable:
        weights = weighted_tokens(
            task_name=version.task_name,
            aliases=version.aliases,
            situations=situations[version.pk],
            questions=faqs[version.pk],
            person_themes=version.user_topic_type or [],
            corp_themes=version.corp_topic_type or [],
        )
        rows.extend((token, version.pk, weight) for token, weight in weights.items())
    _insert_tokens(rows)
    _forget_document_count()
    return len(rows)


def _insert_tokens(rows: list[tuple[str, int, int]]) -> None:
    """Write index rows without building a model object per token (that would cost more than
    the insert itself when a whole catalogue is indexed): PostgreSQL's COPY as an optional
    accelerator, plain multi-row INSERTs (portable SQL) everywhere else."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(SearchToken._meta.db_table)
    columns = ", ".join(quote(c) for c in ("token", "version_id", "weight"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # SQLite allows 32766 parameters per statement (999 before 3.32): 300 rows stay below.
        per_statement = 300
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608 - our names
            cursor.execute(sql, [value for row in chunk for value in row])


def index_version(version: TaskVersion) -> int:
    """Index one version (called by the publish action, inside its transaction)."""
    return index_versions([version])


def unindex_version(version: TaskVersion) -> None:
    """Remove a version from the index (retirement, replacement)."""
    SearchToken.objects.filter(version_id=version.pk).delete()
    _forget_document_count()


# ---------------------------------------------------------------- querying


_count_lock = threading.Lock()
_count_memo: dict[str, float] = {}
_COUNT_TTL_SECONDS = 60.0


def _document_count() -> int:
    """How many versions the index holds (memoised briefly: it only scales idf)."""
    now = time.monotonic()
    with _count_lock:
        if now - _count_memo.get("at", -1e9) < _COUNT_TTL_SECONDS:
            return int(_count_memo["n"])
    n = TaskVersion.objects.filter(
        status=VersionStatus.PUBLISHED, task_type__in=APPLICABLE_TASK_TYPES
    ).count()
    with _count_lock:
        _count_memo.update(n=float(n), at=now)
    return n


def _forget_document_count() -> None:
    with _count_lock:
        _count_memo.clear()


@dataclass(frozen=True)
class Filters:
    """What a search may be narrowed to; None means any."""

    department_id: int | None = None
    region: Region | None = None
    theme: str | None = None
    audience: str | None = None  # "person", "enterprise" or None for both
    online_depth: str | None = None
    handle_area: str | None = None

    def theme_tokens(self) -> list[str]:
        if not self.theme:
            return []
        prefixes = {
            "person": [PERSON_THEME_PREFIX],
            "enterprise": [CORP_THEME_PREFIX],
        }.get(self.audience or "", [PERSON_THEME_PREFIX, CORP_THEME_PREFIX])
        return [f"{prefix}{self.theme}" for prefix in prefixes]

    def needs_version_join(self) -> bool:
        """Whether the filters look at the version or its task (themes live in the index)."""
        return any(
            value is not None and value != ""
            for value in (self.department_id, self.region, self.online_depth, self.handle_area)
        )

    def token_q(self) -> Q:
        """The filters as a condition on index rows; joins the version only when needed.

        The index holds published, applicable versions only (publish and retire keep it so),
        so without other filters no join is needed to honour that.
        """
        q = self.version_q("version") if self.needs_version_join() else Q()
        themes = self.theme_tokens()
        if themes:
            themed = SearchToken.objects.filter(token__in=themes).values("version_id")
            q &= Q(version_id__in=themed)
        return q

    def version_q(self, path: str = "") -> Q:
        """The filters as a condition on TaskVersion (reached through `path`)."""
        p = f"{path}__" if path else ""
        q = Q(**{f"{p}status": VersionStatus.PUBLISHED, f"{p}task_type__in": APPLICABLE_TASK_TYPES})
        if self.department_id is not None:
            q &= Q(**{f"{p}task__department_id": self.department_id})
        if self.region is not None:
            # Offered in a region: implemented there or below, or by a region above it.
            ancestors = [self.region.prefix[:n] for n in (2, 4, 6, 9, 12)]
            q &= Q(**{f"{p}task__region__prefix__startswith": self.region.prefix}) | Q(
                **{f"{p}task__region__prefix__in": ancestors}
            )
        if self.online_depth:
            q &= Q(**{f"{p}online_handle_depth": self.online_depth})
        if self.handle_area:
            q &= Q(**{f"{p}handle_area": self.handle_area})
        if not path:
            themes = self.theme_tokens()
            if themes:
                themed = SearchToken.objects.filter(token__in=themes).values("version_id")
                q &= Q(pk__in=themed)
        return q


@dataclass
class SearchResult:
    """One page of results, best first, and how the query was understood."""

    total: int
    versions: list[TaskVersion]
    tokens: list[str] = field(default_factory=list)
    synonyms_used: list[str] = field(default_factory=list)
    scores: dict[int, float] = field(default_factory=dict)


def understand(query: str) -> tuple[dict[str, float], list[str]]:
    """Query token → factor, with synonyms expanded; and the synonym terms that applied."""
    text = (query or "").strip()[:MAX_QUERY_CHARS]
    factors: dict[str, float] = dict.fromkeys(segment(text), 1.0)
    used: list[str] = []
    compact = "".join(text.lower().split())
    if compact:
        for term, words in Synonym.objects.values_list("term", "words"):
            if term and term.lower() in compact:
                used.append(term)
                for word in split_words(words):
                    for token in segment(word):
                        factors.setdefault(token, SYNONYM_FACTOR)
    limited = dict(list(factors.items())[:MAX_QUERY_TOKENS])
    return limited, used


def search(
    query: str,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Published versions matching `query` (best first) within `filters`.

    An empty query lists everything the filters allow, by name.
    """
    filters = filters or Filters()
    limit = max(1, min(limit, 100))
    offset = max(0, offset)
    factors, used = understand(query)
    if not factors:
        listing = (
            TaskVersion.objects.filter(filters.version_q())
            .select_related("task__department", "task__region")
            .order_by("task_name", "pk")
        )
        if (query or "").strip():
            # Only stop words: nothing to look for.
            return SearchResult(0, [], [], used)
        return SearchResult(listing.count(), list(listing[offset : offset + limit]), [], used)
    n = max(_document_count(), 1)
    frequency = dict(
        SearchToken.objects.filter(token__in=list(factors))
        .values_list("token")
        .annotate(df=Count("id"))
        .values_list("token", "df")
    )
    boosts = {
        token: factor * math.log(1 + n / frequency[token])
        for token, factor in factors.items()
        if frequency.get(token)
    }
    if not boosts:
        return SearchResult(0, [], list(factors), used)
    # In a large catalogue a word found in a big share of it (许可, 登记) adds little to the
    # ranking but most of the work: leave it out when the query has rarer words to go by.
    if n >= PRUNE_FROM_DOCUMENTS:
        rare = {t: b for t, b in boosts.items() if frequency[t] <= COMMON_SHARE * n}
        if rare:
            boosts = rare
    score = Sum(
        Case(
            *[
                When(token=token, then=F("weight") * Value(boost))
                for token, boost in boosts.items()
            ],
            default=Value(0.0),
            output_field=FloatField(),
        )
    )
    matches: models.QuerySet[Any] = SearchToken.objects.filter(token__in=list(boosts)).filter(
        filters.token_q()
    )
    total = matches.values("version_id").distinct().count()
    ranked = list(
        matches.values("version_id")
        .annotate(score=score)
        .order_by("-score", "version_id")[offset : offset + limit]
    )
    ids = [row["version_id"] for row in ranked]
    by_id = (
        TaskVersion.objects.filter(Filters().version_q())  # published and applicable, again
        .select_related("task__department", "task__region")
        .in_bulk(ids)
    )
    versions = [by_id[pk] for pk in ids if pk in by_id]
    return SearchResult(
        total,
        versions,
        list(factors),
        used,
        {row["version_id"]: float(row["score"]) for row in ranked},
    )


def build_filters(
    *,
    department: str | int | None = None,
    region: str | None = None,
    theme: str | None = None,
    audience: str | None = None,
    online_depth: str | None = None,
    handle_area: str | None = None,
) -> Filters:
    """Filters from request parameters (empty means any); a bad value is a 400, not a 500."""
    from django.utils.translation import gettext_lazy as _

    from yiwang.catalog.choices import HandleArea, OnlineDepth, Theme
    from yiwang.core.errors import DomainError

    def bad(name: str) -> DomainError:
        return DomainError(
            "filter_invalid", _("筛选条件「%(name)s」不正确。"), params={"name": name}, field=name
        )

    department_id = None
    if department not in (None, ""):
        try:
            department_id = int(department)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise bad("department") from None
    region_obj = None
    if region:
        region_obj = Region.objects.filter(code=str(region)[:12]).first()
        if region_obj is None:
            raise bad("region")
    if theme and theme not in Theme.values:
        raise bad("theme")
    if audience and audience not in {"person", "enterprise"}:
        raise bad("audience")
    if online_depth and online_depth not in OnlineDepth.values:
        raise bad("online_depth")
    if handle_area and handle_area not in HandleArea.values:
        raise bad("handle_area")
    return Filters(
        department_id=department_id,
        region=region_obj,
        theme=theme or None,
        audience=audience or None,
        online_depth=online_depth or None,
        handle_area=handle_area or None,
    )
