"""Two guards in front of every view: the upload size limit and the security headers (CSP without inline script)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string

from toolkit.desk.settings import REQUEST_SLACK, UPLOAD_BYTES
from toolkit.desk.uploads import HashedUpload, UploadTooLarge

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def too_large(request) -> HttpResponse:
    """413 with a Chinese page saying the limit and what to do."""
    body = render_to_string("desk/too_large.html", {"limit_mb": UPLOAD_BYTES // (1024 * 1024)})
    response = HttpResponse(body, status=413, content_type="text/html; charset=utf-8")
    response["Connection"] = "close"
    return response


class UploadLimitMiddleware:
    """Refuses a body whose declared length is past the limit before any of it is read."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > UPLOAD_BYTES + REQUEST_SLACK:
            return too_large(request)
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                _ = request.POST  # parsed here, where a body past the limit can still become a 413
            except UploadTooLarge:
                return too_large(request)
        try:
            return self.get_response(request)
        finally:
            _discard_unstored(request)


def _discard_unstored(request) -> None:
    """Temporary upload files that no view moved into the store are removed after the answer."""
    for upload in getattr(request, "_files", {}).values():
        if isinstance(upload, HashedUpload):
            upload.discard()


class SecurityHeadersMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Referrer-Policy", "same-origin")  # no-referrer makes a browser send “Origin: null”
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response
