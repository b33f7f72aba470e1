"""The raw material of the demo: names, places, companies, products and phrases.

Plain data, no logic. Every pool is a tuple so iteration order — and therefore the
generated organisation — is the same on every run.
"""

from __future__ import annotations

# Dense data tables read better several entries to a line.
# fmt: off

# (汉字, pinyin) — common Chinese surnames.
SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("高", "Gao"),
    ("林", "Lin"), ("罗", "Luo"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"),
    ("唐", "Tang"), ("许", "Xu"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"),
    ("彭", "Peng"), ("曾", "Zeng"), ("肖", "Xiao"), ("田", "Tian"), ("董", "Dong"), ("袁", "Yuan"),
    ("潘", "Pan"), ("于", "Yu"), ("蒋", "Jiang"), ("蔡", "Cai"), ("余", "Yu"), ("杜", "Du"),
    ("叶", "Ye"), ("程", "Cheng"), ("苏", "Su"), ("魏", "Wei"), ("吕", "Lyu"), ("丁", "Ding"),
    ("任", "Ren"), ("沈", "Shen"), ("姚", "Yao"), ("卢", "Lu"), ("姜", "Jiang"), ("崔", "Cui"),
    ("钟", "Zhong"), ("谭", "Tan"), ("陆", "Lu"), ("汪", "Wang"), ("范", "Fan"), ("金", "Jin"),
    ("石", "Shi"), ("廖", "Liao"), ("贾", "Jia"), ("夏", "Xia"), ("韦", "Wei"), ("付", "Fu"),
    ("方", "Fang"), ("白", "Bai"), ("邹", "Zou"), ("孟", "Meng"), ("熊", "Xiong"), ("秦", "Qin"),
    ("邱", "Qiu"), ("江", "Jiang"), ("尹", "Yin"), ("薛", "Xue"), ("闫", "Yan"), ("段", "Duan"),
    ("雷", "Lei"), ("侯", "Hou"), ("龙", "Long"), ("史", "Shi"), ("陶", "Tao"), ("黎", "Li"),
    ("贺", "He"), ("顾", "Gu"), ("毛", "Mao"), ("郝", "Hao"), ("龚", "Gong"), ("邵", "Shao"),
    ("万", "Wan"), ("钱", "Qian"), ("严", "Yan"), ("戴", "Dai"), ("孔", "Kong"), ("汤", "Tang"),
)

# (汉字, pinyin) — given names, one or two characters.
GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("丽", "Li"),
    ("强", "Qiang"), ("磊", "Lei"), ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"), ("艳", "Yan"),
    ("杰", "Jie"), ("娟", "Juan"), ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("霞", "Xia"),
    ("平", "Ping"), ("刚", "Gang"), ("凯", "Kai"), ("斌", "Bin"), ("鹏", "Peng"), ("辉", "Hui"),
    ("琳", "Lin"), ("倩", "Qian"), ("颖", "Ying"), ("昊", "Hao"), ("蕾", "Lei"), ("晶", "Jing"),
    ("慧", "Hui"), ("健", "Jian"), ("峰", "Feng"), ("亮", "Liang"), ("毅", "Yi"), ("璐", "Lu"),
    ("晨", "Chen"), ("宁", "Ning"), ("翔", "Xiang"), ("雯", "Wen"), ("悦", "Yue"), ("瑶", "Yao"),
    ("薇", "Wei"), ("鑫", "Xin"), ("帆", "Fan"), ("秀英", "Xiuying"), ("桂英", "Guiying"),
    ("建华", "Jianhua"), ("志强", "Zhiqiang"), ("海燕", "Haiyan"), ("晓东", "Xiaodong"),
    ("文博", "Wenbo"), ("思远", "Siyuan"), ("雨萱", "Yuxuan"), ("子涵", "Zihan"),
    ("浩然", "Haoran"), ("梓轩", "Zixuan"), ("欣怡", "Xinyi"), ("佳琪", "Jiaqi"),
    ("俊杰", "Junjie"), ("嘉怡", "Jiayi"), ("宇航", "Yuhang"), ("一鸣", "Yiming"),
    ("晨曦", "Chenxi"), ("天宇", "Tianyu"), ("博文", "Bowen"), ("婷婷", "Tingting"),
    ("雪梅", "Xuemei"), ("国栋", "Guodong"), ("立新", "Lixin"), ("红梅", "Hongmei"),
    ("建国", "Jianguo"), ("春燕", "Chunyan"), ("振华", "Zhenhua"), ("志明", "Zhiming"),
    ("丽娟", "Lijuan"), ("海涛", "Haitao"), ("永刚", "Yonggang"), ("美玲", "Meiling"),
    ("少华", "Shaohua"), ("家豪", "Jiahao"), ("泽宇", "Zeyu"), ("若曦", "Ruoxi"), ("思琪", "Siqi"),
    ("梦瑶", "Mengyao"), ("晓峰", "Xiaofeng"), ("文静", "Wenjing"), ("国强", "Guoqiang"),
    ("玉兰", "Yulan"), ("德华", "Dehua"), ("小燕", "Xiaoyan"),
)

