"""Chinese text for synthetic tickets: what users of each subsystem see, do and are told.

Two sources, mixed by the generator: the demo tickets of the repository (real wording, one case
per file) and these templates, filled per subsystem with its documents, places and numbers.
"""
from __future__ import annotations

import random

# The documents and screens of each subsystem, as its users name them.
DOCS = {
    "production": ["生产订单", "领料单", "工序完工报告", "生产计划", "产成品入库单"],
    "materials": ["采购入库单", "材料出库单", "调拨单", "盘点单", "到货单"],
    "quality": ["来料检验单", "成品检验报告", "不合格品处理单", "工序检验记录"],
    "hr": ["人员档案", "考勤记录", "薪资发放表", "调岗单", "社保缴费明细"],
    "finance": ["记账凭证", "应付单", "收款单", "科目余额表", "银行对账单"],
    "cost": ["成本计算单", "产品成本汇总表", "制造费用分配表", "在产品盘点表"],
    "sales": ["销售订单", "销售发货单", "销售发票", "客户档案", "报价单"],
    "after-sales": ["服务单", "维修工单", "备件申请单", "客户回访记录"],
    "equipment": ["设备档案", "点检计划", "维修记录", "备品备件台账"],
    "decision-support": ["经营日报", "应收账款账龄分析表", "产销存月报", "分析模型"],
    "oa": ["请假流程", "用印申请", "公文收发", "出差审批", "会议室预订"],
}
PLACES = ["一车间", "二车间", "三车间", "四车间", "五车间", "总装车间", "机加车间", "原料库",
          "成品库", "备件库", "质检科", "计划科", "财务部", "销售部", "售后服务部", "设备科"]
