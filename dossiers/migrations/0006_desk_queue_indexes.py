"""The desk queue's exact search by phone number (desk/selectors_queue.py) starts from the applicants: index the phone.

ID numbers are already indexed (ApplicantIdentity.number); every section of the queue uses the existing dossier
indexes ((status, current_due_at), (receiving_agency, status)).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0005_inbox_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="applicant",
            index=models.Index(fields=["phone"], name="applicant_phone"),
        ),
    ]