# English given names some contacts at foreign-invested companies go by.
ENGLISH_GIVEN_NAMES: tuple[str, ...] = (
    "David", "Kevin", "Linda", "Grace", "Michael", "Jason", "Cindy", "Eric", "Amy", "Frank",
    "Helen", "Jack", "Vivian", "Tony", "Sophie", "Peter", "Iris", "Leo", "Nancy", "Ryan",
)

JOB_TITLES: tuple[str, ...] = (
    "采购经理", "采购总监", "IT总监", "IT经理", "CEO", "总经理", "副总经理", "CTO", "财务总监",
    "销售总监", "运营总监", "行政主管", "信息中心主任", "技术负责人", "项目经理", "市场总监",
    "客服经理", "董事长助理",
)
# Titles of the person who signs: the primary contact of an account gets one of these.
DECISION_TITLES: tuple[str, ...] = ("CEO", "总经理", "副总经理", "IT总监", "采购总监", "CTO")

# region → ((city, pinyin, phone area code), ...)
CITIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "华东": (
        ("上海", "shanghai", "021"), ("杭州", "hangzhou", "0571"), ("南京", "nanjing", "025"),
        ("苏州", "suzhou", "0512"), ("宁波", "ningbo", "0574"), ("合肥", "hefei", "0551"),
        ("无锡", "wuxi", "0510"), ("济南", "jinan", "0531"), ("青岛", "qingdao", "0532"),
        ("厦门", "xiamen", "0592"), ("福州", "fuzhou", "0591"),
    ),
    "华南": (
        ("深圳", "shenzhen", "0755"), ("广州", "guangzhou", "020"), ("东莞", "dongguan", "0769"),
        ("佛山", "foshan", "0757"), ("珠海", "zhuhai", "0756"), ("南宁", "nanning", "0771"),
        ("海口", "haikou", "0898"),
    ),
    "华北": (
        ("北京", "beijing", "010"), ("天津", "tianjin", "022"), ("石家庄", "shijiazhuang", "0311"),
        ("太原", "taiyuan", "0351"),
    ),
    "西南": (("成都", "chengdu", "028"), ("重庆", "chongqing", "023"), ("昆明", "kunming", "0871")),
    "华中": (("武汉", "wuhan", "027"), ("长沙", "changsha", "0731"), ("郑州", "zhengzhou", "0371")),
    "西北": (("西安", "xian", "029"), ("兰州", "lanzhou", "0931")),
    "东北": (
        ("沈阳", "shenyang", "024"), ("大连", "dalian", "0411"), ("哈尔滨", "haerbin", "0451"),
    ),
}
# How many accounts sit in each region (relative weights).
REGION_WEIGHTS: dict[str, int] = {
    "华东": 40, "华南": 30, "华北": 12, "西南": 7, "华中": 6, "西北": 2, "东北": 3,
}
# Regions without a team of their own are covered by the nearest one.
REGION_TEAM: dict[str, str] = {
    "华东": "East", "华北": "East", "东北": "East", "西北": "East", "华南": "South",
    "西南": "South", "华中": "South",
}

ROADS: tuple[str, ...] = (
    "人民路", "中山路", "解放路", "建设路", "科技园路", "创新大道", "高新大道", "长江路",
    "滨江大道", "世纪大道", "学院路", "软件园路", "工业园路", "金融街", "南京路", "东风路",
)

