from django.db import migrations

from metrics.community.member_rollup import MEMBER_TRIGGERS_SQL
from metrics.competitor_rollup import COMPETITOR_TRIGGERS_SQL
from metrics.rollup_marks import TRIGGERS_SQL


def functions_planned_per_call(apps, schema_editor):
    """PostgreSQL only: the statement triggers' functions that read transition tables run their SQL through EXECUTE,
    planned for each call's rows, where PL/pgSQL kept the plan of a connection's first call (sized for one row, it
    joined a 2,000-ticket update's rows by nested loops: metrics.statement_triggers.transition_function_sql)."""
    if schema_editor.connection.vendor == "postgresql":
        for sql in (TRIGGERS_SQL, MEMBER_TRIGGERS_SQL, COMPETITOR_TRIGGERS_SQL):
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0019_community_term_sums"),
    ]

    # Backwards nothing to undo: the functions count the same rows either way; only when they are planned differs.
    operations = [migrations.RunPython(functions_planned_per_call, migrations.RunPython.noop, elidable=False)]
