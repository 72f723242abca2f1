"""Models of the data-sharing exchange, one module per part of the domain."""

from yiwang.exchange.models.catalogue import (
    DataCopy,
    DataDispute,
    DataElement,
    DataItem,
    Resource,
    ResourceVersion,
)
from yiwang.exchange.models.nodes import DataRecord, ExchangeService, MessageLog, Node, Subsystem
from yiwang.exchange.models.quality import (
    DatasetDownload,
    OpenDataset,
    QualityIssue,
    QualityRule,
    QualityRun,
)
from yiwang.exchange.models.sharing import (
    Authorisation,
    DataDemand,
    ExchangeAlarm,
    RateCounter,
    SharingEvent,
    SharingRequest,
)

__all__ = [
    "Authorisation",
    "DataCopy",
    "DataDemand",
    "DataDispute",
    "DataElement",
    "DataItem",
    "DataRecord",
    "DatasetDownload",
    "ExchangeAlarm",
    "ExchangeService",
    "MessageLog",
    "Node",
    "OpenDataset",
    "QualityIssue",
    "QualityRule",
    "QualityRun",
    "RateCounter",
    "Resource",
    "ResourceVersion",
    "SharingEvent",
    "SharingRequest",
    "Subsystem",
]
