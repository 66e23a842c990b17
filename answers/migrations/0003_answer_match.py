"""What the suggestions match on PostgreSQL (the embedded SQLite default reads the stems with LIKE, see
answers.candidates).

`words`: a STORED generated tsvector of the stems answers.terms wrote (the 'simple' configuration: the
stems are already stemmed in Python, the same way on both databases), with a GIN index, so the first pass
finds the answers holding a question's rarer words without reading the table. pg_trgm's similarity() ranks the
candidates' titles alike in spelling ("pipline", "sign-in"); no trigram index: the candidates are found by pk.
"""

from django.db import migrations

WORDS = """
    to_tsvector('simple'::regconfig, title_terms || ' ' || question_terms || ' ' || asked_terms || ' ' || reply_terms)
"""

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"ALTER TABLE answers_answer ADD COLUMN words tsvector GENERATED ALWAYS AS ({WORDS}) STORED",
    "CREATE INDEX answer_words_idx ON answers_answer USING gin (words)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS answer_words_idx",
    "ALTER TABLE answers_answer DROP COLUMN IF EXISTS words",
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
        ("answers", "0002_answer_term"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