# (字号, pinyin): the distinctive word of a Chinese company name.
TRADE_WORDS: tuple[tuple[str, str], ...] = (
    ("云帆", "yunfan"), ("华创", "huachuang"), ("恒通", "hengtong"), ("瑞丰", "ruifeng"),
    ("金桥", "jinqiao"), ("天成", "tiancheng"), ("博远", "boyuan"), ("鼎盛", "dingsheng"),
    ("宏达", "hongda"), ("新元", "xinyuan"), ("盛世", "shengshi"), ("远景", "yuanjing"),
    ("中科", "zhongke"), ("德信", "dexin"), ("万向", "wanxiang"), ("海纳", "haina"),
    ("卓越", "zhuoyue"), ("晨光", "chenguang"), ("联创", "lianchuang"), ("凯盛", "kaisheng"),
    ("锦程", "jincheng"), ("汇通", "huitong"), ("嘉和", "jiahe"), ("星辰", "xingchen"),
    ("同舟", "tongzhou"), ("启明", "qiming"), ("易达", "yida"), ("智联", "zhilian"),
    ("长风", "changfeng"), ("九州", "jiuzhou"), ("东方", "dongfang"), ("蓝海", "lanhai"),
    ("正泰", "zhengtai"), ("安信", "anxin"), ("永安", "yongan"), ("百川", "baichuan"),
    ("立信", "lixin"), ("华美", "huamei"), ("明远", "mingyuan"), ("天行", "tianxing"),
    ("源通", "yuantong"), ("信达", "xinda"), ("国泰", "guotai"), ("迅捷", "xunjie"),
    ("普华", "puhua"), ("银河", "yinhe"), ("融信", "rongxin"), ("弘毅", "hongyi"),
    ("青松", "qingsong"), ("翰林", "hanlin"), ("朗逸", "langyi"), ("奥森", "aosen"),
    ("泰和", "taihe"), ("睿智", "ruizhi"), ("宝丰", "baofeng"), ("鑫源", "xinyuan"),
    ("思创", "sichuang"), ("腾越", "tengyue"), ("亿达", "yida"), ("恒信", "hengxin"),
    ("新锐", "xinrui"), ("鸿运", "hongyun"), ("中天", "zhongtian"), ("金石", "jinshi"),
    ("华信达", "huaxinda"), ("创维", "chuangwei"), ("光启", "guangqi"),
)

# industry value → ((行业词, English website word), ...)
INDUSTRY_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "technology": (
        ("信息科技", "tech"), ("软件", "soft"), ("网络科技", "net"), ("数据科技", "data"),
        ("智能科技", "ai"), ("信息技术", "it"),
    ),
    "manufacturing": (
        ("电子", "elec"), ("机械", "machinery"), ("精密制造", "precision"), ("汽车零部件", "auto"),
        ("新材料", "materials"), ("包装", "pack"), ("电气", "electric"),
    ),
    "retail": (
        ("商贸", "trade"), ("电子商务", "ecom"), ("连锁", "chain"), ("食品", "food"),
        ("服饰", "fashion"),
    ),
    "finance": (
        ("投资", "invest"), ("融资租赁", "leasing"), ("保险经纪", "insure"),
        ("资产管理", "capital"),
    ),
    "healthcare": (
        ("医药", "pharma"), ("医疗器械", "medical"), ("生物科技", "bio"), ("健康科技", "health"),
    ),
    "education": (("教育科技", "edu"), ("培训", "training"), ("文化传播", "culture")),
    "logistics": (("物流", "logistics"), ("供应链管理", "scm"), ("国际货运代理", "freight")),
    "energy": (("新能源", "energy"), ("电力工程", "power"), ("环保科技", "enviro")),
    "other": (("建筑工程", "build"), ("文化传媒", "media"), ("咨询", "consulting")),
}
INDUSTRY_WEIGHTS: dict[str, int] = {
    "technology": 24, "manufacturing": 22, "retail": 14, "finance": 8, "healthcare": 9,
    "education": 6, "logistics": 9, "energy": 5, "other": 3,
}
# Legal suffixes; the big ones tend to be groups or joint-stock companies.
SMALL_SUFFIXES: tuple[tuple[str, int], ...] = (
    ("有限公司", 80), ("有限责任公司", 12), ("股份有限公司", 8),
)
BIG_SUFFIXES: tuple[tuple[str, int], ...] = (
    ("集团有限公司", 45), ("股份有限公司", 45), ("有限公司", 10),
)

# Government and public-sector buyers: (name without the city, industry).
PUBLIC_BODIES: tuple[tuple[str, str], ...] = (
    ("市大数据中心", "government"), ("市市场监督管理局", "government"),
    ("市交通运输局", "government"), ("市人民医院", "healthcare"), ("市第一中学", "education"),
    ("市政务服务中心", "government"), ("市水务集团", "energy"),
    ("市公共资源交易中心", "government"),
)

