"""Hybrid search latency through KnowledgeBase on an existing ES index (the bench's query loop)."""

import json
import sys
import tempfile
from pathlib import Path

from api.bench_es import time_searches
from kb.config import EsSettings, Settings
from kb.embedders.factory import build_embedder
from kb.service import KnowledgeBase

url, alias, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = build_embedder("hash:384")
if model is not None:
    model.warm_up()
home = Path(tempfile.mkdtemp())
settings = Settings(
    _env_file=None, home=home, embedder="hash:384", store="elasticsearch", es=EsSettings(url=url, index=alias)
)
kb = KnowledgeBase(settings, embedder=model)
kb.warm_up()
r = time_searches(kb, model, repeats)
print(json.dumps({k: r[k] for k in ("hybrid", "hybrid_unfiltered", "hybrid_filtered")}))
