import django_filters
from django import forms

from core.filters import date_filter
from units.models import Unit, User

from .models import Channel, ReminderDigest


class DigestFilter(django_filters.FilterSet):
    day_from = date_filter("Từ ngày", "day", "gte")
    day_to = date_filter("đến ngày", "day", "lte")
    unit = django_filters.ModelChoiceFilter(
        label="Đơn vị",
        field_name="recipient__unit",
        queryset=Unit.objects.all(),
        empty_label="Tất cả",
    )
    recipient = django_filters.ModelChoiceFilter(
        label="Người nhận",
        queryset=User.objects.filter(is_active=True).order_by("full_name"),
        empty_label="Tất cả",
    )
    channel = django_filters.ChoiceFilter(
        label="Kênh", choices=Channel.choices, empty_label="Tất cả"
    )
    status = django_filters.ChoiceFilter(
        label="Kết quả",
        choices=ReminderDigest.Status.choices,
        empty_label="Tất cả",
        widget=forms.Select,
    )

    class Meta:
        model = ReminderDigest
        fields: list[str] = []
