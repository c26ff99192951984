from django.urls import path

from . import views, views_filters, views_groups, views_import, views_inbox, views_notices

urlpatterns = [
    path("", views.home, name="home"),
    path("nhiem-vu/", views.task_list, name="task_list"),
    path("nhiem-vu/dem/", views.task_list_counts, name="task_list_counts"),
    path("nhiem-vu/<int:pk>/", views.task_detail, name="task_detail"),
    path(
        "nhiem-vu/<int:pk>/nguyen-nhan-khach-quan/<int:event_pk>/",
        views.objective_cause,
        name="objective_cause",
    ),
    path("nhiem-vu/<int:pk>/<slug:action>/", views.task_action, name="task_action"),
    path(
        "nhiem-vu-nhieu-don-vi/<int:pk>/",
        views_groups.group_task_detail,
        name="group_task_detail",
    ),
    path("tep/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("thong-bao-ket-luan/", views_notices.notice_list, name="notice_list"),
    path("thong-bao-ket-luan/nhap/", views_notices.notice_create, name="notice_create"),
    path("thong-bao-ket-luan/nhap-tu-tep/", views_import.notice_import, name="notice_import"),
    path("thong-bao-ket-luan/<int:pk>/", views_notices.notice_detail, name="notice_detail"),
    path("thong-bao-ket-luan/<int:pk>/sua/", views_notices.notice_edit, name="notice_edit"),
    path(
        "thong-bao-ket-luan/<int:pk>/them-nhiem-vu/",
        views_notices.notice_add_task,
        name="notice_add_task",
    ),
    path("thoi-han/xem-truoc/", views_notices.deadline_preview, name="deadline_preview"),
    path("bo-loc/luu/", views_filters.saved_filter_create, name="saved_filter_create"),
    path("bo-loc/<int:pk>/xoa/", views_filters.saved_filter_delete, name="saved_filter_delete"),
    path("viec-can-xu-ly/", views_inbox.inbox_page, name="inbox"),
    path("viec-can-xu-ly/xac-nhan/", views_inbox.accept_many, name="inbox_accept"),
    path(
        "thong-bao-ket-luan/nhap-tu-tep/<int:pk>/bo/",
        views_import.import_draft_discard,
        name="import_draft_discard",
    ),
    path("thong-bao/", views.notification_list, name="notification_list"),
    path("thong-bao/da-doc/", views.notifications_mark_read, name="notifications_mark_read"),
]
