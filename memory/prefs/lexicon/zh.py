"""Chinese, simplified and traditional, and Cantonese as Hong Kong writes it ("唔要夜機",
"坐窗口", "冇問題"). No spaces: words are plain substrings, and a topic often comes before
its comment ("邮件我不常看": the e-mail, I seldom read), so a negation may follow what it
refuses. Entries are written in simplified characters; `traditional` adds each one's
traditional spelling (one character for one: "飞机" → "飛機").

Why it is long: it is a word table, two scripts and two spoken languages in one."""

from collections.abc import Mapping
from dataclasses import replace

from memory.prefs.lexicon.base import Lexicon
from memory.prefs.lexicon.hours import clock

_SIMPLIFIED = (
    "语兰汉国华话广东韩鲜腊边户过简讯发给电邮应红间飞机里轮动脚难远视碍见听聋导务辅无儿独气制"
    "协帮场请烦欢较尽总谢优别没会开绕讨厌绝问题关系谓随样经个周当时现后从这将来旧还们预订单爱"
    "妈亲询设档资记录删着则岁联络沟为虽规统员么讲识转长乐块钟点让选择换头种离号码复吗"
)
_TRADITIONAL = (
    "語蘭漢國華話廣東韓鮮臘邊戶過簡訊發給電郵應紅間飛機裡輪動腳難遠視礙見聽聾導務輔無兒獨氣製"
    "協幫場請煩歡較盡總謝優別沒會開繞討厭絕問題關係謂隨樣經個週當時現後從這將來舊還們預訂單愛"
    "媽親詢設檔資記錄刪著則歲聯絡溝為雖規統員麼講識轉長樂塊鐘點讓選擇換頭種離號碼復嗎"
)
_TO_TRADITIONAL = str.maketrans(_SIMPLIFIED, _TRADITIONAL)


def traditional(words: tuple[str, ...]) -> tuple[str, ...]:
    """`words` and their traditional spellings."""
    return tuple(dict.fromkeys((*words, *(w.translate(_TO_TRADITIONAL) for w in words))))


