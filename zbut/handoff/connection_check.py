"""«Перевірити з'єднання»: one bounded call to the client's Bitrix24 with its stored webhook.

Called from a view, outside any transaction, with a short timeout so a slow portal cannot hold
a web worker. The answer is a sentence for the coordinator; Bitrix24's own error text is kept
(the client redacts the webhook token from it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from zbut.handoff.bitrix24 import ORIGINATOR_ID, Bitrix24Client, Bitrix24Fatal, Bitrix24Retryable
from zbut.handoff.models import Bitrix24Connection

CHECK_TIMEOUT = 5.0


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str


def check_bitrix24_connection(*, connection: Bitrix24Connection) -> ConnectionCheck:
    """List (at most one page of) the leads Zbut created: proves the URL, the token and the CRM
    scope that crm.lead.add needs, and changes nothing on the portal."""
    try:
        client = Bitrix24Client(connection.webhook_url, timeout=CHECK_TIMEOUT)
    except ValueError:
        return ConnectionCheck(False, _("Збережена адреса не схожа на вхідний вебхук Bitrix24."))
    params = {
        "filter": {"=ORIGINATOR_ID": ORIGINATOR_ID},
        "select": ["ID"],
        "order": {"ID": "DESC"},
    }
    try:
        with client:
            client.call("crm.lead.list", params)
    except Bitrix24Retryable as error:
        text = _("Bitrix24 зараз не відповідає, повідомлення чекатимуть у черзі: %(error)s")
        return ConnectionCheck(False, text % {"error": error})
    except Bitrix24Fatal as error:
        text = _("Bitrix24 відхилив запит, перевірте вебхук і його права (CRM): %(error)s")
        return ConnectionCheck(False, text % {"error": error})
    return ConnectionCheck(True, _("З'єднання з %(portal)s працює.") % {"portal": client.portal})
