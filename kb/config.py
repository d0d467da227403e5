"""Settings, read once from the environment (prefix KB_) or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class EsSettings(BaseModel):
    """Elasticsearch connection (used when store = elasticsearch)."""

    url: str = "http://localhost:9200"
    index: str = "kb-chunks"
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    ca_certs: Path | None = None
    verify_certs: bool = True
    timeout_s: float = 5.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KB_", env_nested_delimiter="__", env_file=".env", extra="ignore")

    home: Path = Field(default=Path("data"), description="数据目录：记录库、索引、缓存")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL of the system of record")
    store: Literal["sqlite", "elasticsearch"] = "sqlite"
    embedder: str = Field(default="e5-small", description="e5-small | use-m3 | sentence-transformers:<dir or name> | none")
    es: EsSettings = Field(default_factory=EsSettings)
    max_upload_mb: int = Field(default=50, ge=1, description="上传/导入单个文件的大小上限 (MB)")
    max_query_chars: int = Field(default=20000, ge=100)
    chunk_chars: int = Field(default=400, ge=50)
    host: str = "127.0.0.1"
    port: int = 8000
    log_json: bool = False
    log_level: str = "INFO"

    @property
    def record_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'kb.sqlite3'}"

    @property
    def index_path(self) -> Path:
        return self.home / "index.sqlite3"

    @property
    def cache_path(self) -> Path:
        return self.home / "embeddings.sqlite3"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
