"""URLs: ``/u/<token>`` for units, ``/board/`` for staff, ``/admin/`` for the roster and settings."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles.views import serve as static_serve
from django.urls import path, re_path

from toolkit.desk import views
from toolkit.desk.throttle import AdminLoginForm, LoginForm

admin.site.login_form = AdminLoginForm

handler404 = "toolkit.desk.views.not_found"
handler400 = "toolkit.desk.views.bad_request"

urlpatterns = [
    path("", views.home),
    path("u/<str:token>", views.unit_page),
    path("u/<str:token>/template.xlsx", views.unit_template),
    path("u/<str:token>/withdraw", views.unit_withdraw),
    path("u/<str:token>/v/<int:number>/file", views.unit_file),
    path("u/<str:token>/v/<int:number>/annotated", views.unit_annotated),
    path("login/", auth_views.LoginView.as_view(template_name="desk/login.html", authentication_form=LoginForm)),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/")),
    path("board/", views.board_page),
    path("board/remind.csv", views.board_remind_csv),
    path("board/remind-mail", views.board_remind_mail),
    path("board/remind.xlsx", views.board_remind_xlsx),
    path("board/unit/<int:unit_id>/", views.board_unit),
    path("board/unit/<int:unit_id>/v/<int:number>/file", views.board_file),
    path("board/unit/<int:unit_id>/v/<int:number>/annotated", views.board_annotated),
    path("board/unit/<int:unit_id>/link", views.board_new_link),
    path("board/unit/<int:unit_id>/return", views.board_return),
    path("board/audit/", views.board_audit),
    path("board/summary", views.board_summary),
    path("board/export.zip", views.board_export),
    path("board/runs/<int:run_id>/<int:index>", views.board_run_file),
    path("admin/", admin.site.urls),
    re_path(r"^static/(?P<path>.*)$", static_serve, {"insecure": True}),
]
