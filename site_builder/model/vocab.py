"""The programme's closed vocabularies, taken from the 2026 notice (渝科协发〔2026〕24号).

Each vocabulary maps the Chinese value a YAML author writes to the ASCII slug used in URLs.
"""

POSITION_TYPES: dict[str, str] = {
    "学术助理": "academic",
    "科普助理": "outreach",
    "编辑助理": "editorial",
    "科创助理": "innovation",
    "国际助理": "international",
}

TYPE_SUMMARIES: dict[str, str] = {
    "学术助理": "协助学会、高校组织学术交流、联系服务会员、策划科普推广，掌握数据整理与分析技能。",
    "科普助理": "在科技馆、科普教育基地策划执行科普活动、讲解展项、撰写科普文案、制作科普短视频。",
    "编辑助理": "在科技期刊、科普内容机构做稿件初审与编辑校对、联系作者和审稿人、运营期刊新媒体。",
    "科创助理": "在企业、高校、新型研发机构服务一线科技工作者、调研企业技术需求、组织产学研对接。",
    "国际助理": "在国际科技组织、涉外交流机构处理国际联络、保障国际会议、承担资料翻译与整理。",
}

TRACKS: dict[str, str] = {
    "科技见习": "internship",
    "职业体验": "experience",
}

TRACK_SUMMARIES: dict[str, str] = {
    "科技见习": "面向离校两年内未就业的高校毕业生和应届高校毕业生。",
    "职业体验": "面向在校大学生，帮助了解职业内容、明确职业方向。",
}

EDUCATION_LEVELS: dict[str, str] = {
    "专科": "junior-college",
    "本科": "bachelor",
    "硕士": "master",
    "博士": "doctor",
}

UNIT_CATEGORIES: dict[str, str] = {
    "在渝高校": "university",
    "市级学会（协会、研究会）": "society",
    "科普场馆": "museum",
    "科技期刊": "journal",
    "国际科技组织": "international",
    "企业科协": "enterprise-association",
    "园区科协": "park-association",
    "科技企事业单位": "enterprise",
    "其他": "other",
}

# The 26 districts, 8 counties and 4 autonomous counties of Chongqing, then the three
# functional areas the notice addresses separately.
DISTRICTS: dict[str, str] = {
    "万州区": "wanzhou",
    "涪陵区": "fuling",
    "渝中区": "yuzhong",
    "大渡口区": "dadukou",
    "江北区": "jiangbei",
    "沙坪坝区": "shapingba",
    "九龙坡区": "jiulongpo",
    "南岸区": "nanan",
    "北碚区": "beibei",
    "綦江区": "qijiang",
    "大足区": "dazu",
    "渝北区": "yubei",
    "巴南区": "banan",
    "黔江区": "qianjiang",
    "长寿区": "changshou",
    "江津区": "jiangjin",
    "合川区": "hechuan",
    "永川区": "yongchuan",
    "南川区": "nanchuan",
    "璧山区": "bishan",
    "铜梁区": "tongliang",
    "潼南区": "tongnan",
    "荣昌区": "rongchang",
    "开州区": "kaizhou",
    "梁平区": "liangping",
    "武隆区": "wulong",
    "城口县": "chengkou",
    "丰都县": "fengdu",
    "垫江县": "dianjiang",
    "忠县": "zhongxian",
    "云阳县": "yunyang",
    "奉节县": "fengjie",
    "巫山县": "wushan",
    "巫溪县": "wuxi",
    "石柱土家族自治县": "shizhu",
    "秀山土家族苗族自治县": "xiushan",
    "酉阳土家族苗族自治县": "youyang",
    "彭水苗族土家族自治县": "pengshui",
    "两江新区": "liangjiang",
    "西部科学城重庆高新区": "gaoxin",
    "万盛经开区": "wansheng",
}

# Chongqing's "416" sci-tech layout (four fields) and the named clusters of the "33618"
# modern manufacturing system (three trillion-yuan, three 500-billion and six 100-billion clusters).
TAGS: dict[str, str] = {
    "数智科技": "digital-intelligence",
    "生命健康": "life-health",
    "新材料": "new-materials",
    "绿色低碳": "green-low-carbon",
    "智能网联新能源汽车": "intelligent-vehicles",
    "新一代电子信息制造": "electronics",
    "先进材料": "advanced-materials",
    "智能装备及智能制造": "intelligent-equipment",
    "食品及农产品加工": "food-processing",
    "软件信息服务": "software-services",
    "新型显示": "new-display",
    "高端摩托车": "motorcycles",
    "轻合金材料": "light-alloys",
    "轻纺": "light-textiles",
    "生物医药": "biomedicine",
    "新能源及新型储能": "new-energy-storage",
}

TAG_GROUPS: dict[str, tuple[str, ...]] = {
    "“416”科技创新布局": ("数智科技", "生命健康", "新材料", "绿色低碳"),
    "“33618”现代制造业集群": tuple(list(TAGS)[4:]),
}