# English company names: word + business + suffix, e.g. "Northwind Logistics Co., Ltd.".
ENGLISH_WORDS: tuple[str, ...] = (
    "Northwind", "Bluepeak", "Silverline", "Evergreen", "Redwood", "Summit", "Harbor", "Pioneer",
    "Crescent", "Lighthouse", "Meridian", "Oakridge", "Brightstar", "Pacific Rim", "Jade River",
    "Orient Bridge", "Skyway", "Eastwind", "Greenfield", "Starlight", "Horizon", "Keystone",
    "Riverside", "Sunrise", "Tidewater", "Unity", "Vanguard", "Westlake", "Zenith", "Lotus Bay",
)
ENGLISH_BUSINESSES: dict[str, tuple[str, ...]] = {
    "technology": ("Technologies", "Software", "Systems", "Digital"),
    "manufacturing": ("Electronics", "Manufacturing", "Precision", "Industrial"),
    "retail": ("Trading", "Foods", "Retail"),
    "finance": ("Capital", "Financial Services"),
    "healthcare": ("Medical", "Biotech", "Healthcare"),
    "education": ("Education", "Learning"),
    "logistics": ("Logistics", "Supply Chain", "Shipping"),
    "energy": ("Energy", "Power"),
    "other": ("Consulting", "Media"),
}
ENGLISH_SUFFIXES: tuple[tuple[str, int], ...] = (
    ("Co., Ltd.", 55), ("(China) Co., Ltd.", 15), ("Ltd.", 12), ("Limited", 10), ("Inc.", 8),
)

# (value, weight) pools of account fields.
SIZES: tuple[tuple[str, int], ...] = (
    ("micro", 22), ("small", 40), ("medium", 24), ("large", 10), ("enterprise", 4),
)
SOURCES: tuple[tuple[str, int], ...] = (
    ("website", 24), ("referral", 18), ("event", 14), ("cold_call", 14), ("partner", 10),
    ("advertising", 8), ("social", 8), ("other", 4),
)

TAGS: tuple[str, ...] = ("VIP", "重点客户", "Partner", "上市公司", "老客户", "政府项目")

# (name, SKU, list price in yuan, what one unit is). Prices are whole yuan.
PRODUCTS: tuple[tuple[str, str, int, str], ...] = (
    ("华信 CRM 标准版", "HX-CRM-STD", 980, "license"),
    ("华信 CRM 专业版", "HX-CRM-PRO", 1980, "license"),
    ("华信 CRM 企业版", "HX-CRM-ENT", 3600, "license"),
    ("移动外勤插件", "HX-MOBILE", 360, "addon_seat"),
    ("呼叫中心模块", "HX-CALL", 1200, "addon_seat"),
    ("BI 报表分析模块", "HX-BI", 800, "addon_seat"), ("API 集成包", "HX-API", 30000, "flat"),
    ("数据迁移服务", "HX-MIGRATE", 15000, "flat"), ("实施服务（人天）", "HX-IMPL", 2500, "days"),
    ("培训服务（天）", "HX-TRAIN", 4000, "days"),
    ("高级技术支持（年）", "HX-SUPPORT", 48000, "flat"),
    ("私有化部署许可", "HX-ONPREM", 280000, "flat"),
)
# A short form of the license products for deal names.
EDITION_SHORT: dict[str, str] = {
    "HX-CRM-STD": "CRM 标准版", "HX-CRM-PRO": "CRM 专业版", "HX-CRM-ENT": "CRM 企业版",
}

COMPETITORS: tuple[str, ...] = (
    "纷享销客 Fxiaoke", "销售易 Neocrm", "Salesforce", "Zoho CRM", "Odoo", "金蝶 Kingdee",
    "用友 Yonyou", "简道云 Jiandaoyun",
)
COMPETITOR_WEIGHTS: tuple[int, ...] = (22, 20, 12, 10, 8, 12, 10, 6)

# (name, weight): why deals were lost. The first entry is the competitor reason.
LOST_REASONS: tuple[tuple[str, int], ...] = (
    ("选择了竞争对手 Chose a competitor", 25), ("价格过高 Price too high", 25),
    ("没有预算 No budget", 14), ("客户未做决定 No decision", 14), ("时机不对 Bad timing", 9),
    ("产品不匹配 Product fit", 8), ("失去联系 Lost contact", 5),
)
LOST_NOTES: tuple[str, ...] = (
    "对方报价低了约 20%，客户最终选择了价格更低的方案。", "预算被冻结，客户表示明年再议。",
    "客户决策人更换，项目搁置。", "需要深度定制 ERP 集成，我们的方案无法满足。", "多次联系未回复。",
    "客户选择继续使用原有系统。", "",
)

