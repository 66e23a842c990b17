"""The hybrid suggestions' two new lists (answers.hybrid).

`plain`: a STORED generated tsvector of the title, question and our reply in PostgreSQL's 'english'
configuration, with a GIN index: the plain full-text list is the evaluation's naive baseline query (words OR-ed,
ts_rank_cd), served by this index instead of building every answer's tsvector per question. The embedded SQLite
default has no such column (answers.hybrid ranks its LIKE candidates by the words they hold instead).

`cell` and MeaningCell: the coarse quantizer of the meaning list (answers.cells): k-means centroids of the answers'
vectors and each answer's nearest one, indexed, so a question reads the vectors of a few cells, not all of them.
"""

from django.db import migrations, models

PLAIN = "to_tsvector('english'::regconfig, title || ' ' || question || ' ' || reply)"

FORWARD = [
    f"ALTER TABLE answers_answer ADD COLUMN plain tsvector GENERATED ALWAYS AS ({PLAIN}) STORED",
    "CREATE INDEX answer_plain_idx ON answers_answer USING gin (plain)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS answer_plain_idx",
    "ALTER TABLE answers_answer DROP COLUMN IF EXISTS plain",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0007_answer_meaning"),
    ]

    operations = [
        migrations.CreateModel(
            name="MeaningCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("model", models.CharField(max_length=80)),
                ("number", models.PositiveIntegerField()),
                ("centroid", models.BinaryField()),
                (
                    "size",
                    models.PositiveIntegerField(default=0, help_text="Answers in this cell when the cells were learnt."),
                ),
                ("learnt_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("model", "number"), name="meaning_cell_unique")],
            },
        ),
        migrations.AddField(
            model_name="answer",
            name="cell",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(fields=["cell"], name="answer_cell_idx"),
        ),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
