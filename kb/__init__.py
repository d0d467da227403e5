"""检察案例指导知识库 — the domain core: content model, analysis, stores, retrieval."""

import os
from typing import TYPE_CHECKING

# Haystack reports usage to a remote host by default; this product runs on closed networks.
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")

from kb.config import Settings, get_settings
from kb.errors import KBError

if TYPE_CHECKING:
    from kb.service import KnowledgeBase

__all__ = ["KBError", "KnowledgeBase", "Settings", "get_settings"]


def __getattr__(name: str) -> object:
    # KnowledgeBase pulls in Haystack and the stores; import it only when asked for.
    if name == "KnowledgeBase":
        from kb.service import KnowledgeBase

        return KnowledgeBase
    msg = f"module 'kb' has no attribute {name!r}"
    raise AttributeError(msg)
