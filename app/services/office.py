"""Settings shared by everyone on one database (not per user): the company's name on printed reports."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.i18n import _
from app.models import OfficeSetting
from app.services import events
from app.services.actor import Actor
from app.services.errors import ValidationError

COMPANY_NAME = "company_name"
COMPANY_NAME_LIMIT = 200


def company_name(session: Session) -> str:
    return session.scalar(select(OfficeSetting.value).where(OfficeSetting.key == COMPANY_NAME)) or ""


def read_company_name(db: Database) -> str:
    with db.session() as session:
        return company_name(session)


def save_company_name(db: Database, actor: Actor, name: str) -> None:
    name = " ".join(name.split())
    if len(name) > COMPANY_NAME_LIMIT:
        raise ValidationError(
            {
                "company_name": _("The company name is longer than {limit} characters.").format(
                    limit=COMPANY_NAME_LIMIT
                )
            }
        )
    with db.session() as session:
        row = session.get(OfficeSetting, COMPANY_NAME)
        if row is None:
            session.add(OfficeSetting(key=COMPANY_NAME, value=name))
        else:
            row.value = name
    events.publish(events.Change("office_setting"))
