"""Pure domain types: labels, items, partners, agreements, feeds. No I/O here."""

from liaison.model.agreements import Agreement, AgreementKind, Obligations
from liaison.model.feeds import Feed
from liaison.model.items import KNOWN_KINDS, Item
from liaison.model.labels import Label
from liaison.model.partners import Clearance, Partner, PartnerKind

__all__ = [
    "KNOWN_KINDS",
    "Agreement",
    "AgreementKind",
    "Clearance",
    "Feed",
    "Item",
    "Label",
    "Obligations",
    "Partner",
    "PartnerKind",
]
