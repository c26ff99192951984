from django.urls import path

from . import views

urlpatterns = [
    path("nhac-viec/", views.send_log, name="reminder_log"),
    path("nhac-viec/<int:pk>/gui-lai/", views.resend, name="reminder_resend"),
    path("nhac-viec/nhac-ngay/", views.remind_list, name="remind_list"),
    path("nhac-viec/nhiem-vu/<int:pk>/", views.remind_task, name="remind_task"),
]
