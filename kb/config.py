"""Settings, read once from the environment (prefix KB_) or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from kb.errors import ConfigError
from kb.models import SECTION_LABELS


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


class AuthSettings(BaseModel):
    """Accounts, browser sessions, login throttling and anonymous access (see kb/accounts)."""

    anonymous_role: str = Field(default="", description="匿名访问者的角色（逗号分隔，如 检察官）；空 = 关闭匿名访问")
    password_min_length: int = Field(default=10, ge=8, le=128)
    session_idle_minutes: int = Field(default=120, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    cookie_samesite: Literal["strict", "lax"] = "strict"
    login_max_failures: int = Field(default=5, ge=1, description="同一账号连续失败多少次后开始锁定")
    login_ip_max_failures: int = Field(default=20, ge=1, description="同一客户端地址失败多少次后开始锁定")
    lockout_base_s: int = Field(default=30, ge=1, description="首次锁定秒数，之后每次失败翻倍")
    lockout_max_s: int = Field(default=900, ge=1)
    failure_window_minutes: int = Field(default=15, ge=1, description="无失败多久后计数清零")
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=256)
    argon2_parallelism: int = Field(default=4, ge=1)


class _FlatEsAliases(PydanticBaseSettingsSource):
    """`KB_ES_URL`, `KB_ES_API_KEY` ... (one underscore) as aliases of `KB_ES__URL` ...; the `__` form wins.

    Reads the same variables the env and .env sources read (environment first, then the .env file).
    """

    def __init__(self, settings_cls: type[BaseSettings], *sources: PydanticBaseSettingsSource) -> None:
        super().__init__(settings_cls)
        self.sources = sources

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        wanted = {f"kb_es_{name}": name for name in EsSettings.model_fields}
        values: dict[str, Any] = {}
        for source in reversed(self.sources):  # lowest priority first: later ones overwrite
            for key, value in (getattr(source, "env_vars", None) or {}).items():
                name = wanted.get(key.lower())
                if name is not None and value not in (None, ""):
                    values[name] = value
        return {"es": values} if values else {}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KB_", env_nested_delimiter="__", env_file=".env", extra="ignore")

    home: Path = Field(default=Path("data"), description="数据目录：记录库、索引、缓存")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL of the system of record")
    store: Literal["sqlite", "elasticsearch"] = "sqlite"
    embedder: str = Field(
        default="e5-small", description="e5-small | use-m3 | sentence-transformers:<dir or name> | none"
    )
    es: EsSettings = Field(default_factory=EsSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    max_upload_mb: int = Field(default=50, ge=1, description="上传/导入单个文件的大小上限 (MB)")
    max_query_chars: int = Field(default=20000, ge=100)
    chunk_chars: int = Field(default=400, ge=50)
    # How many chunks each retriever returns for a pasted fact text (a long query); other queries ask for 100
    long_query_candidates: int = Field(
        default=1500, ge=100, description="长查询（粘贴的案情）每个检索器取回的分段数；其他查询为 100"
    )
    # How many of the first results the charges inferred for a pasted fact text order (LegalElementRanker)
    inferred_reach: int = Field(
        default=50, ge=0, description="粘贴案情时推断罪名只决定前多少条结果的顺序，其后按案情相似度排列；0 = 整个列表"
    )
    # Which chunks get a vector (kb.chunking.embed_selection): e.g. KB_EMBED_SECTIONS=facts, KB_EMBED_MAX_CHUNKS=2
    embed_sections: str = Field(default="", description="只为这些章节的分段生成向量，逗号分隔（如 facts）；空 = 全部")
    embed_max_chunks: int = Field(default=0, ge=0, description="每个条目最多为几个分段生成向量；0 = 不限")
    host: str = "127.0.0.1"
    port: int = 8000
    log_json: bool = False
    log_level: str = "INFO"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        flat = _FlatEsAliases(settings_cls, env_settings, dotenv_settings)
        return init_settings, env_settings, dotenv_settings, flat, file_secret_settings

    @field_validator("embed_sections")
    @classmethod
    def _known_sections(cls, value: str) -> str:
        keys = [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]
        unknown = [key for key in keys if key not in SECTION_LABELS]
        if unknown:
            allowed = "、".join(f"{key}（{label}）" for key, label in SECTION_LABELS.items())
            msg = f"KB_EMBED_SECTIONS 含未知章节：{'、'.join(unknown)}；可选：{allowed}"
            raise ValueError(msg)
        return ",".join(dict.fromkeys(keys))

    @property
    def embed_section_keys(self) -> frozenset[str]:
        """KB_EMBED_SECTIONS as a set of SectionKey values (empty = every section)."""
        return frozenset(key for key in self.embed_sections.split(",") if key)

    @property
    def record_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'kb.sqlite3'}"

    @property
    def index_path(self) -> Path:
        return self.home / "index.sqlite3"

    @property
    def cache_path(self) -> Path:
        return self.home / "embeddings.sqlite3"

    @property
    def model_cache_dir(self) -> Path:
        """Models' parsed load state kept between processes (use-m3's tokenizer and weights)."""
        return self.home / "models"


_PYDANTIC_MESSAGES = {
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "literal_error": "只能是 {expected}",
}


def load_settings(**values: Any) -> Settings:
    """`Settings(**values)` from the environment and .env; a bad value raises ConfigError naming the variable, in
    Chinese (not pydantic's English report)."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "KB_" + "__".join(str(part).upper() for part in error["loc"])
            template = _PYDANTIC_MESSAGES.get(error["type"])
            if error["type"] == "value_error":
                message = str(error["msg"]).removeprefix("Value error, ")
            elif template is not None:
                context = {key: str(value).replace(" or ", "、") for key, value in error.get("ctx", {}).items()}
                message = f"{name} {template.format(**context)}"
            else:
                message = f"{name}：{error['msg']}"
            problems.append(message)
        raise ConfigError("配置有误：" + "；".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
