import pytest
from django.core.management import call_command
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from procedures.models import Procedure, ProcedureCase, ProcedureVersion
from tests.procedures.conftest import SMALL

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "admin:procedures_procedure_changelist",
        "admin:procedures_procedureversion_changelist",
        "admin:procedures_field_changelist",
    ],
)
def test_changelists_open_and_search(admin_client, imported, url):
    assert admin_client.get(reverse(url)).status_code == 200
    assert admin_client.get(reverse(url), {"q": "1.001193"}).status_code == 200


def test_version_changelist_filters_by_level(admin_client, imported):
    response = admin_client.get(reverse("admin:procedures_procedureversion_changelist"), {"level": "department"})
    assert [v.procedure.code for v in response.context["cl"].result_list] == ["2.000488"]


def test_procedure_page_shows_its_versions(admin_client, imported):
    procedure = Procedure.objects.get(code="1.001193")
    response = admin_client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk]))
    assert response.status_code == 200
    assert "v1" in response.content.decode()


def test_version_page_has_document_fee_and_step_inlines(admin_client, imported):
    version = ProcedureVersion.objects.get(procedure__code="1.004884")
    response = admin_client.get(reverse("admin:procedures_procedureversion_change", args=[version.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for prefix in ("cases", "documents", "fees", "steps"):
        assert f'name="{prefix}-TOTAL_FORMS"' in html


def test_a_document_s_case_is_chosen_among_its_own_version_s_cases(admin_client, imported):
    version = ProcedureVersion.objects.get(procedure__code="1.004884")
    other = ProcedureVersion.objects.exclude(pk=version.pk).first()
    ProcedureCase.objects.create(version=version, name="Trường hợp của thủ tục này")
    ProcedureCase.objects.create(version=other, name="Trường hợp của thủ tục khác")
    html = admin_client.get(reverse("admin:procedures_procedureversion_change", args=[version.pk])).content.decode()
    assert "Trường hợp của thủ tục này" in html
    assert "Trường hợp của thủ tục khác" not in html


def test_a_fee_line_s_case_is_chosen_among_its_own_version_s_cases(admin_client, imported):
    version = ProcedureVersion.objects.get(procedure__code="1.004884")
    own = ProcedureCase.objects.create(version=version, name="Quá hạn")
    ProcedureCase.objects.create(version=ProcedureVersion.objects.exclude(pk=version.pk).first(), name="Khác")
    response = admin_client.get(reverse("admin:procedures_procedureversion_change", args=[version.pk]))
    fees = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "fees")
    assert list(fees.forms[0].fields["case"].queryset) == [own]


def _post_data(response) -> dict:
    """The change form's current values as the browser would post them (unbound forms' initial data)."""
    data = {}

    def add(form, name):
        value = form[name].value()
        if value is None or value is False or isinstance(value, FieldFile):
            return
        key = form.add_prefix(name)
        data[key] = "on" if value is True else value

    form = response.context["adminform"].form
    for name in form.fields:
        add(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            add(formset.management_form, name)
        for subform in formset.forms:
            for name in subform.fields:
                add(subform, name)
    return data


def test_editing_a_version_in_the_admin_refreshes_its_search_text(admin_client, imported):
    version = ProcedureVersion.objects.get(procedure__code="1.004884")
    before_hash = version.content_hash
    url = reverse("admin:procedures_procedureversion_change", args=[version.pk])
    data = _post_data(admin_client.get(url))
    data["name"] = "Đăng ký lại việc sinh"
    data["documents-0-name"] = "Tờ khai đăng ký lại việc sinh"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    version.refresh_from_db()
    assert version.search_name == "dang ky lai viec sinh"
    assert "to khai dang ky lai viec sinh" in version.search_text
    # The hash stays the imported file's: importing the unchanged file again keeps the edit.
    assert version.content_hash == before_hash
    call_command("import_procedures", str(SMALL), verbosity=0)
    assert ProcedureVersion.objects.get(pk=version.pk).name == "Đăng ký lại việc sinh"


def test_admin_refuses_step_budgets_over_the_time_limit(admin_client, imported, snapshot):
    version = ProcedureVersion.objects.get(procedure__code="1.004884")  # 5 working days, steps 0.5 + 4.5
    url = reverse("admin:procedures_procedureversion_change", args=[version.pk])
    data = _post_data(admin_client.get(url))
    data["steps-1-budget"] = "5"
    before = snapshot()

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "vượt quá thời hạn giải quyết" in response.content.decode()
    assert snapshot() == before
