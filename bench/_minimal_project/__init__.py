"""A minimal signed-in Django project, bench/pages.py's reference beside bare Django (issue 41): Django's
standard middleware (startproject's list), sessions in PostgreSQL (database triage_bench_minimal) or signed
cookies (MINIMAL_SESSIONS=cookie), `login_required` and a small template. What any signed-in Django page costs
on this machine at the least; the desk's floor is read against it."""
