"""Demo contact work for demo customers: a year of contact logs, open follow-ups, key customers' second staff.

Kept apart from demo.generate_demo, which writes a million customers in minutes: this adds the daily
work a new user expects to see on My day and the Timeline, for the few thousand customers a trial uses.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import insert, select

from app.db import Database
from app.models import ContactLog, Customer, CustomerStaff, FollowUp, Staff
from app.models.enums import Category
from app.services import events
from app.services.actor import Actor
from app.services.contacts import refresh_last_contact

# (kind, subject, summary, outcome): what a sales office's contacts are about.
CONTACTS = [
    ("phone", "电话回访", "了解近期采购计划，客户预计下季度有新订单。", "下月初再确认数量"),
    ("visit", "上门拜访", "拜访采购部和技术部，介绍新产品线，客户对节能型号感兴趣。", "寄送样品和报价"),
    ("wechat", "报价沟通", "客户询问批量价格和交货期，已发送报价单。", "等待客户比价"),
    ("meeting", "合同洽谈", "就年度框架合同的付款方式和违约条款达成一致。", "法务审核后签约"),
    ("email", "售后回访", "确认上批货物已验收，客户反映包装有轻微破损。", "已转质量部跟进"),
    ("phone", "账款确认", "核对上季度对账单，客户承诺月底前付清余款。", "月底确认到账"),
    ("visit", "新品推介", "现场演示新款设备，客户总工提出几个技术问题。", "安排技术人员答疑"),
    ("letter", "节日问候", "寄送节日贺卡和公司新年台历。", ""),
]
PURPOSES = ["季度回访", "确认样品反馈", "跟进报价", "催收余款", "介绍新产品", "续签年度合同"]
FOLLOW_UP_SHARE = 0.35  # of customers with an open follow-up, due from ten days ago to three weeks ahead
SECOND_STAFF_SHARE = 0.5  # of key customers who already have a second person serving them


@dataclass(frozen=True)
class DemoContactSummary:
    contact_logs: int
    follow_ups: int
    additional_staff: int


def add_contact_work(
    db: Database, actor: Actor, first_code: str, last_code: str, seed: int = 0, today: date | None = None
) -> DemoContactSummary:
    """Contact logs (0–6 a customer over the last year), follow-ups and second staff for the demo
    customers with codes from `first_code` to `last_code`; the same seed gives the same rows."""
    today = today or date.today()
    rng = random.Random(f"clientdesk-demo-contacts:{seed}:{first_code}")
    with db.session() as session:
        customers = session.execute(
            select(Customer.id, Customer.manager_id, Customer.category)
            .where(Customer.code >= first_code, Customer.code <= last_code)
            .order_by(Customer.code)
        ).all()
        staff = list(session.scalars(select(Staff.id).where(Staff.active.is_(True)).order_by(Staff.name)))
    logs, follow_ups, extra = [], [], []
    now = datetime.now(timezone.utc)
    for customer_id, manager_id, category in customers:
        owner = manager_id or actor.staff_id
        for _ in range(rng.choice((0, 1, 2, 2, 3, 4, 6))):
            kind, subject, summary, outcome = rng.choice(CONTACTS)
            day = today - timedelta(days=rng.randrange(1, 365))
            at = datetime.combine(day, time(rng.randrange(1, 10), rng.randrange(60)), tzinfo=timezone.utc)
            logs.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "customer_id": customer_id,
                    "kind": kind,
                    "occurred_at": at,
                    "staff_id": owner,
                    "subject": subject,
                    "summary": summary,
                    "outcome": outcome,
                    "next_step": "",
                    "created_by_id": owner,
                    "updated_by_id": owner,
                    "created_at": at,
                    "updated_at": at,
                    "version": 1,
                }
            )
        if rng.random() < FOLLOW_UP_SHARE:
            follow_ups.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "customer_id": customer_id,
                    "owner_id": owner,
                    "due_on": today + timedelta(days=rng.randrange(-10, 21)),
                    "purpose": rng.choice(PURPOSES),
                    "origin": "cadence",
                    "status": "open",
                    "created_by_id": owner,
                    "updated_by_id": owner,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        others = [s for s in staff if s != manager_id]
        if category == Category.KEY.value and others and rng.random() < SECOND_STAFF_SHARE:
            extra.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "customer_id": customer_id,
                    "staff_id": rng.choice(others),
                    "updated_by_id": actor.staff_id,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
    with db.session() as session:
        for table, rows in ((ContactLog, logs), (FollowUp, follow_ups), (CustomerStaff, extra)):
            for start in range(0, len(rows), 5000):
                session.execute(insert(table), rows[start : start + 5000])
        refresh_last_contact(session, [c.id for c in customers])
    events.publish(events.Change("contact_log"))
    return DemoContactSummary(contact_logs=len(logs), follow_ups=len(follow_ups), additional_staff=len(extra))