def _both(group: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {key: traditional(words) for key, words in group.items()}


# Cantonese words (written in traditional characters, as Hong Kong writes them).
_CANTONESE = {
    "seat:window": ("窗口位", "坐窗口", "近窗", "窗邊位"),
    "seat:aisle": ("走廊位", "通道位", "近走廊", "近通道", "行人路位"),
    "night:night": ("夜機", "通宵機", "紅眼機", "凌晨機", "半夜機", "夜晚機"),
    "night:day": ("日機", "朝早機", "日頭機"),
    "need:reduced mobility": ("行唔到", "行得唔好", "行路唔方便", "行動唔方便"),
    "need:visual impairment": ("睇唔到", "睇唔見"),
    "need:hearing impairment": ("聽唔到", "聽唔見"),
    "wish": ("唔該", "畀我", "俾我", "我想", "揀", "幫手"),
    "request": ("可唔可以", "得唔得", "能唔能夠"),
    "neg": ("唔", "唔好", "唔要", "唔想", "冇", "唔使", "咪", "唔識", "唔會"),
    "avoid": ("千祈唔好", "千萬唔好", "唔好經", "唔想經", "避免經"),
    "accept": ("冇問題", "唔緊要", "都得", "無問題", "OK嘅"),
    "indifferent": ("冇所謂", "無所謂", "是但", "求其", "邊個位都得", "點都得", "都冇所謂"),
    "past": ("上一次", "之前嗰次", "嗰次"),
    "now": ("今次", "呢次", "以後"),
    "other": (
        "我(?:個仔|個女|阿媽|阿爸|老豆|老母|老公|老婆|屋企人|細佬|家姐|阿哥|細妹|朋友|同事|老細)",
    ),
    "alone": ("自己一個", "自己搭", "一個人搭"),
    "child": ("個仔", "個女", "細路", "小朋友"),
    "filler": ("嘅", "啲", "呀", "啦", "喎", "嘢", "係", "搭", "轉機", "經", "靚位", "畀"),
}

LEXICON = Lexicon(
    code="zh",
    names=_both(
        {
            "en": ("英语", "英文", "英語"),
            "de": ("德语", "德文", "德語"),
            "fr": ("法语", "法文", "法語"),
            "es": ("西班牙语", "西班牙文", "西班牙語"),
            "it": ("意大利语", "意大利文", "義大利語"),
            "pt": ("葡萄牙语", "葡萄牙文", "葡语"),
            "nl": ("荷兰语", "荷蘭語"),
            "pl": ("波兰语", "波蘭語"),
            "zh": (
                "中文",
                "汉语",
                "漢語",
                "普通话",
                "普通話",
                "华语",
                "國語",
                "国语",
                "粤语",
                "廣東話",
            ),
            "ja": ("日语", "日文", "日語"),
            "ca": ("加泰罗尼亚语",),
            "tr": ("土耳其语",),
            "ru": ("俄语", "俄文", "俄語"),
            "ar": ("阿拉伯语",),
            "ko": ("韩语", "韩文", "韓語", "朝鲜语"),
            "sv": ("瑞典语",),
            "el": ("希腊语",),
        }
    ),
    targets=_both(
        {
            "seat:window": (
                "靠窗",
                "窗边",
                "窗戶邊",
                "窗户边",
                "靠窗户",
                "窗位",
                "靠窗口",
                "窗口座位",
            ),
            "seat:aisle": (
                "靠过道",
                "过道",
                "過道",
                "走道",
                "靠走廊",
                "走廊",
                "靠通道",
                "通道座位",
            ),
            "channel:sms": ("短信", "简讯", "簡訊", "短消息", "短訊"),
            "channel:sms!": ("发短信给我", "给我发短信"),
            "channel:email": (
                "电子邮件",
                "邮件",
                "電子郵件",
                "郵件",
                "电邮",
                "電郵",
                "邮箱",
                "电子邮箱",
            ),
            "channel:other": ("电话", "打电话", "微信", "電話"),
            "channel:webhook": ("推送", "应用程序", "应用", "客户端", "應用程式"),
            "night:night": (
                "红眼航班",
                "红眼",
                "紅眼",
                "夜航",
                "夜间航班",
                "夜間航班",
                "夜班飞机",
                "晚上的航班",
                "深夜航班",
                "凌晨航班",
                "夜里的航班",
                "夜间飞行",
                *clock(
                    "以后|之后|以後|之後|后|後",
                    "之前|以前|前",
                    unit="点|點|时|時",
                    evening="晚上|夜里|夜裡|夜间|夜間",
                    morning="早上|凌晨|清晨|早晨",
                    prefixed=True,
                    postposed=True,
                ),
                "(?:晚上|夜里)(?:九|十|十一)点(?:以后|之后|后)",
                "(?:早上|凌晨|清晨)(?:四|五|六)点(?:以前|之前|前)",
                "凌晨(?:的)?(?:航班|飞机|起飞|出发)",
            ),
            # "I can't sleep on the plane": the refusal is inside the words.
            "night:night!": ("(?:飞机|機|机)上(?:睡不着|睡不了|没法睡|不能睡|睡不好)",),
            "night:day": ("白天的航班", "白天航班", "日间航班", "白天飞"),
            "need:wheelchair": ("轮椅", "輪椅"),
            "need:reduced mobility": (
                "行动不便",
                "行動不便",
                "腿脚不便",
                "腿脚不好",
                "行动困难",
                "走路困难",
                "走不了远路",
                "走不动",
                "拐杖",
                "助行器",
            ),
            "need:visual impairment": (
                "视障",
                "視障",
                "视力障碍",
                "盲人",
                "失明",
                "看不见",
                "视力不好",
            ),
            "need:hearing impairment": (
                "听障",
                "聽障",
                "听力障碍",
                "耳聋",
                "聋",
                "听不见",
                "助听器",
                "听力不好",
                "重听",
            ),
            "need:service animal": ("导盲犬", "導盲犬", "服务犬", "辅助犬"),
            "need:unaccompanied minor": (
                "无成人陪伴",
                "无人陪伴",
                "無人陪伴",
                "无陪儿童",
                "独自乘机的儿童",
            ),
            "need:oxygen": (
                "氧气",
                "制氧机",
                "吸氧",
                "氧氣",
            ),
            "need:assistance": (
                "协助",
                "協助",
                "帮助",
                "幫助",
                "陪同",
                "特殊服务",
                "有人陪",
                "有人帮",
                "接送服务",
            ),
            "place:any": ("机场", "機場", "航空公司", "航司"),
        }
    ),
    cues=_both(
        {
            "wish": (
                "请",
                "請",
                "麻烦",
                "希望",
                "想要",
                "想",
                "要",
                "需要",
                "喜欢",
                "喜歡",
                "偏好",
                "最好",
                "更好",
                "比较好",
                "尽量",
                "只",
                "总是",
                "一直",
                "如果可能",
                "如果可以",
                "可以的话",
                "给我",
                "帮我",
                "安排",
                "用",
                "通过",
                "谢谢",
                "謝謝",
                "就行",
                "就好",
                "优先",
            ),
            "request": (
                "能不能",
                "可不可以",
                "可以吗",
                "能否",
                "是否可以",
                # "能用英文联系我吗": 能/可以 … 吗 asks for something.
                "(?:能|可以)(?=[^。，！？?]{1,15}[吗嗎])",
            ),
            "neg": (
                "不",
                "别",
                "別",
                "不要",
                "没",
                "沒",
                "没有",
                "勿",
                "无",
                "不用",
                "不想",
                "不能",
                "不会",
                "不太",
                "不常",
                "看不懂",
                "听不懂",
                "不懂",
                "不好",
                "不再",
                "差",
            ),
            "avoid": ("避开", "避開", "避免", "绕开", "再也不", "除了", "以外", "讨厌", "拒绝"),
            "accept": (
                "没问题",
                "沒問題",
                "没关系",
                "也可以",
                "也行",
                "不介意",
                "无妨",
                "能接受",
                "可以接受",
            ),
            "indifferent": (
                "无所谓",
                "無所謂",
                "都行",
                "都可以",
                "随便",
                "都一样",
                "都没关系",
                "不在乎",
                "没有偏好",
                "都好",
            ),
            "native": ("母语", "母語"),
            "past": (
                r"(?:谢谢|感谢|多谢)(?:你们|您|你)?(?:的|上次的)?(?:帮助|帮忙|协助|照顾)",
                "上次",
                "上一次",
                r"(?:以前|之前)(?=我|都|一直|总)",
                "曾经",
                "过去",
                "去年",
                "上个月",
                "上周",
                "昨天",
                "那次",
                "当时",
            ),
            "now": ("现在", "以后", "今后", "从现在起", "这次", "这一次", "往后", "将来"),
            "reaffirm": ("和上次一样", "跟上次一样", "像上次一样", "照旧", "还是一样"),
            "apart": (
                "这次(?:他|她|他们|她们)?(?:不|没有)(?:去|来|飞|坐飞机|同行|出行|一起)",
                "(?:他|她|他们|她们)这次(?:不|没有)(?:去|来|飞|坐飞机|同行|出行|一起)",
                "不和我一起",
                "不跟我一起",
                "不和我们一起",
                "不跟我们一起",
                "另一个预订",
                "单独预订",
                "另外的航班",
                "别的航班",
                "另一班",
                "不同行",
            ),
            "other": (
                "我(?:老婆|妻子|太太|爱人|老公|丈夫|先生|儿子|女儿|孩子|妈妈|母亲|爸爸|父亲|父母|哥哥|姐姐|"
                "弟弟|妹妹|朋友|同事|老板|家人)",
            ),
            "ask": ("问(?:一下)?(?:是否|能否|能不能|可不可以)", "询问", "想知道", "打听"),
            "condition": (
                "如果",
                "要是",
                "假如",
            ),
            "hypothetical": (
                "如果(?:有一天|哪天|将来有一天)",
                "假如",
                "假设",
                "要是(?:哪天|有一天)",
            ),
            "withdraw": (
                "(?:从|在)(?:档案|资料|记录)(?:里|中)?(?:删除|去掉|移除)",
                "不需要了",
                "不用了",
                "不再需要",
                "用不着了",
                "不必了",
            ),
            "contrast": ("而不是", "代替"),
            "fallback": ("否则", "不然", "要不然", "其次"),
            "state": ("了", "过", "是", "太", "很"),
            "alone": ("一个人", "独自", "单独"),
            "child": (
                "儿子",
                "女儿",
                "孩子",
                "儿童",
                "小孩",
                "未成年",
                r"\d{1,2}岁",
                "[一二三四五六七八九十]+岁",
            ),
            "filler": (
                "的",
                "座位",
                "位置",
                "位子",
                "座",
                "我",
                "给",
                "发",
                "通知",
                "联系",
                "消息",
                "沟通",
                "信息",
                "吧",
                "呢",
                "啊",
                "坐",
                "航班",
                "旅客",
                "乘客",
                "一下",
                "在",
                "到",
                "和",
                "跟",
                "的航班",
                "经",
                "经过",
                "转机",
                "中转",
            ),
        }
    ),
    breaks=traditional(
        (
            "但是",
            "但",
            "不过",
            "可是",
            "因为",
            "所以",
            "如果",
            "要是",
            "然后",
            "而且",
            "另外",
            "还有",
            "否则",
            "因此",
        )
    ),
    concessive=traditional(("虽然", "尽管", "即使")),
    joins=traditional(("和", "以及")),
    attacks=traditional(
        (
            "忽略",
            "无视",
            "忘记(?:之前|以前|所有)?的?(?:指令|指示|规则)",
            "系统(?:通知|提示|指令|消息|管理员)",
            "(?:你|您)现在是",
            "管理员",
            "所有的?(?:乘客|客户|旅客|预订|用户)",
            "全部(?:乘客|客户|旅客)",
            "指令",
            "扮演",
            "忘记一切",
            "忘掉(?:之前|以前|所有)",
        )
    ),
)


def _with_cantonese(
    group: Mapping[str, tuple[str, ...]], *, targets: bool
) -> dict[str, tuple[str, ...]]:
    out = dict(group)
    for key, words in _CANTONESE.items():
        if (":" in key) == targets:
            out[key] = (*out.get(key, ()), *words)
    return out


LEXICON = replace(
    LEXICON,
    targets=_with_cantonese(LEXICON.targets, targets=True),
    cues=_with_cantonese(LEXICON.cues, targets=False),
)
