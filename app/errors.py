"""Domain errors: every mistake a person can cause, with the Chinese message they see.

Services raise these; the UI shows `message`, the CLI prints it and exits 1. Nothing is
written when one is raised, because the transaction frame (`services.run`) rolls back.
"""

from __future__ import annotations


class FeeDeskError(Exception):
    """A broken rule, with a message a cashier can read (zh_CN)."""

    message = "操作失败"

    def __init__(self, message: str | None = None, **details: object) -> None:
        self.message = message or self.message
        self.details = details
        super().__init__(self.message)


class InvalidAmount(FeeDeskError):
    def __init__(self, text: str = "") -> None:
        super().__init__(f"金额格式不正确：“{text}”（例：12、12.5、12.50，最多两位小数）", text=text)


class InvalidInput(FeeDeskError):
    message = "输入不正确"


class NotFound(FeeDeskError):
    message = "找不到记录"


class PermissionDenied(FeeDeskError):
    message = "没有权限执行此操作"


class AuthenticationFailed(FeeDeskError):
    message = "用户名或密码错误"


class AccountLocked(FeeDeskError):
    message = "连续登录失败次数过多，账号已锁定，请联系管理员"


class PaymentRefused(FeeDeskError):
    message = "收款被拒绝"


class ShiftError(FeeDeskError):
    message = "班次状态不允许此操作"


class ApprovalRequired(FeeDeskError):
    message = "此操作需要主管审批"


class PeriodClosed(FeeDeskError):
    message = "该营业日或月份已结账，不能再记账"


class ReceiptStockError(FeeDeskError):
    message = "票据号段不可用"


class AlreadyCorrected(FeeDeskError):
    message = "该收据已作废或已退费，不能重复操作"


class ConcurrentUpdate(FeeDeskError):
    message = "数据已被其他窗口修改，请刷新后重试"


class LedgerInUse(FeeDeskError):
    message = "账本正在其他窗口使用"


class SchemaTooNew(FeeDeskError):
    message = "该账本由更新版本的收费台创建，请升级程序后再打开"


class SchemaTooOld(FeeDeskError):
    message = "账本版本较旧，请管理员运行 feedesk init 升级账本后再打开"


class StorageFull(FeeDeskError):
    message = "磁盘空间已满，本次操作未保存（没有写入任何数据）。请清理磁盘空间后重试"


class LedgerReadOnly(FeeDeskError):
    message = "账本以只读方式打开，只能查看，不能记账"


class LedgerUnreachable(FeeDeskError):
    """The shared PostgreSQL ledger cannot be reached: nothing is posted, nothing kept locally."""

    message = ("无法连接共享账本服务器，本次操作未完成，没有记账。请检查网络或联系管理员；"
               "连接恢复前本窗口不能收款。如刚才正在收款，请在连接恢复后查询收据确认是否已保存")


class LedgerUnusable(FeeDeskError):
    """The ledger named by --db / FEEDESK_DB cannot be opened as a FeeDesk ledger: the message
    names the file (or server) and what to do (`app.db.ledgerfile`)."""

    message = "无法打开账本"


class MissingResource(FeeDeskError):
    """A file the program ships with (font, translation) is missing: a broken installation."""

    def __init__(self, name: str = "") -> None:
        super().__init__(f"程序文件不完整，缺少“{name}”，请重新安装收费台程序", name=name)
