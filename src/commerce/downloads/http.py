"""``GET /downloads/<token>``: count one download, then hand over the file.

302 to a presigned S3 URL in AWS, the file itself locally; 404 for an unknown or
forged link, 410 for an expired or used-up one (nothing counted). The token is never
logged: it is the capability.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from commerce.downloads.files import LocalFile
from commerce.downloads.model import DownloadRefusal, DownloadRefused
from commerce.downloads.service import DownloadsService

_STATUS = {
    DownloadRefusal.NOT_FOUND: 404,
    DownloadRefusal.EXPIRED: 410,
    DownloadRefusal.USED_UP: 410,
    DownloadRefusal.FILE_MISSING: 404,
}
# Links are personal and counted: no cache may keep or replay the response.
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class DownloadEndpoint:
    """The Starlette endpoint over one ``DownloadsService``."""

    def __init__(self, downloads: DownloadsService) -> None:
        self._downloads = downloads

    async def handle(self, request: Request) -> Response:
        """Redeem the token in the path."""
        token = str(request.path_params["token"])
        try:
            delivery, _ = await run_in_threadpool(self._downloads.redeem, token)
        except DownloadRefused as exc:
            return JSONResponse(
                {"error": {"code": exc.reason.value, "message": exc.message}},
                status_code=_STATUS[exc.reason],
                headers=_NO_STORE,
            )
        if isinstance(delivery, LocalFile):
            return FileResponse(
                delivery.path,
                filename=delivery.path.name,
                content_disposition_type="attachment",
                headers=_NO_STORE,
            )
        return RedirectResponse(delivery.url, status_code=302, headers=_NO_STORE)
