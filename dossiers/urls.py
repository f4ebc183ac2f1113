from django.urls import path, re_path

from dossiers import views, views_files

app_name = "dossiers"

# Dossier codes hold dots and dashes (000.00.06.H56-231027-0361, docs/domain.md §7.1).
CODE = r"(?P<code>[0-9A-Za-z.\-]{1,64})"
# Bounded so an absurd id is a 404, not an integer overflow in the database driver.
FILE_ID = r"(?P<file_id>[0-9]{1,18})"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("register.pdf", views.desk_register_pdf, name="register-pdf"),
    re_path(rf"^{CODE}/$", views.dossier_detail, name="detail"),
    re_path(rf"^{CODE}/forms/(?P<key>[a-z_]+)\.pdf$", views.dossier_form_pdf, name="form-pdf"),
    re_path(rf"^{CODE}/files/{FILE_ID}/$", views_files.file_download, name="file-download"),
    re_path(rf"^{CODE}/files/{FILE_ID}/inline/$", views_files.file_inline, name="file-inline"),
]
