"""Care reminders: decision makers' birthdays, founding anniversaries and holidays, each with a greeting."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import holidays as holiday_calendars
from sqlalchemy import extract, func, insert, select
from sqlalchemy.orm import Session

from app.db import Database
from app.i18n import N_, _
from app.models import ContactPerson, Customer, Holiday, OfficeSetting, utcnow
from app.models.enums import Category
from app.services import events
from app.services.actor import Actor
from app.services.errors import NotFoundError, ValidationError
from app.services.followups import customers_served_by
from app.services.office import company_name

SEEDED_YEARS_KEY = "holiday_years"
REMINDER_DAYS = 7  # how far ahead My day looks for birthdays, anniversaries and holidays
# The holidays a new database greets for, by the name the holidays library gives each (China's
# calendar, lunar dates included): the name we store (shown translated) and the greeting we suggest.
BUILT_IN = {
    "New Year's Day": (
        N_("New Year's Day"),
        N_("Happy New Year! Thank you for your support over the past year."),
    ),
    "Chinese New Year (Spring Festival)": (
        N_("Spring Festival"),
        N_("Happy Spring Festival! Wishing you and your family good health and a prosperous new year."),
    ),
    "Labor Day": (N_("Labour Day"), N_("Happy Labour Day! Thank you for working with us.")),
    "Dragon Boat Festival": (
        N_("Dragon Boat Festival"),
        N_("Best wishes for the Dragon Boat Festival: good health and every success."),
    ),
    "Mid-Autumn Festival": (
        N_("Mid-Autumn Festival"),
        N_("Happy Mid-Autumn Festival! May you and your family enjoy the full moon together."),
    ),
    "National Day": (N_("National Day"), N_("Happy National Day! Thank you for your continued trust.")),
}
BUILT_IN_NAMES = {name for name, _greeting in BUILT_IN.values()}
BUILT_IN_GREETINGS = {greeting for _name, greeting in BUILT_IN.values()}


@dataclass(frozen=True)
class HolidayInfo:
    id: uuid.UUID
    name: str  # as shown (a built-in holiday in the user's language)
    on: date
    greeting: str  # as shown
    version: int


@dataclass(frozen=True)
class HolidayInput:
    name: str
    on: date | None
    greeting: str = ""


@dataclass(frozen=True)
class CareReminder:
    kind: str  # birthday, anniversary, holiday
    on: date
    title: str  # "王芳's birthday", "Spring Festival"
    greeting: str  # a suggested message, ready to copy
    customer_id: uuid.UUID | None = None
    customer_code: str = ""
    customer_name: str = ""
    person: str = ""  # the decision maker
    contact_person_id: uuid.UUID | None = None
    years: int | None = None  # the anniversary's, or the age is not asked


def default_holidays(year: int) -> list[tuple[str, date, str]]:
    """The built-in holidays of a year: (stored name, first day, stored greeting)."""
    found: dict[str, date] = {}
    for day, name in sorted(holiday_calendars.China(years=year, language="en_US").items()):
        if name in BUILT_IN and name not in found:
            found[name] = day
    return [(BUILT_IN[name][0], day, BUILT_IN[name][1]) for name, day in found.items()]


def shown(text: str, built_in: set[str]) -> str:
    """A built-in holiday's name or greeting in the user's language; the user's own words as written."""
    return _(text) if text in built_in else text


def _seeded_years(session: Session) -> set[int]:
    value = session.scalar(select(OfficeSetting.value).where(OfficeSetting.key == SEEDED_YEARS_KEY))
    return set(json.loads(value)) if value else set()


