"""Guards in front of every view: the upload size limit (and the removal of every temporary upload file the request
did not store), Chinese answers for Django's bare errors, and the security headers (CSP without inline script)."""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

from toolkit.desk.settings import REQUEST_SLACK, UPLOAD_BYTES
from toolkit.desk.uploads import UploadTooLarge, discard_request_uploads

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def wants_json(request) -> bool:
    return request.GET.get("format") == "json"


def refusal(request, status: int, title: str, text: str) -> HttpResponse:
    """A Chinese answer to a request the desk does not serve: JSON ``{"error": …}`` for ``?format=json``, else a page."""
    if wants_json(request):
        return JsonResponse({"error": f"{title}：{text}"}, status=status, json_dumps_params={"ensure_ascii": False})
    body = render_to_string("desk/message.html", {"title": title, "text": text})
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def too_large(request) -> HttpResponse:
    """413 with a Chinese page (or JSON) saying the limit and what to do."""
    limit = UPLOAD_BYTES // (1024 * 1024)
    if wants_json(request):
        response = refusal(request, 413, "文件过大", f"上传的文件超过 {limit} MB 的上限，请确认上传的是填好的年报工作簿（.xlsx）")
    else:
        staff = request.path.startswith("/board/")  # the staff's forms take a text file, not a unit's workbook
        body = render_to_string("desk/too_large.html", {"limit_mb": limit, "staff": staff})
        response = HttpResponse(body, status=413, content_type="text/html; charset=utf-8")
    response["Connection"] = "close"
    return response


class UploadLimitMiddleware:
    """Refuses a body whose declared length is past the limit before any of it is read."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self._answer(request)
        finally:
            discard_request_uploads(request)  # on every path: refused, cut off, two files, an error, or stored

    def _answer(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > UPLOAD_BYTES + REQUEST_SLACK:
            return too_large(request)
        if not length and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return refusal(request, 411, "不支持分块上传",
                           "请用浏览器的“上传”按钮上传，或让上传程序带上文件长度（Content-Length）后重新上传")
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                _ = request.POST  # parsed here, where a body past the limit can still become a 413
            except UploadTooLarge:
                return too_large(request)
            except (MultiPartParserError, SuspiciousOperation):
                return refusal(request, 400, "无法读取上传的内容",
                               "文件名过长或上传内容不完整。请把文件改为较短的名字（如“本单位2025年报.xlsx”）后重新上传")
        return self.get_response(request)


class ChineseErrorsMiddleware:
    """Django's bare English or empty answers (405 of a wrong method) become Chinese ones."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            allowed = response.get("Allow", "")
            fresh = refusal(request, 405, "不支持的操作", "该地址不能这样访问。请回到本单位的填报页面或收报情况页面，用页面上的按钮操作")
            if allowed:
                fresh["Allow"] = allowed
            return fresh
        return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Referrer-Policy", "same-origin")  # no-referrer makes a browser send “Origin: null”
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response
