"""Search: jieba words over names, aliases, situations and FAQs; synonyms; filters."""

from __future__ import annotations

import pytest

from yiwang.catalog import actions, search
from yiwang.catalog.models import SearchToken
from yiwang.catalog.search import Filters
from yiwang.catalog.tests.conftest import make_task, publish
from yiwang.core.actors import SYSTEM


def names(result: search.SearchResult) -> list[str]:
    return [v.task_name for v in result.versions]


def test_stop_words_are_ignored() -> None:
    assert search.segment("我要开餐馆") == ["开", "餐馆"]
    assert search.segment("怎么办理营业执照") == ["营业", "执照", "营业执照"]
    assert search.segment("我要怎么办理") == []


@pytest.mark.django_db
def test_plain_words_find_the_food_licence(search_catalogue) -> None:
    result = search.search("我要开餐馆")
    assert "食品经营许可" in names(result)[:3]
    assert names(result)[0] == "食品经营许可"


@pytest.mark.django_db
def test_a_query_of_stop_words_finds_nothing(search_catalogue) -> None:
    result = search.search("我要怎么办理")
    assert result.total == 0 and result.versions == []


@pytest.mark.django_db
def test_kai_fandian_needs_the_synonym(search_catalogue) -> None:
    """Before the synonym, only the weak word 开 links 开饭店 to the food licence: the two
    items that say 饭店 lead, and the food licence scores no better than 个体工商户登记."""
    before = search.search("开饭店")
    assert set(names(before)[:2]) == {"旅馆业特种行业许可证核发", "公共场所卫生许可"}
    food = search_catalogue["food"].pk
    shop = search_catalogue["shop"].pk
    assert before.scores[food] == pytest.approx(before.scores[shop])
    assert before.scores[food] < min(before.scores[v.pk] for v in before.versions[:2])

    actions.set_synonym(actor=SYSTEM, term="开饭店", words="开餐馆、食品经营")
    after = search.search("我想开饭店")
    assert names(after)[0] == "食品经营许可"
    assert after.synonyms_used == ["开饭店"]

    synonym = actions.set_synonym(actor=SYSTEM, term="开饭店", words="食品经营")
    assert synonym.words == "食品经营"
    actions.delete_synonym(actor=SYSTEM, synonym=synonym)
    assert search.search("开饭店").scores[food] == pytest.approx(before.scores[food])


@pytest.mark.django_db
def test_situations_and_faqs_are_searched(search_catalogue) -> None:
    assert names(search.search("孩子出生证明丢了"))[0] == "出生医学证明"
    assert names(search.search("小餐饮"))[0] == "食品经营许可"  # FAQ question
    assert names(search.search("社保卡"))[0] == "社会保障卡申领"  # alias


@pytest.mark.django_db
def test_filters(city, search_catalogue) -> None:
    by_dept = search.search("开", Filters(department_id=city.dept_a.pk))
    assert set(names(by_dept)) == {"旅馆业特种行业许可证核发", "公共场所卫生许可"}
    # County B offers its own items and the city's, not county A's.
    in_b = search.search("", Filters(region=city.county_b))
    assert set(names(in_b)) == {"出生医学证明", "社会保障卡申领"}
    in_village_a = search.search("", Filters(region=city.village_a))
    assert "社会保障卡申领" in names(in_village_a) and "出生医学证明" not in names(in_village_a)
    births = search.search("", Filters(theme="birth", audience="person"))
    assert names(births) == ["出生医学证明"]
    assert search.search("", Filters(theme="birth", audience="enterprise")).total == 0
    starting = search.search("", Filters(theme="business_start"))
    assert set(names(starting)) == {"食品经营许可", "个体工商户登记", "营业执照"}
    assert set(names(search.search("开", Filters(online_depth="3")))) == {
        "旅馆业特种行业许可证核发"
    }
    assert names(search.search("餐馆", Filters(handle_area="2"))) == ["食品经营许可"]
    assert search.search("餐馆", Filters(handle_area="5")).total == 0


@pytest.mark.django_db
def test_paging_counts_every_match(search_catalogue) -> None:
    first = search.search("开", limit=2)
    second = search.search("开", limit=2, offset=2)
    assert first.total == second.total >= 4
    assert not {v.pk for v in first.versions} & {v.pk for v in second.versions}


@pytest.mark.django_db
def test_only_published_versions_are_indexed(city, search_catalogue) -> None:
    food = search_catalogue["food"]
    draft = actions.new_draft_version(actor=SYSTEM, task=food.task)
    actions.update_draft(actor=SYSTEM, version=draft, fields={"aliases": "开餐厅"})
    assert not SearchToken.objects.filter(version=draft).exists()
    assert search.search("餐厅").total == 0
    publish(draft)
    assert search.search("餐厅").versions == [draft]
    assert search.search("超市").total == 0  # the old version's alias left with it
    assert not SearchToken.objects.filter(version=food).exists()
    actions.retire_version(actor=SYSTEM, version=draft)
    assert search.search("食品经营").total == 0
    assert not SearchToken.objects.filter(version=draft).exists()


@pytest.mark.django_db
def test_power_list_items_are_not_searchable(city) -> None:
    make_task(
        catalog_code="000202009000",
        name="对无证经营食品的行政处罚",
        department=city.dept_a2,
        region=city.county_a,
        task_type="02",
    )
    assert search.search("无证经营食品").total == 0
    assert search.search("").total == 0


@pytest.mark.django_db
def test_synonym_rules(personas) -> None:
    from yiwang.core.errors import DomainError, PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.set_synonym(actor=personas.clerk_a, term="开饭店", words="食品经营")
    with pytest.raises(DomainError) as caught:
        actions.set_synonym(actor=personas.catalog_admin, term=" ", words="食品经营")
    assert caught.value.code == "synonym_term_invalid"
    with pytest.raises(DomainError) as caught:
        actions.set_synonym(actor=personas.catalog_admin, term="开饭店", words=" 、 ")
    assert caught.value.code == "synonym_words_invalid"
    synonym = actions.set_synonym(actor=personas.catalog_admin, term="开 饭店", words="食品经营")
    assert synonym.term == "开饭店" and synonym.updated_by == personas.catalog_admin
