"""The admin registers webhooks: the form runs `Webhook.clean`, so a URL the outbound guard refuses is never saved."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from webhooks.models import EVENT_CHOICES, Webhook


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("địa chỉ nhận"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Webhook
        fields = ["integration", "url", "events", "is_active"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["integration", "url", "is_active", "created_at"]
    list_filter = ["is_active"]
    readonly_fields = ["secret", "created_at"]
    fields = ["integration", "url", "events", "is_active", "secret", "created_at"]
