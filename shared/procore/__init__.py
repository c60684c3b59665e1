"""The app's Procore client (API-NOTES Part A)."""

from shared.procore.client import ProcoreClient
from shared.procore.content import UploadSource
from shared.procore.scope import Scope
from shared.procore.tool_items import Tool, ToolEndpoint

__all__ = ["ProcoreClient", "Scope", "Tool", "ToolEndpoint", "UploadSource"]
