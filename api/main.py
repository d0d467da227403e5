"""`create_app`: the FastAPI application. The lifespan builds and warms the KnowledgeBase once."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import PROBLEM_RESPONSES, current_principal, install_auth
from api.errors import install_error_handlers
from api.permissions import api_routes
from api.routes import analysis, audit, auth, collections, entries, export, health, ingest, search, users, workflow
from api.routes import settings as settings_routes
from kb.config import Settings
from kb.logging import request_id_var
from kb.service import KnowledgeBase
from kb.version import __version__

logger = logging.getLogger(__name__)

STATIC_CANDIDATES = (Path(__file__).parent / "static", Path(__file__).parent.parent / "frontend" / "dist")


def static_dir() -> Path | None:
    return next((p for p in STATIC_CANDIDATES if (p / "index.html").is_file()), None)


def create_app(settings: Settings | None = None, *, kb: KnowledgeBase | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started = time.perf_counter()
        owned = kb is None
        app.state.kb = kb or KnowledgeBase(settings)
        if app.state.kb.settings is not settings:  # a knowledge base built elsewhere: the stored settings apply too
            app.state.auth.runtime.apply(app.state.kb.settings)
        app.state.kb.warm_up()
        logger.info("knowledge base ready in %.2f s", time.perf_counter() - started)
        try:
            yield
        finally:
            if owned:
                app.state.kb.close()
            app.state.auth.close()

    app = FastAPI(
        title="检察案例指导知识库 API",
        version=__version__,
        description="类案检索、办案指引、权力清单。错误以 RFC 9457 problem details 返回，detail 为中文说明。",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    install_error_handlers(app)
    install_auth(app, settings)  # the gate: inside the request-id middleware below, so refusals carry the id

    @app.middleware("http")
    async def request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
        request.state.request_id = rid
        token = request_id_var.set(rid)
        try:
            response = await call_next(request)
        finally:
            request_id_var.reset(token)
        response.headers["X-Request-ID"] = rid
        return response

    routers = (search.router, entries.router, ingest.router, health.router, auth.router, users.router, audit.router)
    admin = (settings_routes.router,)  # 系统设置
    training = (collections.router, export.router)  # 专题, warning cases, DOCX/PDF export
    # Who may call what: api/permissions.py, enforced by the gate in api/auth.py.
    for router in (*routers, *admin, workflow.router, analysis.router, *training):
        app.include_router(
            router, prefix="/api", dependencies=[Depends(current_principal)], responses=PROBLEM_RESPONSES
        )
    _mount_frontend(app)
    return app


def _mount_frontend(app: FastAPI) -> None:
    root = static_dir()
    if root is None:
        return
    if (root / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=root / "assets"), name="assets")
    index = root / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str) -> FileResponse:
        if path == "api" or path.startswith("api/"):
            # An API path reached here has no GET route: 405 when it has routes for other methods, else 404.
            known = any(route.regex.match(f"/{path}") for route in api_routes(app))
            raise StarletteHTTPException(status_code=405 if known else 404)
        # Files at the top of the build (favicon …) as they are; every other path is a client-side route.
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root.resolve()):
            return FileResponse(candidate)
        return FileResponse(index)
