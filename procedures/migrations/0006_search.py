"""Search columns as whole words (procedures.text.fold_words): punctuation dropped, search_text between spaces.

Both are derived columns, so they are recomputed from what is stored: the name, and the folded text itself (its
words are the same once punctuation is dropped). Going back leaves the new form in place, which the old search
also reads (it matched substrings of it).
"""

from django.db import migrations

from procedures.text import fold_words, search_text_column


def refold(apps, schema_editor):
    ProcedureVersion = apps.get_model("procedures", "ProcedureVersion")
    changed = []
    for version in ProcedureVersion.objects.only("pk", "name", "search_name", "search_text").iterator(chunk_size=500):
        name, text = fold_words(version.name), search_text_column(version.search_text)
        if (name, text) != (version.search_name, version.search_text):
            version.search_name, version.search_text = name, text
            changed.append(version)
    ProcedureVersion.objects.bulk_update(changed, ["search_name", "search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0005_verbose_names"),
    ]

    operations = [
        migrations.RunPython(refold, migrations.RunPython.noop, elidable=True),
    ]
