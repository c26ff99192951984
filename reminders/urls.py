from django.urls import path

from . import views

urlpatterns = [
    path("nhac-viec/", views.send_log, name="reminder_log"),
    path("nhac-viec/<int:pk>/gui-lai/", views.resend, name="reminder_resend"),
]
