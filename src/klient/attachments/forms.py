"""The upload form of the files panel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klient.attachments.services import DESCRIPTION_MAX
from klient.attachments.sniff import EXTENSIONS


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(
        label=_("Description"), max_length=DESCRIPTION_MAX, required=False, strip=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "att-%s")  # ids of their own beside the page's forms
        super().__init__(*args, **kwargs)
        # Only a hint for the file picker: the server checks the bytes.
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(EXTENSIONS))
