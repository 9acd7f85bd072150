"""The seller's letterhead on the statement and day-report PDFs (抬头设置)."""

from __future__ import annotations

import base64

from aiohttp import web

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, FINANCE, SALES
from domain.letterhead import decode_logo, letterhead, set_letterhead
from domain.printing import Letterhead
from httpcommon.contract import Routes
from httpcommon.fields import Body, Reply, text
from httpcommon.jsonio import json_response
from httpcommon.keys import now

routes = Routes()
LOGO_MAX_TEXT = 350_000  # base64 of the 256 KB a logo may have


class LetterheadSettings(Body, Reply):
    name: text(60) = ""  # 公司名称（抬头）
    address: text(120) = ""
    phone: text(40) = ""
    tax_id: text(30) = ""  # 纳税人识别号
    bank: text(120) = ""  # 开户行及账号
    logo_png: text(LOGO_MAX_TEXT) = ""  # base64 of a PNG file; "" for no logo


def _reply(head: Letterhead) -> web.Response:
    logo = base64.b64encode(head.logo_png).decode("ascii") if head.logo_png else ""
    return json_response({"name": head.name, "address": head.address, "phone": head.phone,
                          "tax_id": head.tax_id, "bank": head.bank, "logo_png": logo})


@routes.get("/settings/letterhead", summary="PDF 抬头（公司名称、地址、电话、税号、开户行、徽标）",
            response=LetterheadSettings)
async def get_letterhead(request: web.Request) -> web.Response:
    actor_with(request, ADMIN, FINANCE, SALES)
    return _reply(await letterhead())


@routes.put("/settings/letterhead", summary="设置 PDF 抬头（对账单与日报汇总的页首）",
            body=LetterheadSettings, response=LetterheadSettings)
async def put_letterhead(request: web.Request, body: LetterheadSettings) -> web.Response:
    actor = actor_with(request, ADMIN, FINANCE)
    head = Letterhead(name=body.name.strip(), address=body.address.strip(),
                      phone=body.phone.strip(), tax_id=body.tax_id.strip(),
                      bank=body.bank.strip(), logo_png=decode_logo(body.logo_png.strip()))
    return _reply(await set_letterhead(head, by=actor.label, now=now(request)))
