from __future__ import annotations

from celery import shared_task


# Not autoretried: an account that cannot be refreshed is marked "needs reconnecting" for admins,
# and a transient failure is tried again on the next beat tick, well before the token expires.
@shared_task(name="channels.accounts_refresh", ignore_result=True)
def accounts_refresh() -> dict[str, int]:
    from channels.accounts.tokens import accounts_refresh_due

    return accounts_refresh_due()
