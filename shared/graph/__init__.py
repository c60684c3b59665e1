"""The app's Microsoft Graph client (SharePoint drives, delta, subscriptions, mail)."""

from shared.graph.client import GraphClient
from shared.graph.failures import DeltaResyncRequired
from shared.graph.models import (
    DeltaPage,
    Drive,
    DriveItem,
    DriveItemVersion,
    Publication,
    Site,
    Subscription,
    UploadResult,
    WalkEntry,
)
from shared.graph.quickxor import QuickXorHash, quick_xor_hash

__all__ = [
    "DeltaPage",
    "DeltaResyncRequired",
    "Drive",
    "DriveItem",
    "DriveItemVersion",
    "GraphClient",
    "Publication",
    "QuickXorHash",
    "Site",
    "Subscription",
    "UploadResult",
    "WalkEntry",
    "quick_xor_hash",
]
