"""检察案例指导知识库 — the domain core: content model, analysis, stores, retrieval."""

from kb.config import Settings, get_settings
from kb.errors import KBError

__all__ = ["KBError", "KnowledgeBase", "Settings", "get_settings"]


def __getattr__(name: str) -> object:
    # KnowledgeBase pulls in Haystack and the stores; import it only when asked for.
    if name == "KnowledgeBase":
        from kb.service import KnowledgeBase

        return KnowledgeBase
    msg = f"module 'kb' has no attribute {name!r}"
    raise AttributeError(msg)
