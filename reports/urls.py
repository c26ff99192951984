from django.urls import path

from . import views, views_evaluation

urlpatterns = [
    path("bang-dieu-khien/", views.dashboard, name="dashboard"),
    path("nhat-ky-thay-doi/", views.audit_log, name="audit_log"),
    path("nhiem-vu/xuat-excel/", views.task_list_export, name="task_list_export"),
    path("nhiem-vu/xuat-csv/", views.task_list_csv, name="task_list_csv"),
    path("danh-gia/", views_evaluation.evaluation_page, name="evaluation"),
    path("danh-gia/diem-chung/", views_evaluation.evaluation_score, name="evaluation_score"),
    path("danh-gia/chot/", views_evaluation.evaluation_close, name="evaluation_close"),
    path("danh-gia/xuat-excel/", views_evaluation.evaluation_export, name="evaluation_export"),
    path("bao-cao/", views.report_center, name="report_center"),
    path("bao-cao/tai-ve.<str:fmt>", views.report_download, name="report_download"),
    path("bao-cao/ban-hanh/", views.report_issue, name="report_issue"),
    path("bao-cao/da-ban-hanh/<int:pk>/", views.issued_report, name="issued_report"),
    path(
        "bao-cao/da-ban-hanh/<int:pk>/tep.<str:fmt>",
        views.issued_report_file,
        name="issued_report_file",
    ),
]