ROLES = ["计划员", "仓管员", "统计员", "会计", "出纳", "检验员", "调度", "客服", "班组长", "文员"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
ERRORS = ["对象引用未设置到对象的实例", "单据已被他人修改，请刷新后重试", "超出现存量，不允许出库",
          "会计期间已结账", "违反唯一约束，单据号重复", "网络连接中断", "该单据已审核，不能修改",
          "数据库操作超时", "必输项不能为空", "权限不足，请与管理员联系"]

# Per ticket type: (title, symptom, cause, summary, root cause); {doc} {place} {n} {err} {sub} filled in.
TEMPLATES = {
    "operation-question": [
        ("{doc}如何批量导出到 Excel", "{place}{role}需要把本月{doc}导出核对，找不到导出入口。",
         "月底对账需要导出{doc}。", "演示在列表界面用“输出”按钮导出，已按需设置栏目。", "不熟悉列表输出功能。"),
        ("{doc}的审核人在哪里查看", "{place}{role}想知道{doc}是谁审核的。", "审计抽查{doc}。",
         "说明在单据“审核人”栏目和审批记录中查看。", "新员工不熟悉操作。"),
        ("如何按日期范围查询{doc}", "在{sub}中查询{doc}时只能看到当天的记录。", "查询条件使用了默认值。",
         "演示修改过滤条件并保存为常用方案。", "不熟悉查询方案的设置。"),
    ],
    "data-correction": [
        ("{doc}数量录错需更正", "{place}{doc}数量应为 {n}，录成了 {m}。", "{role}录入时看错了数字。",
         "弃审后更正数量并重新审核，相关单据同步更正。", "手工录入错误，缺少复核。"),
        ("{doc}日期录入错误", "{doc}日期录成了下个月，导致本月统计缺少 {n} 条记录。", "复制上月单据时未改日期。",
         "按规定流程更正单据日期。", "复制单据后未检查日期。"),
    ],
    "fault": [
        ("{doc}保存时报错“{err}”", "{place}{role}保存{doc}时提示“{err}”，单据无法保存。",
         "在{doc}中修改表体后点击保存。", "清理异常锁定记录后重新保存成功。", "并发操作留下了异常锁定。"),
        ("{doc}打印时程序无响应", "打印{doc}时界面卡住，约 {n} 秒后程序退出。", "选择了 {n} 张单据批量打印。",
         "分批打印并更新打印组件。", "打印组件版本过旧，批量打印内存不足。"),
        ("{sub}登录后菜单显示不全", "{place}{n} 名用户登录{sub}后看不到{doc}菜单。", "前一天调整了角色。",
         "重新同步角色菜单后恢复。", "角色调整后菜单缓存未刷新。"),
    ],
    "template": [
        ("{doc}打印模板增加{field}", "{place}要求{doc}打印件上显示{field}。", "客户和审计要求。",
         "在打印模板中增加{field}并调整版式。", "业务需要。"),
    ],
    "subsystem-master-data": [
        ("新增 {n} 条{sub}基础档案", "{place}新增业务，需要在{sub}中建立 {n} 条档案。", "新产品投产。",
         "按提供的清单批量导入档案。", "业务变化。"),
    ],
    "customisation": [
        ("{doc}增加自定义项“{field}”", "{place}需要在{doc}上记录{field}。", "管理要求细化。",
         "增加自定义项并配置到单据模板。", "业务管理要求。"),
    ],
    "permission-change": [
        ("{place}新员工开通{doc}权限", "{place}新入职{role}需要录入{doc}。", "人员入职。",
         "按审批后的权限申请单分配角色。", "人员变动。"),
        ("{place}离职人员停用账号", "{place}{role}已离职，需停用其{sub}账号。", "人员离职。",
         "停用账号并回收角色。", "人员变动。"),
    ],
    "system-parameter": [
        ("{sub}启用“{field}”参数", "{place}要求{doc}按{field}控制。", "管理制度调整。",
         "在测试环境验证后修改系统参数。", "制度变化。"),
    ],
    "process-config": [
        ("{doc}审批流增加{place}负责人审批", "{doc}金额超过 {n} 万元时需要{place}负责人审批。", "内控要求调整。",
         "修改审批流并在测试环境验证。", "内控制度变化。"),
    ],
    "global-master-data": [
        ("存货分类增加“{field}”类", "{place}新业务需要独立的存货分类。", "新产品线。",
         "按编码规则新增分类并通知各子系统。", "业务扩展。"),
    ],
    "custom-report-publish": [
        ("发布自定义报表：{doc}统计表", "{place}需要按月统计{doc}。", "管理层要求。",
         "设计并复核后发布报表，分配查看权限。", "管理需要。"),
    ],
    "backup-restore": [
        ("误删{doc}，申请从备份恢复", "{place}{role}误删了 {n} 张{doc}。", "批量删除时选错了范围。",
         "从前一日备份恢复到临时账套，导回误删单据。", "批量删除缺少二次确认。"),
    ],
    "test-environment": [
        ("刷新测试环境以验证{doc}新功能", "需要用最新数据在测试环境验证{doc}的修改。", "功能上线前测试。",
         "按规程从生产备份刷新测试环境。", "测试需要。"),
    ],
    "network-security": [
        ("{place}电脑弹出可疑登录提示", "{place}一台电脑弹出可疑提示，疑似病毒。", "员工打开了来历不明的邮件附件。",
         "断网隔离、查杀并修改密码。", "安全意识不足。"),
    ],
}
FIELDS = ["客户签字栏", "批次号", "质检结论", "项目编号", "收货人电话", "运输方式", "新能源配件", "备注二"]
NOTES = {
    "comment": ["已联系{place}确认情况。", "正在核对数据，请稍候。", "已请用户提供截图。", "约定明天上午处理。"],
    "assign": ["转交熟悉该业务的同事处理。", "按分工分派。"],
    "escalate": ["关键用户无法处理，上报。", "涉及系统配置，需上一层级处理。", "需要供应商协助。"],
    "resolve": ["已处理，请用户确认。", "按方案处理完毕。"],
    "reopen": ["用户反馈问题再次出现。"],
    "cancel": ["用户自行解决，撤销。", "重复提交，撤销。"],
}


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(["师傅", "工", "会计", "主任", "班长"])


def fill(rng: random.Random, sub_name: str, sub_code: str) -> dict[str, str]:
    """Values for one ticket's template: one document, place and number used throughout."""
    n = rng.randint(2, 480)
    return {
        "doc": rng.choice(DOCS.get(sub_code, ["单据"])), "place": rng.choice(PLACES),
        "role": rng.choice(ROLES), "n": str(n), "m": str(n * 10 + rng.randint(1, 9)),
        "err": rng.choice(ERRORS), "sub": sub_name, "field": rng.choice(FIELDS),
    }
