"""GraphiQL served with its scripts and styles from this server, never from a CDN.

Strawberry's GraphiQL page loads React, GraphiQL and its explorer plugin from unpkg.com,
so it stays blank on a machine or network without the internet. The same packages, at
the same versions, are npm dependencies of the repository (``package.json``; ``make
install`` runs ``npm ci``): the page is Strawberry's own with each unpkg address turned
into ``/graphiql/<package>/<file>`` under this server, and only those files are served.
The pages keep their ``integrity`` hashes, so a browser refuses a file that is not the
version the page was written for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from strawberry.http.ides import get_graphql_ide_html

import commerce

ASSET_ROUTE = "/graphiql/{path:path}"
_UNPKG = re.compile(r"https://unpkg\.com/((?:@[\w.-]+/)?[\w.-]+)@[\w.-]+/([\w./-]+)")
_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}
_MISSING = """<!doctype html><title>GraphiQL is not installed</title>
<p>GraphiQL's files come from npm: run <code>make install</code> (or <code>npm ci</code>)
at the repository root, then reload.</p>"""


def find_node_modules(start: Path) -> Path | None:
    """The nearest ``node_modules`` holding GraphiQL, in ``start`` or its parents."""
    for folder in (start, *start.parents):
        candidate = folder / "node_modules"
        if (candidate / "graphiql" / "package.json").is_file():
            return candidate
    return None


@dataclass(frozen=True, slots=True)
class GraphiQL:
    """The GraphiQL page and the files it names, from one ``node_modules`` folder."""

    node_modules: Path | None
    page: str
    files: dict[str, Path]

    @classmethod
    def from_npm(cls, node_modules: Path | None = None) -> GraphiQL:
        """Strawberry's page, pointed at the packages in ``node_modules`` (found if None)."""
        if node_modules is None:
            node_modules = find_node_modules(Path(commerce.__file__).resolve().parent)
        files: dict[str, Path] = {}

        def local(match: re.Match[str]) -> str:
            relative = f"{match.group(1)}/{match.group(2)}"
            if node_modules is not None:
                files[relative] = node_modules / relative
            return f"/graphiql/{relative}"

        page = _UNPKG.sub(local, get_graphql_ide_html("graphiql"))
        return cls(node_modules, page, files)

    def page_response(self) -> Response:
        """The page, or how to install its files when npm has not run."""
        if self.node_modules is None:
            return HTMLResponse(_MISSING, status_code=503)
        return HTMLResponse(self.page)

    async def asset(self, request: Request) -> Response:
        """One of the page's own files; anything else is not found."""
        path = self.files.get(request.path_params["path"])
        if path is None or not path.is_file():
            return PlainTextResponse("Not found", status_code=404)
        return FileResponse(
            path,
            media_type=_MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
            headers={"Cache-Control": "public, max-age=86400"},
        )
