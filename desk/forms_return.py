"""The forms of the return screen (/dossiers/<code>/return/), cut from the engine's own action forms.

Each form takes the fields its step needs from the transition's declaration (`dossiers.forms.action_form_class`),
so labels and types are the engine's; what a return method requires comes from `dossiers.handover`, and the engine
checks everything again.
"""

from __future__ import annotations

import copy

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dossiers import workflow
from dossiers.forms import ActionForm, action_form_class
from dossiers.handover import HANDOVER_REQUIRED
from dossiers.workflow import FeePaymentMethod, ReceiverKind, ReturnMethod

DEFAULT_POSTAL_OPERATOR = "Bưu điện Việt Nam"


def _form(name: str, action: str, fields: tuple[str, ...], required: tuple[str, ...] = ()) -> type[ActionForm]:
    """A form with some of `action`'s declared fields, in this order; `required` ones made required."""
    transition = workflow.TRANSITIONS[action]
    declared = action_form_class(transition).base_fields
    chosen = {}
    for field_name in fields:
        field = copy.deepcopy(declared[field_name])
        if field_name in required:
            field.required = True
            field.error_messages["required"] = format_lazy(_("Cần nhập “{label}”."), label=field.label)
        chosen[field_name] = field
    return type(name, (ActionForm,), {**chosen, "transition": transition})


FeeForm = _form("FeeForm", "collect_fee", ("amount", "payment_method", "receipt_number", "note"))
FeeForm.base_fields["payment_method"].widget = forms.RadioSelect()
FeeForm.base_fields["payment_method"].choices = FeePaymentMethod.choices

CounterForm = _form(
    "CounterForm",
    "return_result",
    ("receiver_kind", "receiver", "receiver_id_number", "id_checked", "originals_returned", "note"),
    required=HANDOVER_REQUIRED[ReturnMethod.COUNTER],
)
CounterForm.base_fields["receiver_kind"].widget = forms.RadioSelect()
CounterForm.base_fields["receiver_kind"].choices = ReceiverKind.choices
CounterForm.base_fields["receiver_id_number"].widget.attrs.update(inputmode="numeric", autocomplete="off")

PostForm = _form("PostForm", "post_result", ("postal_operator", "tracking_number", "originals_returned", "note"))
PostForm.base_fields["tracking_number"].widget.attrs.update(autocomplete="off", autofocus=True)

DeliveredForm = _form(
    "DeliveredForm",
    "return_result",
    ("delivered_on", "receiver", "note"),
    required=HANDOVER_REQUIRED[ReturnMethod.POST],
)
DeliveredForm.base_fields["delivered_on"].widget = forms.DateInput(
    format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}
)
DeliveredForm.base_fields["receiver"].label = _("Người nhận (theo báo phát)")