UNQUALIFIED_REASONS: tuple[str, ...] = (
    "预算不足", "仅个人咨询", "联系方式无效", "非目标行业", "已有合同期内的供应商", "公司规模太小",
)

NEXT_STEPS: dict[int, tuple[str, ...]] = {
    1: ("电话确认需求和预算", "约见 IT 负责人", "发送产品介绍资料"),
    2: ("安排现场需求调研", "确认决策链和采购流程", "准备产品演示"),
    3: ("提交正式方案和报价", "方案讲解会", "补充技术答疑"),
    4: ("确认合同条款", "商务谈判，争取本月签约", "走法务审批流程"),
}

# Stage order → activity subjects typical of that step of the sale.
DEAL_SUBJECTS: dict[int, dict[str, tuple[str, ...]]] = {
    1: {
        "call": ("初次电话沟通", "电话了解需求", "确认对接人"),
        "email": ("发送公司及产品介绍", "发送案例资料"),
        "meeting": ("线上初步交流",),
        "visit": ("首次拜访客户",),
        "note": ("客户目前使用 Excel 管理客户", "客户对移动端很感兴趣"),
        "task": ("整理客户需求", "预约首次拜访"),
    },
    2: {
        "call": ("跟进需求细节", "确认项目时间表"),
        "email": ("发送需求调研问卷", "发送演示会议邀请"),
        "meeting": ("需求调研会议", "产品演示"),
        "visit": ("现场调研销售流程", "拜访 IT 部门"),
        "note": ("决策人为总经理，IT 负责评估", "预算约在下季度批复"),
        "task": ("准备演示环境", "整理调研纪要"),
    },
    3: {
        "call": ("跟进方案反馈", "答疑技术问题"),
        "email": ("发送方案与报价单", "发送实施计划"),
        "meeting": ("方案讲解会", "技术评审会"),
        "visit": ("上门讲解方案",),
        "note": ("客户对价格有顾虑", "竞争对手也在报价"),
        "task": ("准备报价单", "申请特价审批"),
    },
    4: {
        "call": ("商务条款沟通", "确认付款方式"),
        "email": ("发送合同草稿", "发送最终报价"),
        "meeting": ("商务谈判", "合同评审会"),
        "visit": ("拜访决策人",),
        "note": ("法务在审合同", "客户要求分期付款"),
        "task": ("跟进合同审批", "准备签约材料"),
    },
}
RENEWAL_SUBJECTS: dict[str, tuple[str, ...]] = {
    "call": ("续约意向沟通", "确认续约用户数"),
    "email": ("发送续约报价", "发送续约提醒"),
    "meeting": ("年度服务回顾会",),
    "visit": ("客户回访",),
    "note": ("客户使用情况良好", "客户计划增加用户数"),
    "task": ("准备续约报价", "跟进续约合同"),
}
ACCOUNT_SUBJECTS: dict[str, tuple[str, ...]] = {
    "call": ("客户回访电话", "使用情况回访", "节日问候", "了解新需求"),
    "email": ("发送新功能介绍", "发送行业活动邀请", "发送季度服务报告"),
    "meeting": ("季度业务回顾",),
    "visit": ("上门拜访", "客户培训回访"),
    "note": ("客户计划明年扩大团队", "客户更换了 IT 负责人", "关注数据安全合规"),
    "task": ("整理客户档案", "跟进发票", "安排客户培训"),
}
LEAD_SUBJECTS: dict[str, tuple[str, ...]] = {
    "call": ("首次电话联系", "电话未接通，稍后再拨", "确认需求和预算"),
    "email": ("发送产品资料", "发送试用账号"),
    "note": ("官网留言咨询", "展会上留下名片"),
}
OUTCOMES: dict[str, tuple[str, ...]] = {
    "call": ("客户有兴趣，约下周再谈", "未接通", "客户需要内部讨论", "已确认需求", "约好拜访时间"),
    "meeting": ("客户反馈积极", "需要补充材料", "决策人参会"),
    "visit": ("现场演示顺利", "见到了决策人", "客户提出新的需求"),
}
# Open tasks the reps find on their desk in the morning.
DESK_TASKS: tuple[str, ...] = (
    "回电确认报价", "发送合同草稿", "跟进付款进度", "准备明天的演示", "更新商机金额和预计成交日期",
    "约客户下周拜访", "提交特价审批", "整理客户会议纪要",
)
# fmt: on
