"""Helpers for tests that drive the admin as a curator would: read a form, fill it in, send it."""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME


def form_data(response, **overrides):
    """The POST data of the admin form in `response` as it was rendered (inlines included), with `overrides`."""
    data = {}
    context = response.context
    forms = [context["adminform"].form if "adminform" in context else context["form"]]
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        forms += list(formset.forms)
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[bound.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def action_data(action, *objects, **extra):
    """The changelist POST that runs `action` on `objects`."""
    return {"action": action, "index": "0", ACTION_CHECKBOX_NAME: [str(obj.pk) for obj in objects], **extra}
