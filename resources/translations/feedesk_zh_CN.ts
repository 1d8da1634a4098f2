<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>FeeDesk</name>
    <message>
        <source>Statement</source>
        <translation>对账单</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>To</source>
        <translation>止</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Print statement…</source>
        <translation>打印对账单(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Save PDF…</source>
        <translation>保存 PDF(&amp;S)…</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>收据号</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Tenders / item</source>
        <translation>付款方式 / 项目</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>经办人</translation>
    </message>
    <message>
        <source>Reason / original receipt</source>
        <translation>原因 / 原收据</translation>
    </message>
    <message>
        <source>Payments and receipts</source>
        <translation>缴款及收据</translation>
    </message>
    <message>
        <source>Corrections</source>
        <translation>更正（作废、退费、减免、核销）</translation>
    </message>
    <message>
        <source>Charges</source>
        <translation>应收费用</translation>
    </message>
    <message>
        <source>Dunning contacts</source>
        <translation>催缴联系</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
    <message>
        <source>Account history {0}</source>
        <translation>缴费户历史 {0}</translation>
    </message>
    <message>
        <source>Fee</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>期间</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>已收</translation>
    </message>
    <message>
        <source>Waived</source>
        <translation>减免</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>欠款</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>到期日</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Promised by</source>
        <translation>承诺日期</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Printed {0} pages</source>
        <translation>已送打印 {0} 页</translation>
    </message>
    <message>
        <source>Saved: {0}</source>
        <translation>已保存：{0}</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Must change password</source>
        <translation>须修改密码</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁定（须管理员解锁）</translation>
    </message>
    <message>
        <source>Room, name, phone digits or pinyin initials</source>
        <translation>房号、姓名、电话号码或拼音首字母</translation>
    </message>
    <message>
        <source>Import from Excel/CSV…</source>
        <translation>从 Excel/CSV 导入…</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>缴费户</translation>
    </message>
    <message>
        <source>Arrears</source>
        <translation>欠费</translation>
    </message>
    <message>
        <source>user name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>display name</source>
        <translation>显示名称</translation>
    </message>
    <message>
        <source>initial password</source>
        <translation>初始密码</translation>
    </message>
    <message>
        <source>Add user</source>
        <translation>新增用户</translation>
    </message>
    <message>
        <source>Unlock selected user</source>
        <translation>解锁选中用户</translation>
    </message>
    <message>
        <source>Disable / enable selected user</source>
        <translation>停用/启用所选用户</translation>
    </message>
    <message>
        <source>temporary password</source>
        <translation>临时密码</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>重设密码</translation>
    </message>
    <message>
        <source>Change role</source>
        <translation>更改角色</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Verify the books</source>
        <translation>账务核验</translation>
    </message>
    <message>
        <source>Back up to file…</source>
        <translation>备份到文件…</translation>
    </message>
    <message>
        <source>Verify and backup</source>
        <translation>核验与备份</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>正在核验…</translation>
    </message>
    <message>
        <source>Backing up…</source>
        <translation>正在备份…</translation>
    </message>
    <message>
        <source>New fee item</source>
        <translation>新增收费项目</translation>
    </message>
    <message>
        <source>code, e.g. TCF</source>
        <translation>编码，例：TCF</translation>
    </message>
    <message>
        <source>yuan, up to 4 decimals</source>
        <translation>元，最多四位小数</translation>
    </message>
    <message>
        <source>e.g. 0.0005 or 0.05%</source>
        <translation>例：0.0005 或 0.05%</translation>
    </message>
    <message>
        <source>YYYY-MM-DD (empty: always)</source>
        <translation>YYYY-MM-DD（空：一直有效）</translation>
    </message>
    <message>
        <source>e.g. 次</source>
        <translation>例：次</translation>
    </message>
    <message>
        <source>Add fee item</source>
        <translation>新增收费项目</translation>
    </message>
    <message>
        <source>New rate from a date (tariff)</source>
        <translation>调价（新收费标准）</translation>
    </message>
    <message>
        <source>fee item code</source>
        <translation>收费项目编码</translation>
    </message>
    <message>
        <source>new rate</source>
        <translation>新单价</translation>
    </message>
    <message>
        <source>from YYYY-MM-DD</source>
        <translation>生效日期 YYYY-MM-DD</translation>
    </message>
    <message>
        <source>Add rate</source>
        <translation>新增收费标准</translation>
    </message>
    <message>
        <source>Assign to accounts</source>
        <translation>分配到缴费户</translation>
    </message>
    <message>
        <source>account code or building</source>
        <translation>缴费户编码或楼栋</translation>
    </message>
    <message>
        <source>quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>分配</translation>
    </message>
    <message>
        <source>Fee items</source>
        <translation>收费项目</translation>
    </message>
    <message>
        <source>Edit the selected account</source>
        <translation>修改选中的缴费户</translation>
    </message>
    <message>
        <source>m², e.g. 89.50</source>
        <translation>平方米，例：89.50</translation>
    </message>
    <message>
        <source>shown to the cashier as a warning on the account card</source>
        <translation>收费员打开缴费户时作为提醒显示</translation>
    </message>
    <message>
        <source>Save account</source>
        <translation>保存缴费户</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>业主</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Built area</source>
        <translation>建筑面积</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Account note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Tables (*.xlsx *.csv)</source>
        <translation>表格 (*.xlsx *.csv)</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <source>Save readings</source>
        <translation>保存读数</translation>
    </message>
    <message>
        <source>Meter readings</source>
        <translation>抄表</translation>
    </message>
    <message>
        <source>Run billing</source>
        <translation>计费</translation>
    </message>
    <message>
        <source>Bill runs</source>
        <translation>计费</translation>
    </message>
    <message>
        <source>Billing…</source>
        <translation>正在计费…</translation>
    </message>
    <message>
        <source>prefix</source>
        <translation>前缀</translation>
    </message>
    <message>
        <source>first number</source>
        <translation>起始号</translation>
    </message>
    <message>
        <source>last number</source>
        <translation>结束号</translation>
    </message>
    <message>
        <source>to cashier (user name)</source>
        <translation>领用收费员（用户名）</translation>
    </message>
    <message>
        <source>Issue range</source>
        <translation>发放号段</translation>
    </message>
    <message>
        <source>Receipt ranges</source>
        <translation>票据号段</translation>
    </message>
    <message>
        <source>Test print</source>
        <translation>打印测试页</translation>
    </message>
    <message>
        <source>Receipt preview</source>
        <translation>收据预览</translation>
    </message>
    <message>
        <source>Printers</source>
        <translation>打印机</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>系统设置</translation>
    </message>
    <message>
        <source>Preset reasons of corrections</source>
        <translation>更正原因预设</translation>
    </message>
    <message>
        <source>One reason a line</source>
        <translation>每行一个原因</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>Books balanced: all checks passed</source>
        <translation>账务平衡：全部检查通过</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Pricing</source>
        <translation>计费方式</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>单价</translation>
    </message>
    <message>
        <source>Cycle</source>
        <translation>周期</translation>
    </message>
    <message>
        <source>Due after (days)</source>
        <translation>到期天数</translation>
    </message>
    <message>
        <source>Late fee per day</source>
        <translation>滞纳金日费率</translation>
    </message>
    <message>
        <source>Grace (days)</source>
        <translation>宽限天数</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>生效日期</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>科室/部门</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>one account</source>
        <translation>单个缴费户</translation>
    </message>
    <message>
        <source>a building</source>
        <translation>整栋楼</translation>
    </message>
    <message>
        <source>all accounts</source>
        <translation>全部缴费户</translation>
    </message>
    <message>
        <source>Date as YYYY-MM-DD, please.</source>
        <translation>日期格式：YYYY-MM-DD。</translation>
    </message>
    <message>
        <source>Quantity must be a whole number.</source>
        <translation>数量必须是整数。</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>缴费户</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>没有修改。</translation>
    </message>
    <message>
        <source>Meter readings: one row per meter; Enter moves down. Save checks every row.</source>
        <translation>抄表录入：每行一块表，Enter 下移；保存时逐行检查。</translation>
    </message>
    <message>
        <source>Fee item code</source>
        <translation>收费项目编码</translation>
    </message>
    <message>
        <source>Read on</source>
        <translation>抄表日期</translation>
    </message>
    <message>
        <source>Reading</source>
        <translation>读数</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Type at least one account and reading.</source>
        <translation>请至少录入一个缴费户和读数。</translation>
    </message>
    <message>
        <source>Numbers must be whole numbers.</source>
        <translation>号码必须是整数。</translation>
    </message>
    <message>
        <source>No printer configured (feedesk printer add).</source>
        <translation>尚未配置打印机（feedesk printer add）。</translation>
    </message>
    <message>
        <source>Money in yuan; yes/no as 1 or 0; times as HH:MM. Enter or Save stores one value.</source>
        <translation>金额按元填写；是/否填 1 或 0；时间填 HH:MM。按 Enter 或“保存”逐项保存。</translation>
    </message>
    <message>
        <source>Select a user in the list first.</source>
        <translation>请先在列表中选择用户。</translation>
    </message>
    <message>
        <source>User {0} unlocked.</source>
        <translation>已解锁用户 {0}。</translation>
    </message>
    <message>
        <source>Password of {0} reset: it must be changed at the next log-in.</source>
        <translation>已重设 {0} 的密码：下次登录时须修改。</translation>
    </message>
    <message>
        <source>Role of {0} changed.</source>
        <translation>已更改 {0} 的角色。</translation>
    </message>
    <message>
        <source>Locked until {0}</source>
        <translation>锁定至 {0}</translation>
    </message>
    <message>
        <source>Building</source>
        <translation>楼栋</translation>
    </message>
    <message>
        <source>Outstanding</source>
        <translation>欠款</translation>
    </message>
    <message>
        <source>Oldest due</source>
        <translation>最早到期</translation>
    </message>
    <message>
        <source>Days overdue</source>
        <translation>逾期天数</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>练习</translation>
    </message>
    <message>
        <source>{0} accounts in arrears, total {1} (as of {2})</source>
        <translation>欠费 {0} 户，合计 {1} 元（截至 {2}）</translation>
    </message>
    <message>
        <source>{0}: {1} rows</source>
        <translation>{0}：{1} 条</translation>
    </message>
    <message>
        <source>Days must be whole numbers.</source>
        <translation>天数必须是整数。</translation>
    </message>
    <message>
        <source>Fee item {0} {1} added: rate {2} from {3}.</source>
        <translation>已新增收费项目 {0} {1}：单价 {2}，自 {3} 起。</translation>
    </message>
    <message>
        <source>{0} readings saved.</source>
        <translation>已保存 {0} 条读数。</translation>
    </message>
    <message>
        <source>Period {0}: {1} charges, total {2}; {3} already billed</source>
        <translation>{0}：生成 {1} 笔应收，合计 {2} 元；{3} 笔已计费跳过</translation>
    </message>
    <message>
        <source>Prefix</source>
        <translation>前缀</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一号</translation>
    </message>
    <message>
        <source>Holder</source>
        <translation>领用人</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>剩余</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>收费点</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接方式</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Paper</source>
        <translation>纸宽</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>User {0} disabled.</source>
        <translation>已停用用户 {0}。</translation>
    </message>
    <message>
        <source>User {0} enabled.</source>
        <translation>已启用用户 {0}。</translation>
    </message>
    <message>
        <source>Always needs a second person with supervisor rights</source>
        <translation>始终需要另一位主管审批</translation>
    </message>
    <message>
        <source>CHECK FAILED: {0}</source>
        <translation>核验未通过：{0}</translation>
    </message>
    <message>
        <source>Account {0} saved; changed: {1}</source>
        <translation>缴费户 {0} 已保存，修改了：{1}</translation>
    </message>
    <message>
        <source>Nothing was imported. Fix these rows and import again:</source>
        <translation>未导入任何数据。请修正以下各行后重新导入：</translation>
    </message>
    <message>
        <source>Backup written: {0} ({1} bytes), integrity {2}</source>
        <translation>备份完成：{0}（{1} 字节），完整性 {2}</translation>
    </message>
    <message>
        <source>Fee item {0}: rate {1} from {2}.</source>
        <translation>收费项目 {0}：自 {2} 起单价 {1}。</translation>
    </message>
    <message>
        <source>Fee item {0} assigned to {1} accounts.</source>
        <translation>收费项目 {0} 已分配到 {1} 户。</translation>
    </message>
    <message>
        <source>{0} accounts imported.</source>
        <translation>已导入 {0} 户。</translation>
    </message>
    <message>
        <source>Test page on {0}: {1}</source>
        <translation>{0} 测试页：{1}</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Range issued: {0}{1}–{2} to {3}</source>
        <translation>已发放号段 {0}{1}–{2} 给 {3}</translation>
    </message>
    <message>
        <source>User {0} added.</source>
        <translation>已新增用户 {0}。</translation>
    </message>
    <message>
        <source>Tender</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <source>Transaction reference</source>
        <translation>交易流水号</translation>
    </message>
    <message>
        <source>Choose (↓) or type the reason</source>
        <translation>选择（↓）或输入原因</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>审批主管</translation>
    </message>
    <message>
        <source>Supervisor password</source>
        <translation>主管密码</translation>
    </message>
    <message>
        <source>Approve (Enter)</source>
        <translation>审批通过 (Enter)</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <source>Voided: the whole {0}, back as it was paid</source>
        <translation>作废全额 {0} 元，按原付款方式退回</translation>
    </message>
    <message>
        <source>Refundable: {0}</source>
        <translation>可退金额：{0} 元</translation>
    </message>
    <message>
        <source>Outstanding: {0}</source>
        <translation>欠款：{0} 元</translation>
    </message>
    <message>
        <source>Written off: the whole outstanding {0}</source>
        <translation>核销全部欠款：{0} 元</translation>
    </message>
    <message>
        <source>Deposit held: {0}</source>
        <translation>押金余额：{0} 元</translation>
    </message>
    <message>
        <source>Prepaid balance: {0}</source>
        <translation>预存余额：{0} 元</translation>
    </message>
    <message>
        <source>Receipt {0} · {1} {2} · issued {3} · total {4}</source>
        <translation>收据 {0} · {1} {2} · 开具于 {3} · 合计 {4} 元</translation>
    </message>
    <message>
        <source>{0} {1} · {2} {3} · amount {4}, outstanding {5}</source>
        <translation>{0} {1} · {2} {3} · 金额 {4} 元，欠款 {5} 元</translation>
    </message>
    <message>
        <source>Waive a charge</source>
        <translation>减免费用</translation>
    </message>
    <message>
        <source>Write off a charge</source>
        <translation>核销费用</translation>
    </message>
    <message>
        <source>Refund a deposit</source>
        <translation>退押金</translation>
    </message>
    <message>
        <source>Refund the prepaid balance</source>
        <translation>预存退款</translation>
    </message>
    <message>
        <source>Deposit</source>
        <translation>押金项目</translation>
    </message>
    <message>
        <source>empty: the whole amount</source>
        <translation>不填：全额</translation>
    </message>
    <message>
        <source>Pay back by</source>
        <translation>退款方式</translation>
    </message>
    <message>
        <source>e.g. waiver approval form 2026-018</source>
        <translation>例：减免审批单 2026-018（可不填）</translation>
    </message>
    <message>
        <source>Written approval no.</source>
        <translation>审批单号</translation>
    </message>
    <message>
        <source>Choose or type the reason.</source>
        <translation>请选择或输入原因。</translation>
    </message>
    <message>
        <source>Void receipt {0}</source>
        <translation>作废收据 {0}</translation>
    </message>
    <message>
        <source>Refund receipt {0}</source>
        <translation>退费：收据 {0}</translation>
    </message>
    <message>
        <source>deposits held {0}</source>
        <translation>押金 {0} 元</translation>
    </message>
    <message>
        <source>prepaid {0}</source>
        <translation>预存 {0} 元</translation>
    </message>
    <message>
        <source>Into the prepaid balance</source>
        <translation>退入预存</translation>
    </message>
    <message>
        <source>Customer display</source>
        <translation>客显</translation>
    </message>
    <message>
        <source>Payer</source>
        <translation>缴费人</translation>
    </message>
    <message>
        <source>Amount due</source>
        <translation>应收金额</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>实收</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>找零</translation>
    </message>
    <message>
        <source>FeeDesk</source>
        <translation>FeeDesk 收费台</translation>
    </message>
    <message>
        <source>An internal error occurred. The ledger is unchanged; the details were written to the log file. Please tell the administrator.</source>
        <translation>程序内部出错，账务未受影响；详细信息已写入日志文件，请联系管理员。</translation>
    </message>
    <message>
        <source>This shortcut sheet</source>
        <translation>快捷键一览</translation>
    </message>
    <message>
        <source>Find account (search box)</source>
        <translation>查找缴费户（搜索框）</translation>
    </message>
    <message>
        <source>Open the account / pay with the amount typed</source>
        <translation>打开缴费户 / 按输入金额收款</translation>
    </message>
    <message>
        <source>Select or deselect the current charge</source>
        <translation>勾选或取消当前费用</translation>
    </message>
    <message>
        <source>Quick charge (itemise)</source>
        <translation>划价收费</translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation>收据</translation>
    </message>
    <message>
        <source>Tender: WeChat Pay</source>
        <translation>付款方式：微信支付</translation>
    </message>
    <message>
        <source>Tender: Alipay</source>
        <translation>付款方式：支付宝</translation>
    </message>
    <message>
        <source>Tender: bank card</source>
        <translation>付款方式：银行卡</translation>
    </message>
    <message>
        <source>Tender: transfer</source>
        <translation>付款方式：转账</translation>
    </message>
    <message>
        <source>Tender: prepaid balance</source>
        <translation>付款方式：预存抵扣</translation>
    </message>
    <message>
        <source>Tender: medical insurance</source>
        <translation>付款方式：医保</translation>
    </message>
    <message>
        <source>Keep the change as prepaid</source>
        <translation>找零转预存</translation>
    </message>
    <message>
        <source>Remove the last tender line</source>
        <translation>删除最后一笔付款</translation>
    </message>
    <message>
        <source>Shift: open, cash in/out, blind close</source>
        <translation>班次：开班、存取现金、盲点轧帐</translation>
    </message>
    <message>
        <source>Supervisor desk</source>
        <translation>主管台</translation>
    </message>
    <message>
        <source>Reprint: the receipt selected on the receipts screen, else the last one taken</source>
        <translation>重打：收据界面选中的收据，否则为刚收的一张</translation>
    </message>
    <message>
        <source>Receipts screen: void the selected receipt</source>
        <translation>收据界面：作废选中的收据</translation>
    </message>
    <message>
        <source>Receipts screen: refund the selected receipt</source>
        <translation>收据界面：退费选中的收据</translation>
    </message>
    <message>
        <source>Lock the screen</source>
        <translation>锁屏</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>注销</translation>
    </message>
    <message>
        <source>Clear and go back to the search box</source>
        <translation>清空并回到搜索框</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>功能</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Excel workbooks (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Save the report</source>
        <translation>保存报表</translation>
    </message>
    <message>
        <source>FeeDesk — choose the ledger</source>
        <translation>收费台 — 选择账本</translation>
    </message>
    <message>
        <source>New ledger</source>
        <translation>新建账本</translation>
    </message>
    <message>
        <source>Open a ledger file</source>
        <translation>打开已有账本</translation>
    </message>
    <message>
        <source>Shared ledger (PostgreSQL)</source>
        <translation>连接共享账本（PostgreSQL）</translation>
    </message>
    <message>
        <source>e.g. Xingfuli property service centre</source>
        <translation>例：幸福里物业服务中心</translation>
    </message>
    <message>
        <source>at least 8 characters</source>
        <translation>至少 8 位</translation>
    </message>
    <message>
        <source>Site name</source>
        <translation>单位名称</translation>
    </message>
    <message>
        <source>Ledger file</source>
        <translation>账本文件</translation>
    </message>
    <message>
        <source>Administrator password</source>
        <translation>管理员密码</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>This window's code</source>
        <translation>本窗口编码</translation>
    </message>
    <message>
        <source>a .db file made by FeeDesk</source>
        <translation>收费台建立的 .db 文件</translation>
    </message>
    <message>
        <source>server name or address</source>
        <translation>服务器名称或地址</translation>
    </message>
    <message>
        <source>Use this ledger</source>
        <translation>使用此账本</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Welcome. This computer has no ledger yet: create one, open an existing ledger file, or connect to the shared ledger of your office.</source>
        <translation>欢迎使用。本机还没有账本：请新建账本、打开已有的账本文件，或连接本单位的共享账本。</translation>
    </message>
    <message>
        <source>Choose the ledger this computer works on. It applies at the next start.</source>
        <translation>选择本机使用的账本，下次启动程序时生效。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The administrator logs in as admin with this password.</source>
        <translation>管理员以用户名 admin 和此密码登录。</translation>
    </message>
    <message>
        <source>Create the ledger</source>
        <translation>新建账本并开始</translation>
    </message>
    <message>
        <source>Open the ledger</source>
        <translation>打开账本</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Test the connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>FeeDesk ledger (*.db);;All files (*)</source>
        <translation>收费台账本 (*.db);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>The two passwords differ</source>
        <translation>两次输入的密码不一致</translation>
    </message>
    <message>
        <source>Choose the ledger file</source>
        <translation>请选择账本文件</translation>
    </message>
    <message>
        <source>Type the server name or address</source>
        <translation>请填写服务器名称或地址</translation>
    </message>
    <message>
        <source>Connected: {0}</source>
        <translation>连接成功：{0}</translation>
    </message>
    <message>
        <source>Cannot save the choice: {0}</source>
        <translation>无法保存设置：{0}</translation>
    </message>
    <message>
        <source>Log in (Enter)</source>
        <translation>登录 (Enter)</translation>
    </message>
    <message>
        <source>Screen locked</source>
        <translation>屏幕已锁定</translation>
    </message>
    <message>
        <source>Unlock (Enter)</source>
        <translation>解锁 (Enter)</translation>
    </message>
    <message>
        <source>The administrator reset your password: choose a new one (twice).</source>
        <translation>管理员已重设您的密码：请设置新密码（输入两次）。</translation>
    </message>
    <message>
        <source>Station: {0}</source>
        <translation>收费点：{0}</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>New password again</source>
        <translation>再次输入新密码</translation>
    </message>
    <message>
        <source>Locked by {0} at station {1}. The same user or a supervisor can unlock.</source>
        <translation>{0} 已在收费点 {1} 锁屏。本人或主管输入密码解锁。</translation>
    </message>
    <message>
        <source>Demo ledger users: {0}</source>
        <translation>演示账本用户：{0}</translation>
    </message>
    <message>
        <source>Cashier (F2)</source>
        <translation>收费 (F2)</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>帮助</translation>
    </message>
    <message>
        <source>Open the log folder</source>
        <translation>打开日志文件夹</translation>
    </message>
    <message>
        <source>Choose the ledger… (administrator)</source>
        <translation>选择账本…（管理员）</translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation>已注销</translation>
    </message>
    <message>
        <source>Shift (F11)</source>
        <translation>班次 (F11)</translation>
    </message>
    <message>
        <source>Complaints &amp; repairs</source>
        <translation>投诉报修</translation>
    </message>
    <message>
        <source>Back office</source>
        <translation>后台管理</translation>
    </message>
    <message>
        <source>Receipts (F4)</source>
        <translation>收据 (F4)</translation>
    </message>
    <message>
        <source>Supervisor (F12)</source>
        <translation>主管台 (F12)</translation>
    </message>
    <message>
        <source>This screen is for a supervisor.</source>
        <translation>此界面仅限主管使用。</translation>
    </message>
    <message>
        <source>PRACTICE MODE — not real takings</source>
        <translation>练习模式 — 不计入正式账</translation>
    </message>
    <message>
        <source>No open shift (F11)</source>
        <translation>未开班 (F11)</translation>
    </message>
    <message>
        <source>The new ledger choice applies when the program is started again</source>
        <translation>新的账本选择将在下次启动程序时生效</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}：{1}</translation>
    </message>
    <message>
        <source>Station: {0} {1}</source>
        <translation>收费点：{0} {1}</translation>
    </message>
    <message>
        <source>Unlocked by {0}</source>
        <translation>{0} 已解锁</translation>
    </message>
    <message>
        <source>Receipt {0} collected, change {1}</source>
        <translation>收据 {0} 已收款，找零 {1} 元</translation>
    </message>
    <message>
        <source>Business date: {0}</source>
        <translation>营业日：{0}</translation>
    </message>
    <message>
        <source>Log folder: {0}</source>
        <translation>日志文件夹：{0}</translation>
    </message>
    <message>
        <source> · TRAINING</source>
        <translation> · 练习模式</translation>
    </message>
    <message>
        <source>Shift #{0} open</source>
        <translation>班次 #{0} 进行中</translation>
    </message>
    <message>
        <source>Drawer within limit {0}</source>
        <translation>钱箱未超限额 {0}</translation>
    </message>
    <message>
        <source>Account / patient number</source>
        <translation>缴费户编号 / 病人号</translation>
    </message>
    <message>
        <source>Payer account</source>
        <translation>缴费户</translation>
    </message>
    <message>
        <source>Walk-in payer without an account</source>
        <translation>散客（无缴费户）</translation>
    </message>
    <message>
        <source>payer's name</source>
        <translation>缴费人姓名</translation>
    </message>
    <message>
        <source>ID number (finds a returning payer)</source>
        <translation>证件号（再次缴费时按此找回）</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <source>Item code or pinyin initials</source>
        <translation>项目编码或拼音首字母</translation>
    </message>
    <message>
        <source>Quantity (Enter adds)</source>
        <translation>数量（Enter 加入）</translation>
    </message>
    <message>
        <source>Post and collect (Ctrl+Enter)</source>
        <translation>记账并收款 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号</translation>
    </message>
    <message>
        <source>Add at least one item.</source>
        <translation>请至少加入一个项目。</translation>
    </message>
    <message>
        <source>Type the payer's account.</source>
        <translation>请输入缴费户。</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Type an item code or pinyin initials that match one item.</source>
        <translation>请输入能唯一匹配一个项目的编码或拼音首字母。</translation>
    </message>
    <message>
        <source>Total {0}</source>
        <translation>合计 {0} 元</translation>
    </message>
    <message>
        <source>{0} items match; type more letters.</source>
        <translation>有 {0} 个项目匹配，请多输入几个字母。</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Receipt number or account</source>
        <translation>收据号或缴费户</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>Reprint (Ctrl+R)</source>
        <translation>重打 (Ctrl+R)</translation>
    </message>
    <message>
        <source>Select a receipt to see it as printed.</source>
        <translation>选择一张收据，查看打印样式。</translation>
    </message>
    <message>
        <source>valid</source>
        <translation>有效</translation>
    </message>
    <message>
        <source>VOID</source>
        <translation>已作废</translation>
    </message>
    <message>
        <source>REFUNDED</source>
        <translation>已退费</translation>
    </message>
    <message>
        <source>late print</source>
        <translation>补打</translation>
    </message>
    <message>
        <source>printed</source>
        <translation>已打印</translation>
    </message>
    <message>
        <source>voided</source>
        <translation>已作废</translation>
    </message>
    <message>
        <source>refunded</source>
        <translation>已退费</translation>
    </message>
    <message>
        <source>No receipt printer configured for this station.</source>
        <translation>本收费点未配置收据打印机。</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Receipt {0} {1}: {2}, approved by {3}</source>
        <translation>收据 {0} {1}：{2} 元，审批人 {3}</translation>
    </message>
    <message>
        <source>Slip printed.</source>
        <translation>凭证已打印。</translation>
    </message>
    <message>
        <source>Tenders</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation>收费员</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>原收据/原因</translation>
    </message>
    <message>
        <source>Void… ({0})</source>
        <translation>作废… ({0})</translation>
    </message>
    <message>
        <source>Refund… ({0})</source>
        <translation>退费… ({0})</translation>
    </message>
    <message>
        <source>Receipt {0} · {1} · total {2}</source>
        <translation>收据 {0} · {1} · 合计 {2} 元</translation>
    </message>
    <message>
        <source>Receipt printed.</source>
        <translation>收据已打印。</translation>
    </message>
    <message>
        <source>reprint no. {0}</source>
        <translation>重打第 {0} 次</translation>
    </message>
    <message>
        <source>Receipt {0}, {1}: {2}</source>
        <translation>收据 {0}，{1}：{2}</translation>
    </message>
    <message>
        <source>; what remains is on the new receipt {0}</source>
        <translation>；余款另开收据 {0}</translation>
    </message>
    <message>
        <source>Slip NOT printed: {0} — it stays on the unprinted list; retry its print job</source>
        <translation>凭证未打印：{0}——已列入未打印清单，可重试打印任务</translation>
    </message>
    <message>
        <source>Receipt NOT printed: {0} — reprint with Ctrl+R</source>
        <translation>收据未打印：{0}——按 Ctrl+R 重打</translation>
    </message>
    <message>
        <source>Printer: {0} failed jobs</source>
        <translation>打印机：{0} 个失败任务</translation>
    </message>
    <message>
        <source>Remittance slip (shift report)</source>
        <translation>缴款单（收费员日报）</translation>
    </message>
    <message>
        <source>Day report</source>
        <translation>日结报表</translation>
    </message>
    <message>
        <source>Month summary</source>
        <translation>月结汇总</translation>
    </message>
    <message>
        <source>Collection journal</source>
        <translation>收费明细</translation>
    </message>
    <message>
        <source>Arrears and ageing</source>
        <translation>欠费及账龄</translation>
    </message>
    <message>
        <source>Collection rate</source>
        <translation>收费率</translation>
    </message>
    <message>
        <source>Income summary</source>
        <translation>收入汇总</translation>
    </message>
    <message>
        <source>Account statement</source>
        <translation>对账单</translation>
    </message>
    <message>
        <source>Tariff notice</source>
        <translation>收费标准公示</translation>
    </message>
    <message>
        <source>Plan against collected</source>
        <translation>计划与实收</translation>
    </message>
    <message>
        <source>Complaints and repairs statistics</source>
        <translation>投诉报修统计</translation>
    </message>
    <message>
        <source>Reconciliation month report</source>
        <translation>对账月报</translation>
    </message>
    <message>
        <source>Receipt numbers in use</source>
        <translation>票据使用情况</translation>
    </message>
    <message>
        <source>Dunning run (notices)</source>
        <translation>催缴批次（通知单）</translation>
    </message>
    <message>
        <source>Business day</source>
        <translation>营业日</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <source>From period</source>
        <translation>起始账期</translation>
    </message>
    <message>
        <source>To period</source>
        <translation>截止账期</translation>
    </message>
    <message>
        <source>Group by</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Only money paid within each period</source>
        <translation>只计各账期内收到的款项</translation>
    </message>
    <message>
        <source>As of</source>
        <translation>截至</translation>
    </message>
    <message>
        <source>Shift no.</source>
        <translation>班次号</translation>
    </message>
    <message>
        <source>&amp;Run (Enter)</source>
        <translation>生成报表(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Print…</source>
        <translation>打印(&amp;P)…</translation>
    </message>
    <message>
        <source>Save &amp;Excel…</source>
        <translation>保存 Excel(&amp;E)…</translation>
    </message>
    <message>
        <source>This records a new dunning run and numbers its notices. Go ahead?</source>
        <translation>将登记一个新的催缴批次并为通知单编号，确定继续？</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>e.g. 1-2-301</source>
        <translation>例：1-2-301</translation>
    </message>
    <message>
        <source>Reading {0}…</source>
        <translation>正在生成{0}…</translation>
    </message>
    <message>
        <source>Reading… {0} rows</source>
        <translation>正在读取…已读 {0} 行</translation>
    </message>
    <message>
        <source>Printing the remittance slip…</source>
        <translation>正在打印缴款单…</translation>
    </message>
    <message>
        <source>Open shift (float from the safe)</source>
        <translation>开班（从保险柜领用备用金）</translation>
    </message>
    <message>
        <source>supervisor user name (optional)</source>
        <translation>主管用户名（可不填）</translation>
    </message>
    <message>
        <source>Float</source>
        <translation>备用金</translation>
    </message>
    <message>
        <source>Float handed over by</source>
        <translation>备用金发放人</translation>
    </message>
    <message>
        <source>Open shift (Enter)</source>
        <translation>开班 (Enter)</translation>
    </message>
    <message>
        <source>Cash in / out and hand-ins</source>
        <translation>现金存取与交账</translation>
    </message>
    <message>
        <source>Hand-in from a field collector</source>
        <translation>外勤收费员交账</translation>
    </message>
    <message>
        <source>reason; for a hand-in the collector's user name</source>
        <translation>原因；交账时填外勤收费员用户名</translation>
    </message>
    <message>
        <source>Record (Enter)</source>
        <translation>登记 (Enter)</translation>
    </message>
    <message>
        <source>Blind close: count the drawer before seeing what it should hold</source>
        <translation>盲点轧帐：先点钞，保存后才显示应有金额</translation>
    </message>
    <message>
        <source>Save count and close shift (Enter)</source>
        <translation>保存点钞并轧帐 (Enter)</translation>
    </message>
    <message>
        <source>Close result: expected against counted</source>
        <translation>轧帐结果：应有与实点</translation>
    </message>
    <message>
        <source>Reason for the difference</source>
        <translation>差额原因</translation>
    </message>
    <message>
        <source>what happened, e.g. change given twice</source>
        <translation>差额的经过，如：找零多给</translation>
    </message>
    <message>
        <source>only for a difference over the limit</source>
        <translation>差额超限时才需要</translation>
    </message>
    <message>
        <source>Save the reason (Enter)</source>
        <translation>保存差额原因 (Enter)</translation>
    </message>
    <message>
        <source>Print remittance slip</source>
        <translation>打印缴款单</translation>
    </message>
    <message>
        <source>Face value</source>
        <translation>面额</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>张数</translation>
    </message>
    <message>
        <source>Subtotal</source>
        <translation>小计</translation>
    </message>
    <message>
        <source>Slips</source>
        <translation>非现金单据</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>张数</translation>
    </message>
    <message>
        <source>Total (optional)</source>
        <translation>金额（可不填）</translation>
    </message>
    <message>
        <source>The count matches.</source>
        <translation>账实相符。</translation>
    </message>
    <message>
        <source>Type the reason for the difference below; the supervisor accepts after it.</source>
        <translation>请在下方填写差额原因，主管随后验收。</translation>
    </message>
    <message>
        <source>No open shift. Open one with the float counted out of the safe.</source>
        <translation>当前未开班。请点清备用金后开班。</translation>
    </message>
    <message>
        <source>Remittance slip not printed: {0}</source>
        <translation>缴款单未打印：{0}</translation>
    </message>
    <message>
        <source>Expected</source>
        <translation>应有</translation>
    </message>
    <message>
        <source>Counted</source>
        <translation>实点</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>差额</translation>
    </message>
    <message>
        <source>Cash counted: {0}</source>
        <translation>清点现金：{0} 元</translation>
    </message>
    <message>
        <source>In words: {0}</source>
        <translation>大写：{0}</translation>
    </message>
    <message>
        <source>The difference is over the limit: a supervisor approves the reason below.</source>
        <translation>差额超过审批线：请主管在下方审批差额原因。</translation>
    </message>
    <message>
        <source>Waiting for the supervisor's acceptance.</source>
        <translation>等待主管验收。</translation>
    </message>
    <message>
        <source>Shift #{0} opened</source>
        <translation>班次 #{0} 已开班</translation>
    </message>
    <message>
        <source>Remittance slip of shift #{0} printed on {1} (job #{2}).</source>
        <translation>班次 #{0} 的缴款单已打印（打印机 {1}，任务 #{2}）。</translation>
    </message>
    <message>
        <source>Recorded: {0}</source>
        <translation>已登记：{0} 元</translation>
    </message>
    <message>
        <source>yuan</source>
        <translation>元</translation>
    </message>
    <message>
        <source>Shortage {0}</source>
        <translation>短款 {0}</translation>
    </message>
    <message>
        <source>Overage {0}</source>
        <translation>长款 {0}</translation>
    </message>
    <message>
        <source>Reason: {0}</source>
        <translation>原因：{0}</translation>
    </message>
    <message>
        <source>Approved by {0}</source>
        <translation>审批主管：{0}</translation>
    </message>
    <message>
        <source>Shift #{0} open since {1}, business date {2}
Float {3}</source>
        <translation>班次 #{0}，{1} 开班，营业日 {2}
备用金 {3} 元</translation>
    </message>
    <message>
        <source>The difference still needs the cashier's reason or a supervisor's approval.</source>
        <translation>差额尚待收费员说明原因或主管审批。</translation>
    </message>
    <message>
        <source>Second count {0}: differs from the cashier's count by {1}; send it back for a recount.</source>
        <translation>复点 {0}：与收费员点数相差 {1}，请退回重点。</translation>
    </message>
    <message>
        <source>second count (复点), e.g. 100=3,50=1</source>
        <translation>复点（可选），例：100=3,50=1</translation>
    </message>
    <message>
        <source>Accept close (Enter)</source>
        <translation>验收轧帐 (Enter)</translation>
    </message>
    <message>
        <source>reason for sending the close back</source>
        <translation>退回重点的原因</translation>
    </message>
    <message>
        <source>Send back for recount</source>
        <translation>退回重点</translation>
    </message>
    <message>
        <source>Day settlement and month close</source>
        <translation>日结与月结</translation>
    </message>
    <message>
        <source>Preview the day</source>
        <translation>日结预览</translation>
    </message>
    <message>
        <source>Preview the month</source>
        <translation>月结预览</translation>
    </message>
    <message>
        <source>your password to confirm</source>
        <translation>输入本人密码确认</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Bank deposit</source>
        <translation>解款</translation>
    </message>
    <message>
        <source>Record bank deposit (Enter)</source>
        <translation>登记解款 (Enter)</translation>
    </message>
    <message>
        <source>Bank slip no.</source>
        <translation>银行回单号</translation>
    </message>
    <message>
        <source>Confirm the day settlement</source>
        <translation>确认日结</translation>
    </message>
    <message>
        <source>Confirm the month close</source>
        <translation>确认月结</translation>
    </message>
    <message>
        <source>Shift #{0} {1} at {2}: drawer now: {3}</source>
        <translation>班次 #{0} {1}（{2}）钱箱现有：{3}</translation>
    </message>
    <message>
        <source>Shift #{0} {1} at {2}, counted at the close:</source>
        <translation>班次 #{0} {1}（{2}）轧帐点数：</translation>
    </message>
    <message>
        <source>Count: {0}</source>
        <translation>点钞：{0}</translation>
    </message>
    <message>
        <source>Second count {0}: agrees with the cashier's count.</source>
        <translation>复点 {0}：与收费员点数相符。</translation>
    </message>
    <message>
        <source>Shifts of every station (open and waiting for acceptance)</source>
        <translation>各收费点班次（进行中和待验收）</translation>
    </message>
    <message>
        <source>Select a shift that is waiting for acceptance.</source>
        <translation>请选择一个待验收的班次。</translation>
    </message>
    <message>
        <source>Type your password to confirm.</source>
        <translation>请输入本人密码确认。</translation>
    </message>
    <message>
        <source>{0}: expected {1}, counted {2}, difference {3}</source>
        <translation>{0}：应有 {1}，实点 {2}，差额 {3}</translation>
    </message>
    <message>
        <source>Cashier's reason: {0}</source>
        <translation>收费员说明：{0}</translation>
    </message>
    <message>
        <source>Business date</source>
        <translation>营业日</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <source>Non-cash</source>
        <translation>非现金</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等待</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Shift #{0} accepted: {1} to the safe, {2} to the bank</source>
        <translation>班次 #{0} 已验收：现金 {1} 元入保险柜，非现金 {2} 元入银行</translation>
    </message>
    <message>
        <source>Shift #{0} sent back to the cashier for a recount.</source>
        <translation>班次 #{0} 已退回收费员重新轧帐。</translation>
    </message>
    <message>
        <source>Preview of {0}: </source>
        <translation>{0} 预览：</translation>
    </message>
    <message>
        <source>nothing blocks it. Check the figures, then type your password and confirm.</source>
        <translation>没有阻止项。请核对数字，然后输入本人密码确认。</translation>
    </message>
    <message>
        <source>Month {0} closed by {1}</source>
        <translation>{0} 已月结（{1}）</translation>
    </message>
    <message>
        <source>{0} settled by {1}: {2} shifts, cash due to the bank {3}, banked {4}</source>
        <translation>{0} 已日结（{1}）：{2} 个班次，应解银行现金 {3} 元，已解 {4} 元</translation>
    </message>
    <message>
        <source>Deposit {0} (slip {1}) for {2}, posted on {5}; banked {3} of {4}</source>
        <translation>已登记解款 {0} 元（回单 {1}），属 {2}，记入营业日 {5}；已解 {3} / 应解 {4}</translation>
    </message>
    <message>
        <source>{0} is not settled yet.</source>
        <translation>{0} 尚未日结。</translation>
    </message>
    <message>
        <source>cannot be settled yet: {0}</source>
        <translation>暂不能结账：{0}</translation>
    </message>
    <message>
        <source>{0} min</source>
        <translation>{0} 分钟</translation>
    </message>
    <message>
        <source>Register a complaint or repair request</source>
        <translation>登记投诉/报修</translation>
    </message>
    <message>
        <source>account code, e.g. 1-2-301 (optional)</source>
        <translation>缴费户编号，如 1-2-301（可不填）</translation>
    </message>
    <message>
        <source>what is wrong, where</source>
        <translation>问题及地点</translation>
    </message>
    <message>
        <source>who is responsible</source>
        <translation>责任人</translation>
    </message>
    <message>
        <source>YYYY-MM-DD (empty: by kind)</source>
        <translation>YYYY-MM-DD（不填按类型默认）</translation>
    </message>
    <message>
        <source>The payer refuses to pay until this is resolved</source>
        <translation>业主以此为由拒缴（未办结期间不催缴）</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>登记</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>来电/来访人</translation>
    </message>
    <message>
        <source>Content</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Responsible</source>
        <translation>责任人</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>处理期限</translation>
    </message>
    <message>
        <source>Open tickets only</source>
        <translation>只看未办结</translation>
    </message>
    <message>
        <source>what was done</source>
        <translation>处理结果</translation>
    </message>
    <message>
        <source>Close the selected ticket</source>
        <translation>办结所选工单</translation>
    </message>
    <message>
        <source>Select a ticket first</source>
        <translation>请先选择工单</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>工单号</translation>
    </message>
    <message>
        <source>Received on</source>
        <translation>受理日期</translation>
    </message>
    <message>
        <source>Satisfaction</source>
        <translation>满意度</translation>
    </message>
    <message>
        <source>Registered {0}: {1}, deadline {2}</source>
        <translation>已登记 {0}：责任人 {1}，处理期限 {2}</translation>
    </message>
    <message>
        <source>Closed {0}</source>
        <translation>已办结 {0}</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>转账</translation>
    </message>
    <message>
        <source>Prepaid balance</source>
        <translation>预存抵扣</translation>
    </message>
    <message>
        <source>Medical insurance</source>
        <translation>医保</translation>
    </message>
    <message>
        <source>Cheque</source>
        <translation>支票</translation>
    </message>
    <message>
        <source>Find (F2)</source>
        <translation>查找 (F2)</translation>
    </message>
    <message>
        <source>Room 1-2-301, name, last 4 phone digits, pinyin initials</source>
        <translation>房号 1-2-301、姓名、电话后四位、拼音首字母</translation>
    </message>
    <message>
        <source>Account card</source>
        <translation>缴费户信息</translation>
    </message>
    <message>
        <source>&amp;History and statement…</source>
        <translation>历史与对账单(&amp;H)…</translation>
    </message>
    <message>
        <source>Corrections…</source>
        <translation>更正（减免/核销/退款）…</translation>
    </message>
    <message>
        <source>Keep change as prepaid (Ctrl+P)</source>
        <translation>找零转预存 (Ctrl+P)</translation>
    </message>
    <message>
        <source>Payer (empty: the owner)</source>
        <translation>缴费人（不填为业主）</translation>
    </message>
    <message>
        <source>Collect (Enter)</source>
        <translation>收款 (Enter)</translation>
    </message>
    <message>
        <source>F1 help · F2 find · Enter open/pay · Space select · F3 quick charge · F4 receipts · F5 WeChat · F6 Alipay · F7 card · F8 transfer · F9 prepaid · F10 insurance · Ctrl+P change to prepaid · F11 shift · F12 supervisor · Ctrl+R reprint · Ctrl+L lock · Ctrl+Q log out · Esc clear</source>
        <translation>F1 帮助 · F2 查找 · Enter 打开/收款 · 空格 勾选 · F3 划价 · F4 收据 · F5 微信 · F6 支付宝 · F7 银行卡 · F8 转账 · F9 预存抵扣 · F10 医保 · Ctrl+P 找零转预存 · F11 班次 · F12 主管台 · Ctrl+R 重打 · Ctrl+L 锁屏 · Ctrl+Q 注销 · Esc 清空</translation>
    </message>
    <message>
        <source>Waiver saved</source>
        <translation>已减免</translation>
    </message>
    <message>
        <source>Written off</source>
        <translation>已核销</translation>
    </message>
    <message>
        <source>Deposit refunded</source>
        <translation>已退押金</translation>
    </message>
    <message>
        <source>Prepaid refunded</source>
        <translation>已退预存</translation>
    </message>
    <message>
        <source>Outstanding charges (Space selects, overdue in red)</source>
        <translation>未缴费用（空格勾选，逾期标红）</translation>
    </message>
    <message>
        <source>Waive the selected charge…</source>
        <translation>减免所选费用…</translation>
    </message>
    <message>
        <source>Write off the selected charge…</source>
        <translation>核销所选费用…</translation>
    </message>
    <message>
        <source>Refund a deposit…</source>
        <translation>退押金…</translation>
    </message>
    <message>
        <source>Refund the prepaid balance…</source>
        <translation>预存退款…</translation>
    </message>
    <message>
        <source>Open an account first (type the room number and press Enter).</source>
        <translation>请先打开缴费户（输入房号后按 Enter）。</translation>
    </message>
    <message>
        <source>Open an account first</source>
        <translation>请先打开一个缴费户</translation>
    </message>
    <message>
        <source>No charge selected.</source>
        <translation>没有勾选费用。</translation>
    </message>
    <message>
        <source>TRAINING MODE — not in the real books</source>
        <translation>练习模式——不计入正式账</translation>
    </message>
    <message>
        <source>Building / status</source>
        <translation>楼栋 / 状态</translation>
    </message>
    <message>
        <source>Prepaid</source>
        <translation>预存余额</translation>
    </message>
    <message>
        <source>Deposits held</source>
        <translation>押金</translation>
    </message>
    <message>
        <source>Basis</source>
        <translation>计费依据</translation>
    </message>
    <message>
        <source>Late fee</source>
        <translation>滞纳金</translation>
    </message>
    <message>
        <source>Overdue days</source>
        <translation>逾期</translation>
    </message>
    <message>
        <source>Put the cursor on a charge in the table first.</source>
        <translation>请先在费用表中选中一项费用。</translation>
    </message>
    <message>
        <source>{0} {1}, approved by {2}</source>
        <translation>{0} {1} 元，审批：{2}</translation>
    </message>
    <message>
        <source>Open ticket: {0}</source>
        <translation>未办结工单：{0}</translation>
    </message>
    <message>
        <source>Written off, still collectable: {0}</source>
        <translation>已核销（可收回）：{0}</translation>
    </message>
    <message>
        <source>The amount must be greater than zero.</source>
        <translation>金额必须大于零。</translation>
    </message>
    <message>
        <source>Nothing selected to pay. Type an amount and tick Ctrl+P to keep it as prepaid.</source>
        <translation>没有要缴的费用。如需预存，请输入金额并按 Ctrl+P 选择找零转预存。</translation>
    </message>
    <message>
        <source>Receipt {0}: collected {1}</source>
        <translation>收据 {0}：实收 {1} 元</translation>
    </message>
    <message>
        <source>Arrears after payment: {0}</source>
        <translation>收款后欠费：{0} 元</translation>
    </message>
    <message>
        <source>Long arrears: oldest charge {0} days overdue</source>
        <translation>长期欠费：最早一笔已逾期 {0} 天</translation>
    </message>
    <message>
        <source>Note: {0}</source>
        <translation>备注：{0}</translation>
    </message>
    <message>
        <source>Tags: {0}</source>
        <translation>标签：{0}</translation>
    </message>
    <message>
        <source>Occupants: {0}</source>
        <translation>住户/缴费人：{0}</translation>
    </message>
    <message>
        <source>{0} of {1} charges selected, total {2}</source>
        <translation>已勾选 {0}/{1} 笔，合计 {2} 元</translation>
    </message>
    <message>
        <source>Includes late fees {0} (as of today)</source>
        <translation>含滞纳金 {0} 元（按今日计算）</translation>
    </message>
    <message>
        <source>{0} received (Enter)</source>
        <translation>{0}实收（Enter 收款）</translation>
    </message>
    <message>
        <source>{0} amount [{1}], optional reference after a space</source>
        <translation>{0}金额 [{1}]，可空格后输入交易号</translation>
    </message>
    <message>
        <source>Still due {0}</source>
        <translation>还需 {0}</translation>
    </message>
    <message>
        <source>Late fees charged: {0}</source>
        <translation>已计滞纳金：{0} 元</translation>
    </message>
    <message>
        <source>Kept as prepaid: {0}, prepaid balance {1}</source>
        <translation>转预存 {0} 元，预存余额 {1} 元</translation>
    </message>
    <message>
        <source>Received {0} is less than due {1}: press Enter again to collect a part payment (oldest charges first), Esc to cancel.</source>
        <translation>实收 {0} 元少于应收 {1} 元：再按 Enter 按部分缴费收款（先缴最早的费用），Esc 取消。</translation>
    </message>
</context>
</TS>
