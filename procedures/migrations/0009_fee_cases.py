import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0008_min_loa"),
    ]

    operations = [
        migrations.AddField(
            model_name="procedurefee",
            name="case",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="fees",
                to="procedures.procedurecase",
                verbose_name="trường hợp",
            ),
        ),
    ]
