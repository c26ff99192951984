from django.urls import path

from . import views

urlpatterns = [
    path("bang-dieu-khien/", views.dashboard, name="dashboard"),
]
