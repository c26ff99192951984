from django.urls import path

from . import views

urlpatterns = [
    path("don-vi/", views.unit_list, name="unit_list"),
    path("don-vi/moi/", views.unit_form, name="unit_create"),
    path("don-vi/<int:pk>/sua/", views.unit_form, name="unit_edit"),
    path("don-vi/<int:pk>/giai-the/", views.unit_close, name="unit_close"),
    path("nhom-don-vi/", views.group_list, name="group_list"),
    path("nhom-don-vi/moi/", views.group_form, name="group_create"),
    path("nhom-don-vi/<int:pk>/sua/", views.group_form, name="group_edit"),
    path("tai-khoan/", views.account_list, name="account_list"),
    path("tai-khoan/moi/", views.account_form, name="account_create"),
    path("tai-khoan/<int:pk>/sua/", views.account_form, name="account_edit"),
]
