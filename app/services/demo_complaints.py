"""Demo complaint tickets for demo customers: two years of complaints, most handled, a few left late.

Like demo_contacts, kept apart from demo.generate_demo and written in bulk: each ticket with the workflow
steps it went through (who and when), its resolution and the customer's feedback, deadlines from the
office's policy, and the escalations the deadline check makes for those still open past them.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import insert, select, update

from app.db import Database
from app.models import (
    Complaint,
    ComplaintCategory,
    ComplaintStep,
    Counter,
    Customer,
    Staff,
)
from app.models.complaint import OPEN_STATUSES
from app.models.enums import ComplaintStatus as S
from app.models.enums import StaffRole
from app.services import events
from app.services.actor import Actor
from app.services.complaints import NUMBER_COUNTER, read_policy
from app.services.demo import expand
from app.services.escalation import check_deadlines

DAYS_OF_COMPLAINTS = 730
TICKETS_PER_CUSTOMER = 0.2  # the demo's default: one customer in five or so has complained
CHUNK = 10_000  # tickets a transaction writes, with their steps
OFFICE_HOURS_UTC = (1, 10)  # 09:00–18:00 in China
RECENT_DAYS = 45  # tickets this young may still be waiting: the office has not got round to all of them
STUCK_SHARE = 0.15  # of the recent ones, left new, accepted or under investigation
LATE_SHARE = 0.15  # of the others, resolved after their deadline
NO_FEEDBACK_SHARE = 0.08  # closed without feedback, with the reason why
REOPEN_SHARE = 0.03  # the customer called again: reopened once, then resolved for good

CHANNELS = (("phone", 45), ("online", 15), ("visit", 15), ("email", 10), ("letter", 5), ("other", 10))
SEVERITIES = (("low", 20), ("normal", 55), ("high", 20), ("critical", 5))
CATEGORY_WEIGHTS = {
    "product_quality": 30,
    "delivery": 20,
    "billing": 12,
    "service_not_in_place": 15,
    "staff_attitude": 10,
    "staff_self_interest": 3,
    "interdepartment_dispute": 4,
    "other": 6,
}
# Categories that name the staff member complained about.
ABOUT_STAFF = frozenset({"staff_attitude", "staff_self_interest"})

# (what the customer said, root cause, action taken, corrective and preventive action), by category.
CASES = {
    "product_quality": [
        (
            "收到的一批设备中有三台外壳变形，无法正常安装。",
            "包装缓冲材料不足，运输途中受挤压。",
            "补发三台新设备，回收损坏件。",
            "更换加厚包装箱，发货前增加抽检。",
        ),
        (
            "产品使用两周后出现异响，客户担心影响生产线。",
            "轴承批次质量问题。",
            "派技术人员上门更换轴承并检测整机。",
            "要求供应商提供批次检验报告，入库抽检比例提高到10%。",
        ),
        (
            "实际到货型号与合同不符，参数达不到要求。",
            "仓库拣货时型号相近，核对不严。",
            "当天调换正确型号，承担往返运费。",
            "出库增加扫码核对环节。",
        ),
    ],
    "delivery": [
        (
            "约定周一到货，周四才送到，耽误客户开工。",
            "物流公司临时调度车辆不足。",
            "向客户致歉，本批运费减免。",
            "与第二家物流公司签订备用协议，重要订单提前一天发货。",
        ),
        (
            "送货时少了两箱配件，签收单数量不对。",
            "装车清点遗漏。",
            "次日补送两箱配件。",
            "装车时由两人分别清点并签字。",
        ),
    ],
    "billing": [
        (
            "发票金额与合同金额不一致，财务无法入账。",
            "开票时使用了调价前的单价。",
            "作废原发票并重新开具。",
            "开票前由销售内勤与合同逐项核对。",
        ),
        (
            "对账单中重复计算了一笔货款。",
            "系统导入对账数据时重复。",
            "更正对账单并书面确认。",
            "对账单发送前增加复核。",
        ),
    ],
    "service_not_in_place": [
        (
            "报修三天没人上门，客服电话一直无人接听。",
            "售后人员外出集中，派工未及时跟进。",
            "当天安排工程师上门维修。",
            "报修单超过24小时未派工自动提醒主管。",
        ),
        (
            "安装调试后没有培训操作人员，客户不会使用新功能。",
            "安装计划中遗漏培训环节。",
            "补做半天现场培训并提供操作手册。",
            "安装验收单增加培训签字项。",
        ),
    ],
    "staff_attitude": [
        (
            "业务员电话中态度生硬，多次打断客户说话。",
            "业务员当时情绪急躁，沟通方式不当。",
            "部门经理致电客户道歉，业务员书面检讨。",
            "组织客户沟通礼仪培训。",
        ),
    ],
    "staff_self_interest": [
        (
            "业务员私下推荐其亲戚公司的产品，要求客户绕开公司下单。",
            "个人违反公司廉洁规定。",
            "调查属实，调离岗位并向客户说明。",
            "重申廉洁制度，客户回访中增加相关问题。",
        ),
    ],
    "interdepartment_dispute": [
        (
            "销售和售后互相推诿，客户的退货问题两周没人处理。",
            "退货流程中两个部门的职责不清。",
            "由总经理办公室指定售后部牵头，三天内完成退货。",
            "修订退货流程，明确各环节负责部门。",
        ),
    ],
    "other": [
        (
            "客户反映收到的宣传资料中联系电话有误。",
            "资料印刷前未核对。",
            "更正电子版并重新邮寄纸质资料。",
            "印刷品发布前增加校对。",
        ),
    ],
}
CUSTOM_CASE = (
    "客户对近期合作中的问题表示不满，要求尽快给出说法。",
    "内部沟通不畅。",
    "专人跟进并向客户说明处理进展。",
    "定期回访。",
)
NOTES = {
    S.ACCEPTED: ("已受理，安排专人跟进", "已登记，转相关部门处理", ""),
    S.INVESTIGATING: ("开始调查，联系仓库和物流核实", "已到现场查看情况", ""),
    S.RESOLVED: ("处理完毕", "已按方案处理", ""),
    S.FEEDBACK_GIVEN: ("已回访客户", "", ""),
    S.CLOSED: ("结案", "", ""),
}
REOPEN_NOTE = "客户再次来电，问题没有彻底解决"
FEEDBACK_COMMENTS = {
    5: ("处理及时，非常满意", "感谢快速解决"),
    4: ("基本满意", "希望以后注意"),
    3: ("处理速度一般", "结果可以接受"),
    2: ("处理太慢", "不太满意"),
    1: ("很不满意，考虑更换供应商",),
}
SATISFACTION = ((5, 35), (4, 40), (3, 15), (2, 7), (1, 3))
NO_FEEDBACK_REASONS = ("多次致电客户未接通", "客户联系人已离职，暂无新联系人", "客户表示不需要回访")


@dataclass(frozen=True)
class DemoComplaintSummary:
    tickets: int
    open: int  # new, accepted or under investigation
    overdue: int  # of those, past their deadline
    escalations: int


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def add_complaints(
    db: Database,
    actor: Actor,
    first_code: str,
    last_code: str,
    seed: int = 0,
    today: date | None = None,
    tickets: int | None = None,
    escalate: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> DemoComplaintSummary:
    """Complaint tickets over the last two years for the demo customers with codes from `first_code` to
    `last_code` (`tickets` of them; by default one for every five customers), numbered in the order they
    came in; then, unless `escalate` is False, the deadline check for those still open and late. The
    same seed gives the same tickets."""
    now = datetime.now(timezone.utc)
    if today is not None and today != now.date():
        now = datetime.combine(today, time(12), timezone.utc)
    rng = random.Random(f"clientdesk-demo-complaints:{seed}:{first_code}")
    with db.session() as session:
        policy = read_policy(session)
        customers = session.execute(
            select(Customer.id, Customer.manager_id, Customer.department_id, Customer.tier)
            .where(Customer.code >= first_code, Customer.code <= last_code, Customer.deleted_at.is_(None))
            .order_by(Customer.code)
        ).all()
        staff = session.execute(
            select(Staff.id, Staff.department_id, Staff.role).where(Staff.deleted_at.is_(None))
        ).all()
        categories = session.execute(
            select(ComplaintCategory.id, ComplaintCategory.key).where(ComplaintCategory.deleted_at.is_(None))
        ).all()
        first_number = (session.scalar(select(Counter.value).where(Counter.name == NUMBER_COUNTER)) or 0) + 1
    count = round(len(customers) * TICKETS_PER_CUSTOMER) if tickets is None else tickets
    if not customers or not categories or count <= 0:
        return DemoComplaintSummary(0, 0, 0, 0)
    department_of = {s.id: s.department_id for s in staff}
    managers = {s.department_id: s.id for s in staff if s.role == StaffRole.MANAGER.value}
    category_pool = expand((c, CATEGORY_WEIGHTS.get(c.key or "", 5)) for c in categories)
    channels, severities = expand(CHANNELS), expand(SEVERITIES)
    satisfactions = expand(SATISFACTION)
    # When each ticket came in, in order (its number follows it), and from whom: more lately, as business
    # grew, and some customers far more often than others (a long-tailed share each).
    shares = list(itertools.accumulate(rng.paretovariate(1.5) for _ in customers))
    who = rng.choices(range(len(customers)), cum_weights=shares, k=count)
    arrivals = []
    for which in who:
        day = now - timedelta(days=int(rng.triangular(0, DAYS_OF_COMPLAINTS, 0)))
        at = datetime.combine(day.date(), time(), timezone.utc) + _hours(rng, *OFFICE_HOURS_UTC)
        if at > now:
            at = now - _hours(rng, 0, 2)
        arrivals.append((at, which))
    arrivals.sort()
    written = opened = overdue = 0
    for chunk_start in range(0, count, CHUNK):
        rows, steps = [], []
        for offset, (received, which) in enumerate(arrivals[chunk_start : chunk_start + CHUNK]):
            customer = customers[which]
            category = category_pool[int(rng.random() * len(category_pool))]
            row, ticket_steps = _ticket(
                rng,
                now,
                number=first_number + chunk_start + offset,
                received=received,
                customer=customer,
                category_key=category.key or "",
                responsible=customer.manager_id or actor.staff_id,
                department=department_of.get(customer.manager_id) or customer.department_id,
                managers=managers,
                satisfactions=satisfactions,
            )
            row["category_id"] = category.id
            row["channel"] = channels[int(rng.random() * len(channels))]
            row["severity"] = severities[int(rng.random() * len(severities))]
            row["due_at"] = policy.deadlines.due_at(
                received, row["severity"], customer.tier or None, policy.calendar
            )
            if row["status"] in OPEN_STATUSES:
                opened += 1
                overdue += row["due_at"] < now
            rows.append(row)
            steps += ticket_steps
        with db.session() as session:
            session.execute(insert(Complaint), rows)
            for part in range(0, len(steps), 20_000):
                session.execute(insert(ComplaintStep), steps[part : part + 20_000])
            session.execute(
                update(Counter)
                .where(Counter.name == NUMBER_COUNTER)
                .values(value=first_number + chunk_start + len(rows) - 1)
            )
        written += len(rows)
        if progress is not None:
            progress(written, count)
    escalations = len(check_deadlines(db, actor, now=now)) if escalate else 0
    events.publish(events.Change("complaint"))
    events.publish(events.Change("customer_timeline"))
    return DemoComplaintSummary(tickets=written, open=opened, overdue=overdue, escalations=escalations)


def _ticket(
    rng: random.Random,
    now: datetime,
    *,
    number: int,
    received: datetime,
    customer,
    category_key: str,
    responsible: uuid.UUID,
    department: uuid.UUID | None,
    managers: dict,
    satisfactions: tuple,
) -> tuple[dict, list[dict]]:
    """One ticket as stored, and the steps it took by `now`: each step planned after the one before, the
    ones still in the future not taken yet; a recent ticket may be stuck where it is."""
    case = rng.choice(CASES.get(category_key, [CUSTOM_CASE]))
    closer = managers.get(department, responsible)
    no_feedback = rng.random() < NO_FEEDBACK_SHARE
    # The planned way: received, accepted within hours, investigated, resolved (mostly within the three
    # days), then the customer told and the ticket closed.
    plan = [(S.ACCEPTED, _hours(rng, 0.3, 8)), (S.INVESTIGATING, _hours(rng, 1, 24))]
    late = rng.random() < LATE_SHARE
    plan.append((S.RESOLVED, _hours(rng, 30, 150) if late else _hours(rng, 4, 40)))
    if rng.random() < REOPEN_SHARE:
        plan += [(S.INVESTIGATING, _hours(rng, 24, 120)), (S.RESOLVED, _hours(rng, 12, 72))]
    if no_feedback:
        plan.append((S.CLOSED, _hours(rng, 24, 96)))
    else:
        plan += [(S.FEEDBACK_GIVEN, _hours(rng, 2, 120)), (S.CLOSED, _hours(rng, 1, 240))]
    if now - received < timedelta(days=RECENT_DAYS) and rng.random() < STUCK_SHARE:
        plan = plan[: rng.randrange(3)]  # left new, accepted or under investigation
    ticket_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    steps = [_step(rng, ticket_id, received, "", S.NEW, responsible)]
    status, at, resolved_at, closed_at, was_resolved = S.NEW, received, None, None, False
    for target, after in plan:
        at = at + after
        if at > now:
            break
        reopened = target == S.INVESTIGATING and status == S.RESOLVED
        note = REOPEN_NOTE if reopened else rng.choice(NOTES[target])
        who = closer if target == S.CLOSED else responsible
        steps.append(_step(rng, ticket_id, at, status.value, target, who, note))
        status = target
        if target == S.RESOLVED:
            resolved_at, was_resolved = at, True
        if target == S.CLOSED:
            closed_at = at
        if reopened:
            resolved_at = None
    described, root_cause, action, prevention = case
    has_resolution = was_resolved  # a reopened ticket keeps what was written the first time
    has_feedback = status in (S.FEEDBACK_GIVEN, S.CLOSED) and not no_feedback
    satisfaction = satisfactions[int(rng.random() * len(satisfactions))] if has_feedback else None
    last = steps[-1]
    row = {
        "id": ticket_id,
        "number": number,
        "customer_id": customer.id,
        "received_at": received,
        "description": described,
        "against_staff_id": responsible if category_key in ABOUT_STAFF else None,
        "responsible_staff_id": responsible,
        "department_id": department,
        "status": status.value,
        "escalation_level": 0,
        "root_cause": root_cause if has_resolution else "",
        "action_taken": action if has_resolution else "",
        "preventive_action": prevention if has_resolution and rng.random() < 0.7 else "",
        "compensation": (
            Decimal(rng.choice((200, 500, 800, 1500, 3000)))
            if has_resolution and rng.random() < 0.1
            else None
        ),
        "feedback_channel": rng.choice(("phone", "phone", "visit", "email")) if has_feedback else "",
        "satisfaction": satisfaction,
        "feedback_comment": rng.choice(FEEDBACK_COMMENTS[satisfaction]) if satisfaction else "",
        "no_feedback_reason": rng.choice(NO_FEEDBACK_REASONS) if no_feedback and status == S.CLOSED else "",
        "resolved_at": resolved_at,
        "closed_at": closed_at,
        "created_by_id": responsible,
        "updated_by_id": last["staff_id"],
        "created_at": received,
        "updated_at": last["at"],
        "version": len(steps),
    }
    return row, steps


def _step(
    rng: random.Random,
    ticket_id: uuid.UUID,
    at: datetime,
    from_status: str,
    to: S,
    who: uuid.UUID,
    note: str = "",
) -> dict:
    return {
        "id": uuid.UUID(int=rng.getrandbits(128), version=4),
        "complaint_id": ticket_id,
        "from_status": from_status,
        "to_status": to.value,
        "at": at,
        "staff_id": who,
        "note": note,
    }
