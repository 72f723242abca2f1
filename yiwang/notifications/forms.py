"""Notification preference form."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(label=_("消息语言"), choices=settings.LANGUAGES)
    sms_enabled = forms.BooleanField(label=_("接收短信"), required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    email_enabled = forms.BooleanField(label=_("接收邮件"), required=False)
