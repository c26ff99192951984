from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("nhiem-vu/", views.task_list, name="task_list"),
    path("nhiem-vu/<int:pk>/", views.task_detail, name="task_detail"),
    path("nhiem-vu/<int:pk>/<slug:action>/", views.task_action, name="task_action"),
    path("tep/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("thong-bao/", views.notification_list, name="notification_list"),
    path("thong-bao/da-doc/", views.notifications_mark_read, name="notifications_mark_read"),
]
