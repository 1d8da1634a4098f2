"""Users, passwords (argon2), log-in with lock-out, roles and the permission table.

Every use case calls `require(session, actor, PERMISSION)` first; the UI may hide buttons,
but the check that counts is this one. `approve` checks a supervisor's credentials typed
into the same operation (maker-checker): nobody approves their own correction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.errors import AccountLocked, AuthenticationFailed, InvalidInput, NotFound, PermissionDenied
from app.models import Approval, Role, Station, User
from app.services import Actor
from app.services.clock import utcnow
from app.services.journal import audit
from app.services.system import settings

# Moderate cost: a login must stay well under a second on a counter PC.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

READ = "read"
PAY = "pay"
SHIFT = "shift"  # open/close own shift, cash in/out, hand-ins
CHARGE = "charge"  # post ad-hoc charges
APPROVE = "approve"  # approve corrections (maker-checker)
SUPERVISE = "supervise"  # accept closes, settle days, bank deposits, receipt ranges
BILL = "bill"  # bill runs and meter readings
MASTER = "master"  # accounts, fee items, tariffs, assignments, imports
ADMIN = "admin"  # users, printers, settings, restore from a backup
VERIFY = "verify"  # verify and audit log
TICKETS = "tickets"  # register and close complaints and repair requests (首问责任制: whoever receives it)
BACKUP = "backup"  # take a backup copy of the ledger (a copy of everyone's data)

PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.CASHIER: frozenset({READ, PAY, SHIFT, CHARGE, TICKETS}),
    Role.SUPERVISOR: frozenset({READ, PAY, SHIFT, CHARGE, APPROVE, SUPERVISE, BILL, VERIFY, BACKUP, TICKETS}),
    Role.ADMIN: frozenset({READ, BILL, MASTER, ADMIN, VERIFY, SUPERVISE, BACKUP, TICKETS}),
    Role.AUDITOR: frozenset({READ, VERIFY}),
}

PERMISSION_NAMES = {
    READ: "查询", PAY: "收款", SHIFT: "班次操作", CHARGE: "录入费用", APPROVE: "审批",
    SUPERVISE: "主管操作", BILL: "计费", MASTER: "基础资料维护", ADMIN: "系统管理", VERIFY: "稽核",
    TICKETS: "投诉报修", BACKUP: "备份",
}

ROLE_NAMES = {Role.CASHIER: "收费员", Role.SUPERVISOR: "主管", Role.ADMIN: "管理员", Role.AUDITOR: "稽核"}


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: str
    training: bool
    #: Locked by wrong passwords until then (UTC), or locked by hand (`locked`); shown on the users screen.
    locked_until: dt.datetime | None = None
    locked: bool = False
    active: bool = True
    #: an administrator reset the password: the log-in page asks for a new one first
    must_change_password: bool = False


@dataclass(frozen=True, slots=True)
class Login:
    user: UserInfo
    station_code: str
    station_name: str
    #: Practice mode (练习模式): the user or the station is set to training; the window marks it everywhere.
    training: bool = False
    #: the password was reset by an administrator: the window asks for a new one before anything else
    must_change_password: bool = False

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, self.station_code)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _info(u: User, session: Session | None = None) -> UserInfo:
    until = u.locked_until if u.locked_until is not None and u.locked_until > utcnow() else None
    must = session is not None and u.id in _must_change(session)
    return UserInfo(u.id, u.username, u.display_name, u.role.value, u.training, until, u.locked, u.active, must)


# ---- password policy and forced change ----------------------------------------------------
#: The users (ids) whose password an administrator reset: kept in one setting (audited and sealed
#: like every setting), so no schema change; cleared when the user sets her own password.
MUST_CHANGE = "password_change_required"
PRIVILEGED = (Role.SUPERVISOR, Role.ADMIN)


def _must_change(session: Session) -> set[int]:
    return {int(x) for x in settings.get(session, MUST_CHANGE).split(",") if x.strip().isdigit()}


def _set_must_change(session: Session, user: User, required: bool) -> None:
    ids = _must_change(session)
    if (user.id in ids) == required:
        return
    ids = ids | {user.id} if required else ids - {user.id}
    settings.put(session, MUST_CHANGE, ",".join(str(i) for i in sorted(ids)))


def check_password_policy(session: Session, role: Role, password: str) -> None:
    """At least 4 characters; for supervisors and administrators at least `password_min_length`
    (default 8). A demo ledger, whose passwords are printed on its log-in page, is exempt."""
    if not password or len(password) < 4:
        raise InvalidInput("密码至少 4 位")
    minimum = settings.get_int(session, "password_min_length")
    if role in PRIVILEGED and len(password) < minimum and settings.get(session, "demo") != "1":
        raise InvalidInput(f"{ROLE_NAMES[role]}的密码至少 {minimum} 位")


# Prebuilt: every use case starts with these two reads.
_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))
_STATION_BY_CODE = select(Station).where(Station.code == bindparam("code"))


def require(session: Session, actor: Actor, permission: str) -> User:
    """Load the calling user and refuse unless active and allowed `permission`."""
    return check(session.scalars(_USER_BY_ID, {"user_id": actor.user_id}).first(), permission)


def check(user: User | None, permission: str) -> User:
    """Refuse unless the (already loaded) user is active and allowed `permission`."""
    if user is None or not user.active or user.locked:
        raise PermissionDenied("当前用户无效或已被锁定，请重新登录")
    if permission not in PERMISSIONS[user.role]:
        raise PermissionDenied(
            f"{ROLE_NAMES[user.role]}“{user.username}”没有“{PERMISSION_NAMES[permission]}”权限")
    return user


def station_of(session: Session, actor: Actor) -> Station:
    station = session.scalars(_STATION_BY_CODE, {"code": actor.station_code}).first()
    if station is None:
        raise NotFound(f"收费点“{actor.station_code}”不存在，请在设置中选择正确的收费点")
    return station


#: Minutes locked after each further `lockout_attempts` wrong passwords in a row: 1, 5, 15,
#: 60, then 240 for every further round. Guessing is held to a few tries an hour, and nobody
#: can lock an account for good by typing wrong passwords (an administrator unlocks at once).
LOCK_MINUTES = (1, 5, 15, 60, 240)


def lock_minutes(session: Session, failures: int) -> int:
    """How long the `failures`-th wrong password in a row locks the account (0: not at all)."""
    attempts = settings.get_int(session, "lockout_attempts")
    if attempts <= 0 or failures < attempts or failures % attempts:
        return 0
    return LOCK_MINUTES[min(failures // attempts, len(LOCK_MINUTES)) - 1]


def locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return f"连续输错密码次数过多，账号已暂时锁定，请 {minutes} 分钟后再试，或请管理员解锁"


def _check_password(session: Session, username: str, password: str) -> User:
    """Verify a password; a wrong one counts and may lock the account for a while.

    Every refusal is audited. The error carries `failed_password_of`: the failure count and
    its audit event must survive the error's rollback, so `login_counting_failures` commits
    them here, and `services.run` records them again in a transaction of its own (approvals).
    While an account is locked its password is not even checked (no guessing during the lock).
    """
    read_only = session.info.get("read_only")  # a ledger opened read-only records nothing
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        error = AuthenticationFailed()
    elif user.locked or (user.locked_until is not None and utcnow() < user.locked_until):
        error = AccountLocked() if user.locked else AccountLocked(locked_message(user.locked_until, utcnow()))
    else:
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            error = AuthenticationFailed()
        else:
            if (user.failed_logins or user.locked_until is not None) and not read_only:
                user.failed_logins, user.locked_until = 0, None
            return user
    if read_only:
        raise error
    error = record_failed_password(session, username=username)
    error.details["failed_password_of"] = username
    raise error


def record_failed_password(session: Session, *, username: str) -> AuthenticationFailed | AccountLocked:
    """Audit one refused password for `username` and count it: the error to raise.

    An unknown or inactive user name is audited too. A try while the account is locked is
    audited but not counted (hammering a locked account does not lengthen the lock: the next
    round starts only after it expires). The user row is read FOR UPDATE (PostgreSQL), so two
    wrong passwords at the same moment both count.
    """
    now = utcnow()
    user = session.scalar(select(User).where(User.username == username).with_for_update()
                          .execution_options(populate_existing=True))
    if user is None or not user.active:
        audit.record(session, None, "login_failed", "user", "", username=str(username)[:40], reason="unknown_user")
        return AuthenticationFailed()
    if user.locked or (user.locked_until is not None and now < user.locked_until):
        audit.record(session, Actor(user.id, ""), "login_failed", "user", user.id, reason="locked",
                     failed=user.failed_logins)
        return AccountLocked() if user.locked else AccountLocked(locked_message(user.locked_until, now))
    user.failed_logins += 1
    minutes = lock_minutes(session, user.failed_logins)
    if minutes:
        user.locked_until = now + dt.timedelta(minutes=minutes)
    audit.record(session, Actor(user.id, ""), "login_failed", "user", user.id, reason="wrong_password",
                 failed=user.failed_logins, locked_minutes=minutes)
    return AccountLocked(locked_message(user.locked_until, now)) if minutes else AuthenticationFailed()


def count_failed_password(session: Session, *, username: str) -> None:
    """Record a wrong password typed inside another use case (a supervisor's approval), whose
    own transaction rolled back: without this, approval passwords could be guessed forever."""
    record_failed_password(session, username=username)


def login(session: Session, *, username: str, password: str, station_code: str) -> Login:
    station = session.scalar(select(Station).where(Station.code == station_code))
    if station is None:
        raise NotFound(f"收费点“{station_code}”不存在")
    user = _check_password(session, username, password)
    if not session.info.get("read_only"):  # viewing a read-only ledger leaves no log-in record
        audit.record(session, Actor(user.id, station_code), "login", "user", user.id)
    must = user.id in _must_change(session)
    return Login(_info(user), station.code, station.name, bool(user.training or station.training), must)


def login_counting_failures(factory, *, username: str, password: str, station_code: str) -> Login:
    """Log in; a failed attempt is still committed (failure count, lock-out, audit)."""
    with factory() as session:
        try:
            result = login(session, username=username, password=password, station_code=station_code)
        except (AuthenticationFailed, AccountLocked):
            session.commit()
            raise
        except BaseException:
            session.rollback()
            raise
        session.commit()
        return result


def confirm_password(session: Session, user: User, password: str) -> None:
    """The signed-in user confirms a step with her own password (day settlement, month close);
    a wrong one counts towards the lock-out like a log-in's."""
    try:
        _check_password(session, user.username, password)
    except AuthenticationFailed as exc:
        raise AuthenticationFailed("密码错误：请输入您本人的登录密码确认", **exc.details) from None


def approve(session: Session, *, actor: Actor, action: str, approver: str, approver_password: str,
            reason: str, reference: str = "", amount: int = 0) -> Approval:
    """Maker-checker: the approver's own credentials, a supervisor, never the requester."""
    if not reason or not reason.strip():
        raise InvalidInput("请填写原因")
    requester = session.get(User, actor.user_id)
    try:
        supervisor = _check_password(session, approver, approver_password)
    except AuthenticationFailed as exc:
        raise AuthenticationFailed("审批人用户名或密码错误", **exc.details) from None
    if supervisor.id == actor.user_id:
        raise PermissionDenied("不能审批自己的操作，请由另一位主管审批")
    if APPROVE not in PERMISSIONS[supervisor.role]:
        raise PermissionDenied(f"“{supervisor.username}”不是主管，不能审批")
    approval = Approval(action=action, approver_id=supervisor.id, requested_by_id=requester.id,
                        reason=reason.strip(), reference=reference, amount=amount, created_at=utcnow())
    session.add(approval)
    session.flush()
    audit.record(session, actor, "approval", "approval", approval.id, action=action,
                 approver=supervisor.username, reason=reason.strip(), reference=reference, amount=amount)
    return approval


def add_user(session: Session, *, actor: Actor | None, username: str, role: str, password: str,
             display_name: str = "", training: bool = False) -> UserInfo:
    """Create a user. `actor=None` only from `init` (bootstrap of the first admin)."""
    if actor is not None:
        require(session, actor, ADMIN)
    username = (username or "").strip()
    if not username or len(username) > 40 or not username.isprintable():
        raise InvalidInput("用户名不能为空，且不超过 40 个字符")
    try:
        role_enum = Role(role)
    except ValueError:
        raise InvalidInput(f"角色不正确：“{role}”（可选：cashier、supervisor、admin、auditor）") from None
    if actor is None:  # bootstrap: `setup` checks the first administrator's password itself
        if not password or len(password) < 4:
            raise InvalidInput("密码至少 4 位")
    else:
        check_password_policy(session, role_enum, password)
    if session.scalar(select(func.count()).select_from(User).where(User.username == username)):
        raise InvalidInput(f"用户“{username}”已存在")
    user = User(username=username, display_name=display_name or username, role=role_enum,
                password_hash=hash_password(password), created_at=utcnow(), training=training)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user_add", "user", user.id, username=username, role=role)
    return _info(user)


def set_training(session: Session, *, actor: Actor, username: str, training: bool) -> UserInfo:
    """Put a user into practice mode (练习) or back: everything works, nothing reaches the real
    books. Refused while the user has an open shift (a shift is real or practice from its opening)."""
    from app.models import Shift, ShiftStatus

    require(session, actor, ADMIN)
    user = user_by_name(session, username)
    if session.scalar(select(Shift.id).where(Shift.cashier_id == user.id, Shift.status == ShiftStatus.OPEN)):
        raise InvalidInput(f"用户“{username}”有未轧帐的班次，请先轧帐再切换练习模式")
    user.training = bool(training)
    session.flush()
    audit.record(session, actor, "user_training", "user", user.id, username=username, training=bool(training))
    return _info(user)


def user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户“{username}”不存在")
    return user


def list_users(session: Session, *, actor: Actor) -> list[UserInfo]:
    require(session, actor, READ)
    return [_info(u, session) for u in session.scalars(select(User).order_by(User.id))]


def _other_user(session: Session, actor: Actor, username: str, what: str) -> tuple[User, User]:
    """(administrator, the user she changes); nobody disables, demotes or resets herself here."""
    admin = require(session, actor, ADMIN)
    user = user_by_name(session, username)
    if user.id == admin.id:
        raise InvalidInput(f"不能{what}（请由另一位管理员操作）")
    return admin, user


def set_active(session: Session, *, actor: Actor, username: str, active: bool) -> UserInfo:
    """Disable (停用) or re-enable (启用) a user. A disabled user cannot log in or approve; her
    history stays. Refused for the caller herself and for a user with an open shift."""
    from app.models import Shift, ShiftStatus

    _, user = _other_user(session, actor, username, "停用或启用自己的账号")
    if not active and session.scalar(select(Shift.id).where(Shift.cashier_id == user.id,
                                                            Shift.status == ShiftStatus.OPEN)):
        raise InvalidInput(f"用户“{username}”有未轧帐的班次，请先轧帐再停用")
    if user.active == bool(active):
        raise InvalidInput(f"用户“{username}”已经是{'启用' if active else '停用'}状态")
    user.active = bool(active)
    audit.record(session, actor, "user_enable" if active else "user_disable", "user", user.id, username=username)
    return _info(user, session)


def reset_password(session: Session, *, actor: Actor, username: str, password: str) -> UserInfo:
    """An administrator sets a temporary password; the user must change it at her next log-in.
    Clears a lock-out (the user was probably locked out by the forgotten password)."""
    _, user = _other_user(session, actor, username, "在此重置自己的密码")
    check_password_policy(session, user.role, password)
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    _set_must_change(session, user, True)
    audit.record(session, actor, "user_password_reset", "user", user.id, username=username)
    return _info(user, session)


def set_role(session: Session, *, actor: Actor, username: str, role: str) -> UserInfo:
    """Change a user's role. Refused for the caller herself (an administrator cannot demote
    herself by mistake) and while the user has an open shift (her shift was opened under her role)."""
    from app.models import Shift, ShiftStatus

    _, user = _other_user(session, actor, username, "更改自己的角色")
    try:
        new = Role(role)
    except ValueError:
        raise InvalidInput(f"角色不正确：“{role}”（可选：cashier、supervisor、admin、auditor）") from None
    if new == user.role:
        raise InvalidInput(f"用户“{username}”已经是{ROLE_NAMES[new]}")
    if session.scalar(select(Shift.id).where(Shift.cashier_id == user.id, Shift.status == ShiftStatus.OPEN)):
        raise InvalidInput(f"用户“{username}”有未轧帐的班次，请先轧帐再更改角色")
    old = user.role
    user.role = new
    if new in PRIVILEGED and old not in PRIVILEGED:  # her short password may not meet the stricter rule
        _set_must_change(session, user, True)
    audit.record(session, actor, "user_role", "user", user.id, username=username, old=old.value, new=new.value)
    return _info(user, session)


def change_password(session: Session, *, username: str, password: str, new_password: str,
                    station_code: str) -> Login:
    """The user sets her own password (at the log-in page after a reset): the old one first,
    then the new one under the policy, not the same as the old."""
    login_ = login(session, username=username, password=password, station_code=station_code)
    user = session.get(User, login_.user.id)
    if new_password == password:
        raise InvalidInput("新密码不能与原密码相同")
    check_password_policy(session, user.role, new_password)
    user.password_hash = hash_password(new_password)
    _set_must_change(session, user, False)
    audit.record(session, login_.actor, "user_password_change", "user", user.id, username=username)
    return Login(_info(user, session), login_.station_code, login_.station_name, login_.training, False)


def unlock_user(session: Session, *, actor: Actor, username: str) -> UserInfo:
    require(session, actor, ADMIN)
    user = user_by_name(session, username)
    was = {"failed": user.failed_logins, "locked": user.locked,
           "locked_until": user.locked_until.isoformat(sep=" ", timespec="seconds") if user.locked_until else ""}
    user.locked, user.failed_logins, user.locked_until = False, 0, None
    audit.record(session, actor, "user_unlock", "user", user.id, username=user.username, **was)
    return _info(user)


def recover_admin(session: Session, *, username: str, new_password: str = "", os_user: str = "",
                  host: str = "") -> UserInfo:
    """Physical-access recovery of a locked-out (or forgotten) administrator: no log-in.

    Only `feedesk user recover-admin` calls it, and only on a SQLite ledger file that the
    operating-system user can write (whoever can write the file can change anything in it;
    this way leaves a record). Clears the lock, re-activates the account, optionally sets a
    new password, and audits who did it from which computer.
    """
    user = user_by_name(session, username)
    if user.role != Role.ADMIN:
        raise InvalidInput(f"“{username}”不是管理员：此命令只恢复管理员账号，其他账号请由管理员解锁")
    if new_password and len(new_password) < 4:
        raise InvalidInput("密码至少 4 位")
    was = {"failed": user.failed_logins, "locked": user.locked, "active": user.active,
           "locked_until": user.locked_until.isoformat(sep=" ", timespec="seconds") if user.locked_until else ""}
    user.locked, user.failed_logins, user.locked_until, user.active = False, 0, None, True
    if new_password:
        user.password_hash = hash_password(new_password)
    audit.record(session, None, "admin_recovered", "user", user.id, username=user.username,
                 password_reset=bool(new_password), os_user=os_user, host=host, **was)
    return _info(user)
