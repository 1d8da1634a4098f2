"""The collection side's master data: which collector answers for a building, and the
manager's monthly collection targets (计划) that `reports.plan_vs_actual` compares with what came in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.models import Account, CollectionTarget, CollectorArea, TargetScope
from app.services import Actor
from app.services.clock import parse_period, utcnow
from app.services.journal import audit
from app.services.system import auth


@dataclass(frozen=True, slots=True)
class TargetSet:
    month: str
    scope: str
    key: str
    amount: int
    ok_pct: int
    alert_pct: int


def assign_collector(session: Session, *, actor: Actor, building: str, username: str) -> str:
    """Make `username` the collector answering for `building` (replaces the previous one)."""
    auth.require(session, actor, auth.SUPERVISE)
    user = auth.user_by_name(session, username)
    building = (building or "").strip()
    if not session.scalar(select(func.count()).select_from(Account).where(Account.building == building)):
        raise NotFound(f"楼栋“{building}”下没有缴费户")
    row = session.scalar(select(CollectorArea).where(CollectorArea.building == building))
    if row is None:
        session.add(CollectorArea(building=building, user_id=user.id))
    else:
        row.user_id = user.id
    session.flush()
    audit.record(session, actor, "collector_assign", "collector_area", building, username=username)
    return building


def set_target(session: Session, *, actor: Actor, month: str, amount: int, building: str | None = None,
               collector: str | None = None, ok_pct: int = 100, alert_pct: int = 90) -> TargetSet:
    """The manager's monthly collection target for the site, a building or a collector."""
    auth.require(session, actor, auth.SUPERVISE)
    month = parse_period(month)
    if building and collector:
        raise InvalidInput("计划只能针对一个楼栋或一位收费员")
    if type(amount) is not int or amount <= 0:
        raise InvalidInput("计划金额必须大于零")
    if not 0 < alert_pct <= ok_pct <= 200:
        raise InvalidInput("预警线必须在 0 和达标线之间（达标线不超过 200%）")
    if building:
        scope, key = TargetScope.BUILDING, building.strip()
        if not session.scalar(select(func.count()).select_from(Account).where(Account.building == key)):
            raise NotFound(f"楼栋“{key}”下没有缴费户")
    elif collector:
        scope, key = TargetScope.COLLECTOR, auth.user_by_name(session, collector).username
    else:
        scope, key = TargetScope.SITE, ""
    row = CollectionTarget(month=month, scope=scope, key=key, amount=amount, ok_pct=ok_pct, alert_pct=alert_pct,
                           user_id=actor.user_id, created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor, "target_set", "collection_target", row.id, month=month, scope=scope.value,
                 key=key, amount=amount, ok_pct=ok_pct, alert_pct=alert_pct)
    return TargetSet(month, scope.value, key, amount, ok_pct, alert_pct)
