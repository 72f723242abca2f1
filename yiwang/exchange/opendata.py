"""Open datasets as files and as DCAT-AP 3 descriptions (JSON-LD with an inline context).

Rows carry only the dataset's columns (items marked 公开); the subject key never leaves.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from yiwang.exchange.choices import LICENCE_URLS, UpdateCycle
from yiwang.exchange.models import DataItem, DataRecord, OpenDataset

DCAT_CONTEXT: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
EU = "http://publications.europa.eu/resource/authority"
FREQUENCY = {
    UpdateCycle.REALTIME: "CONT",
    UpdateCycle.DAILY: "DAILY",
    UpdateCycle.WEEKLY: "WEEKLY",
    UpdateCycle.MONTHLY: "MONTHLY",
    UpdateCycle.QUARTERLY: "QUARTERLY",
    UpdateCycle.YEARLY: "ANNUAL",
    UpdateCycle.IRREGULAR: "IRREG",
}
MEDIA = {
    "csv": ("text/csv", "CSV"),
    "json": ("application/json", "JSON"),
}


def columns(dataset: OpenDataset) -> list[tuple[str, str]]:
    """(code, name) of the dataset's columns, in the resource's item order."""
    version = dataset.resource.current_version
    names: dict[str, str] = {}
    if version is not None:
        names = dict(
            DataItem.objects.filter(version=version, code__in=dataset.columns).values_list(
                "code", "name"
            )
        )
    return [(code, names.get(code, code)) for code in dataset.columns]


def rows(
    dataset: OpenDataset, *, offset: int = 0, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """The dataset's rows, cut to its columns."""
    records = DataRecord.objects.filter(resource_id=dataset.resource_id).order_by("id").only("data")
    selected = records[offset : offset + limit] if limit is not None else records[offset:]
    codes = list(dataset.columns)
    for record in selected.iterator(chunk_size=1000):
        yield {code: record.data.get(code) for code in codes}


def row_count(dataset: OpenDataset) -> int:
    return DataRecord.objects.filter(resource_id=dataset.resource_id).count()


def as_csv(dataset: OpenDataset) -> Iterator[str]:
    """CSV with a BOM (so spreadsheet programs read the Chinese text as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([code for code, _name in columns(dataset)])
    yield "\ufeff" + buffer.getvalue()
    for row in rows(dataset):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(["" if value is None else value for value in row.values()])
        yield buffer.getvalue()


def dataset_description(
    dataset: OpenDataset, base_url: str, *, context: bool = True
) -> dict[str, Any]:
    """A DCAT-AP dcat:Dataset for one dataset; `base_url` is the site's absolute root."""
    version = dataset.resource.current_version
    landing = f"{base_url}/exchange/open/{dataset.slug}/"
    licence = {"@id": LICENCE_URLS[dataset.licence]}
    distributions: list[dict[str, Any]] = []
    for fmt, (media, file_type) in MEDIA.items():
        url = f"{base_url}/exchange/open/{dataset.slug}/download.{fmt}"
        distributions.append(
            {
                "@type": "dcat:Distribution",
                "dct:title": file_type,
                "dcat:accessURL": {"@id": url},
                "dcat:downloadURL": {"@id": url},
                "dcat:mediaType": {"@id": f"http://www.iana.org/assignments/media-types/{media}"},
                "dct:format": {"@id": f"{EU}/file-type/{file_type}"},
                "dct:license": licence,
            }
        )
    api_url = f"{base_url}/api/v1/exchange/open/datasets/{dataset.slug}/rows"
    distributions.append(
        {
            "@type": "dcat:Distribution",
            "dct:title": "API",
            "dcat:accessURL": {"@id": api_url},
            "dcat:mediaType": {
                "@id": "http://www.iana.org/assignments/media-types/application/json"
            },
            "dct:license": licence,
            "dcat:accessService": {
                "@type": "dcat:DataService",
                "dct:title": dataset.title,
                "dcat:endpointURL": {"@id": api_url},
                "dcat:endpointDescription": {"@id": f"{base_url}/api/v1/openapi.json"},
            },
        }
    )
    description: dict[str, Any] = {
        "@id": landing,
        "@type": "dcat:Dataset",
        "dct:identifier": dataset.resource.code,
        "dct:title": {"@value": dataset.title, "@language": "zh-Hans"},
        "dct:description": {"@value": dataset.description, "@language": "zh-Hans"},
        "dct:publisher": {
            "@type": "foaf:Agent",
            "foaf:name": dataset.publisher.name,
            "dct:identifier": dataset.publisher.uscc,
        },
        "dcat:contactPoint": {"@type": "vcard:Organization", "vcard:fn": dataset.publisher.name},
        "dct:issued": {"@value": dataset.published_at.isoformat(), "@type": "xsd:dateTime"},
        "dct:modified": {"@value": dataset.modified_at.isoformat(), "@type": "xsd:dateTime"},
        "dcat:keyword": list(dataset.keywords),
        "dct:license": licence,
        "dcat:landingPage": {"@id": landing},
        "dcat:distribution": distributions,
    }
    if version is not None:
        frequency = FREQUENCY.get(UpdateCycle(version.update_cycle), "UNKNOWN")
        description["dct:accrualPeriodicity"] = {"@id": f"{EU}/frequency/{frequency}"}
    if context:
        return {"@context": DCAT_CONTEXT, **description}
    return description


def catalogue_description(datasets: list[OpenDataset], base_url: str, title: str) -> dict[str, Any]:
    """The dcat:Catalog of every open dataset."""
    return {
        "@context": DCAT_CONTEXT,
        "@id": f"{base_url}/exchange/open/",
        "@type": "dcat:Catalog",
        "dct:title": {"@value": title, "@language": "zh-Hans"},
        "dcat:dataset": [dataset_description(d, base_url, context=False) for d in datasets],
    }