def ensure_holidays(session: Session, years) -> None:
    """Fill in the built-in holidays of each year not filled yet (once: a deleted one stays deleted)."""
    seeded = _seeded_years(session)
    missing = sorted(set(years) - seeded)
    if not missing:
        return
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "name": name,
            "on": day,
            "greeting": greeting,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for year in missing
        for name, day, greeting in default_holidays(year)
    ]
    if rows:
        session.execute(insert(Holiday), rows)
    setting = session.get(OfficeSetting, SEEDED_YEARS_KEY)
    value = json.dumps(sorted(seeded | set(missing)))
    if setting is None:
        session.add(OfficeSetting(key=SEEDED_YEARS_KEY, value=value))
    else:
        setting.value = value


def _window_days(start: date, days: int) -> dict[int, date]:
    """Each month-and-day (as MMDD) in the window, to the date it falls on; 29 February birthdays are
    kept on 28 February in other years."""
    window: dict[int, date] = {}
    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        window[day.month * 100 + day.day] = day
        if day.month == 2 and day.day == 28 and (day + timedelta(days=1)).month == 3:
            window[229] = day
    return window


def _month_day(column):
    return extract("month", column) * 100 + extract("day", column)


class CareService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- the holiday list

    def holidays(self, actor: Actor, year: int) -> list[HolidayInfo]:
        with self.db.session() as session:
            ensure_holidays(session, [year])
            rows = session.scalars(
                select(Holiday)
                .where(
                    Holiday.deleted_at.is_(None),
                    Holiday.on >= date(year, 1, 1),
                    Holiday.on <= date(year, 12, 31),
                )
                .order_by(Holiday.on, Holiday.name)
            ).all()
            return [self._info(r) for r in rows]

    @staticmethod
    def _info(row: Holiday) -> HolidayInfo:
        return HolidayInfo(
            id=row.id,
            name=shown(row.name, BUILT_IN_NAMES),
            on=row.on,
            greeting=shown(row.greeting, BUILT_IN_GREETINGS),
            version=row.version,
        )

    def save_holiday(
        self, actor: Actor, data: HolidayInput, holiday_id: uuid.UUID | None = None
    ) -> HolidayInfo:
        name = " ".join(data.name.split())
        errors = {}
        if not name:
            errors["name"] = _("Write the holiday's name.")
        elif len(name) > 60:
            errors["name"] = _("The holiday's name is longer than {limit} characters.").format(limit=60)
        if data.on is None:
            errors["on"] = _("Choose the holiday's date.")
        if errors:
            raise ValidationError(errors)
        with self.db.session() as session:
            ensure_holidays(session, [data.on.year])
            same = select(Holiday.id).where(
                Holiday.deleted_at.is_(None), Holiday.on == data.on, func.lower(Holiday.name) == name.lower()
            )
            if holiday_id is not None:
                same = same.where(Holiday.id != holiday_id)
            if session.scalar(same) is not None:
                raise ValidationError(
                    {"name": _("{name} is already on the list for that day.").format(name=name)}
                )
            if holiday_id is None:
                row = Holiday(name=name, on=data.on, greeting=data.greeting.strip())
                session.add(row)
            else:
                row = session.get(Holiday, holiday_id)
                if row is None or row.deleted_at is not None:
                    raise NotFoundError(_("This holiday is no longer on the list."))
                # A built-in name or greeting left as shown keeps its stored form (and so its translation).
                if name != shown(row.name, BUILT_IN_NAMES):
                    row.name = name
                if data.greeting.strip() != shown(row.greeting, BUILT_IN_GREETINGS):
                    row.greeting = data.greeting.strip()
                row.on = data.on
                row.updated_at = utcnow()
            session.flush()
            info = self._info(row)
        events.publish(events.Change("holiday"))
        return info

    def delete_holiday(self, actor: Actor, holiday_id: uuid.UUID) -> None:
        with self.db.session() as session:
            row = session.get(Holiday, holiday_id)
            if row is None or row.deleted_at is not None:
                raise NotFoundError(_("This holiday is no longer on the list."))
            row.deleted_at = row.updated_at = utcnow()
        events.publish(events.Change("holiday"))

    # -- reminders

    def reminders(
        self, actor: Actor, staff_id: uuid.UUID | None, as_of: date | None = None, days: int = REMINDER_DAYS
    ) -> list[CareReminder]:
        """Birthdays of the decision makers of the customers `staff_id` serves (None: all customers),
        their founding anniversaries, and the holidays, from `as_of` to `days` later, by date."""
        as_of = as_of or date.today()
        window = _window_days(as_of, days)
        last = as_of + timedelta(days=days)
        reminders: list[CareReminder] = []
        with self.db.session() as session:
            ensure_holidays(session, {as_of.year, last.year})
            company = company_name(session)
            served = [Customer.deleted_at.is_(None), Customer.category != Category.LOST.value]
            if staff_id is not None:
                served.append(customers_served_by(staff_id))
            people = session.execute(
                select(
                    ContactPerson.id,
                    ContactPerson.name,
                    ContactPerson.title,
                    ContactPerson.birthday,
                    Customer.id,
                    Customer.code,
                    Customer.name,
                )
                .join(Customer, Customer.id == ContactPerson.customer_id)
                .where(
                    ContactPerson.deleted_at.is_(None),
                    ContactPerson.is_decision_maker.is_(True),
                    ContactPerson.birthday.is_not(None),
                    _month_day(ContactPerson.birthday).in_(list(window)),
                    *served,
                )
            )
            for person_id, person, title, birthday, customer_id, code, customer in people:
                on = window[birthday.month * 100 + birthday.day]
                reminders.append(
                    CareReminder(
                        kind="birthday",
                        on=on,
                        title=_("{person}'s birthday").format(person=person),
                        greeting=_(
                            "Dear {person}, happy birthday! Wishing you good health and every success."
                        ).format(person=person)
                        + (" — " + company if company else ""),
                        customer_id=customer_id,
                        customer_code=code,
                        customer_name=customer,
                        person=" ".join(x for x in (person, title) if x),
                        contact_person_id=person_id,
                    )
                )
            founded = session.execute(
                select(Customer.id, Customer.code, Customer.name, Customer.founded).where(
                    Customer.founded.is_not(None), _month_day(Customer.founded).in_(list(window)), *served
                )
            )
            for customer_id, code, customer, day in founded:
                on = window[day.month * 100 + day.day]
                years = on.year - day.year
                if years < 1:
                    continue
                reminders.append(
                    CareReminder(
                        kind="anniversary",
                        on=on,
                        title=_("{years} years since {customer} was founded").format(
                            years=years, customer=customer
                        ),
                        greeting=_(
                            "Congratulations on {years} years since {customer} was founded! We look forward "
                            "to many more years of working together."
                        ).format(years=years, customer=customer)
                        + (" — " + company if company else ""),
                        customer_id=customer_id,
                        customer_code=code,
                        customer_name=customer,
                        years=years,
                    )
                )
            for row in session.scalars(
                select(Holiday).where(Holiday.deleted_at.is_(None), Holiday.on >= as_of, Holiday.on <= last)
            ):
                info = self._info(row)
                reminders.append(
                    CareReminder(kind="holiday", on=row.on, title=info.name, greeting=info.greeting)
                )
        order = {"holiday": 0, "birthday": 1, "anniversary": 2}
        reminders.sort(key=lambda r: (r.on, order[r.kind], r.customer_code))
        return reminders

    def greeting_customers(
        self, actor: Actor, staff_id: uuid.UUID | None, tiers: list[str]
    ) -> list[uuid.UUID]:
        """Whom a holiday greeting goes to: the customers `staff_id` serves in these tiers, and key ones."""
        with self.db.session() as session:
            stmt = select(Customer.id).where(
                Customer.deleted_at.is_(None),
                Customer.category != Category.LOST.value,
                (Customer.tier.in_(tiers)) | (Customer.category == Category.KEY.value),
            )
            if staff_id is not None:
                stmt = stmt.where(customers_served_by(staff_id))
            return list(session.scalars(stmt.order_by(Customer.code)))
