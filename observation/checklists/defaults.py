"""The default checklist of every new mission, one per stage, after the OSCE/ODIHR forms.

Each question: code, English text, translations, type, required, choices, bounds, show_if.
"""

from ..models import QuestionType as T
from ..models import Stage


def q(
    code,
    text,
    type_,
    *,
    required=False,
    choices=None,
    min=None,
    max=None,
    show_if=None,
    ru="",
    kk="",
):
    i18n = {k: v for k, v in (("ru", ru), ("kk", kk)) if v}
    return {
        "code": code,
        "text": text,
        "text_i18n": i18n,
        "type": type_,
        "required": required,
        "choices": choices or [],
        "min": min,
        "max": max,
        "show_if": show_if,
    }


YES = {"equals": True}

INSTITUTIONS = ["POLICE", "LOCAL_AUTHORITY", "PARTY_AGENT", "SECURITY", "OTHER"]

DEFAULT_CHECKLISTS = {
    Stage.OPENING: [
        q(
            "O01",
            "Were all essential election materials present?",
            T.YES_NO,
            required=True,
            ru="Присутствовали ли все необходимые избирательные материалы?",
            kk="Барлық қажетті сайлау материалдары болды ма?",
        ),
        q(
            "O02",
            "Were the ballot boxes shown empty and sealed?",
            T.YES_NO,
            required=True,
            ru="Были ли урны показаны пустыми и опечатаны?",
            kk="Сайлау жәшіктері бос күйінде көрсетіліп, мөрленді ме?",
        ),
        q(
            "O03",
            "Were the voter lists present?",
            T.YES_NO,
            required=True,
            ru="Присутствовали ли списки избирателей?",
            kk="Сайлаушылар тізімдері болды ма?",
        ),
        q(
            "O04",
            "How many commission members were present?",
            T.INTEGER,
            required=True,
            min=0,
            max=50,
            ru="Сколько членов комиссии присутствовало?",
            kk="Комиссияның қанша мүшесі болды?",
        ),
        q(
            "O05",
            "Did the station open on time?",
            T.YES_NO,
            required=True,
            ru="Открылся ли участок вовремя?",
            kk="Учаске уақытында ашылды ма?",
        ),
        q(
            "O06",
            "How many minutes late did it open?",
            T.INTEGER,
            required=True,
            min=1,
            max=600,
            show_if={"question": "O05", "equals": False},
            ru="На сколько минут позже он открылся?",
            kk="Неше минут кешігіп ашылды?",
        ),
        q(
            "O07",
            "Were unauthorised persons present?",
            T.YES_NO,
            required=True,
            ru="Присутствовали ли посторонние лица?",
            kk="Бөгде адамдар болды ма?",
        ),
        q(
            "O08",
            "Which institution did they represent?",
            T.MULTI_CHOICE,
            required=True,
            choices=INSTITUTIONS,
            show_if={"question": "O07", **YES},
            ru="Какую организацию они представляли?",
            kk="Олар қай ұйымның өкілі болды?",
        ),
        q(
            "O09",
            "Were observers restricted?",
            T.YES_NO,
            required=True,
            ru="Были ли ограничены наблюдатели?",
            kk="Байқаушыларға шектеу қойылды ма?",
        ),
        q(
            "O10",
            "Other remarks on the opening",
            T.TEXT,
            ru="Другие замечания об открытии",
            kk="Ашылуы туралы басқа ескертпелер",
        ),
    ],
    Stage.VOTING: [
        q(
            "V01",
            "Were unauthorised persons present?",
            T.YES_NO,
            required=True,
            ru="Присутствовали ли посторонние лица?",
            kk="Бөгде адамдар болды ма?",
        ),
        q(
            "V02",
            "Which institution did they represent?",
            T.MULTI_CHOICE,
            required=True,
            choices=INSTITUTIONS,
            show_if={"question": "V01", **YES},
            ru="Какую организацию они представляли?",
            kk="Олар қай ұйымның өкілі болды?",
        ),
        q(
            "V03",
            "Was the secrecy of the vote ensured?",
            T.YES_NO,
            required=True,
            ru="Обеспечивалась ли тайна голосования?",
            kk="Дауыс беру құпиялығы қамтамасыз етілді ме?",
        ),
        q(
            "V04",
            "Was the voters' identity checked?",
            T.YES_NO,
            required=True,
            ru="Проверялась ли личность избирателей?",
            kk="Сайлаушылардың жеке басы тексерілді ме?",
        ),
        q(
            "V05",
            "Were there indications of multiple or proxy voting?",
            T.YES_NO,
            required=True,
            ru="Были ли признаки многократного голосования или голосования за других?",
            kk="Бірнеше рет немесе басқа адам үшін дауыс беру белгілері болды ма?",
        ),
        q(
            "V06",
            "Were there indications of ballot stuffing?",
            T.YES_NO,
            required=True,
            ru="Были ли признаки вброса бюллетеней?",
            kk="Бюллетеньдерді салу белгілері болды ма?",
        ),
        q(
            "V07",
            "How crowded was the station?",
            T.CHOICE,
            required=True,
            choices=["NONE", "QUEUE", "OVERCROWDED"],
            ru="Насколько был переполнен участок?",
            kk="Учаскеде адам қаншалықты көп болды?",
        ),
        q(
            "V08",
            "Was family voting observed?",
            T.YES_NO,
            required=True,
            ru="Наблюдалось ли семейное голосование?",
            kk="Отбасылық дауыс беру байқалды ма?",
        ),
        q(
            "V09",
            "Were voters turned away?",
            T.YES_NO,
            required=True,
            ru="Отказывали ли избирателям?",
            kk="Сайлаушыларға бас тартылды ма?",
        ),
        q(
            "V10",
            "How many voters were turned away?",
            T.INTEGER,
            required=True,
            min=1,
            max=5000,
            show_if={"question": "V09", **YES},
            ru="Скольким избирателям отказали?",
            kk="Қанша сайлаушыға бас тартылды?",
        ),
        q(
            "V11",
            "Was there campaigning in or around the station?",
            T.YES_NO,
            required=True,
            ru="Велась ли агитация на участке или рядом?",
            kk="Учаскеде немесе жанында үгіт болды ма?",
        ),
        q(
            "V12",
            "Were observers restricted?",
            T.YES_NO,
            required=True,
            ru="Были ли ограничены наблюдатели?",
            kk="Байқаушыларға шектеу қойылды ма?",
        ),
        q(
            "V13",
            "Other remarks on voting",
            T.TEXT,
            ru="Другие замечания о голосовании",
            kk="Дауыс беру туралы басқа ескертпелер",
        ),
    ],
    Stage.CLOSING: [
        q(
            "L01",
            "Did the station close on time?",
            T.YES_NO,
            required=True,
            ru="Закрылся ли участок вовремя?",
            kk="Учаске уақытында жабылды ма?",
        ),
        q(
            "L02",
            "Were voters in the queue at closing allowed to vote?",
            T.YES_NO,
            required=True,
            ru="Разрешили ли проголосовать избирателям в очереди?",
            kk="Кезекте тұрған сайлаушыларға дауыс беруге рұқсат етілді ме?",
        ),
        q(
            "L03",
            "Were unauthorised persons present?",
            T.YES_NO,
            required=True,
            ru="Присутствовали ли посторонние лица?",
            kk="Бөгде адамдар болды ма?",
        ),
        q(
            "L04",
            "Were observers restricted?",
            T.YES_NO,
            required=True,
            ru="Были ли ограничены наблюдатели?",
            kk="Байқаушыларға шектеу қойылды ма?",
        ),
        q(
            "L05",
            "Other remarks on closing",
            T.TEXT,
            ru="Другие замечания о закрытии",
            kk="Жабылуы туралы басқа ескертпелер",
        ),
    ],
    Stage.COUNTING: [
        q(
            "C01",
            "Were unused ballots cancelled before the box was opened?",
            T.YES_NO,
            required=True,
            ru="Были ли погашены неиспользованные бюллетени до вскрытия урны?",
            kk="Жәшік ашылғанға дейін пайдаланылмаған бюллетеньдер жойылды ма?",
        ),
        q(
            "C02",
            "Ballots received by the station",
            T.INTEGER,
            required=True,
            min=0,
            max=10000,
            ru="Бюллетеней получено участком",
            kk="Учаске алған бюллетеньдер",
        ),
        q(
            "C03",
            "Ballots issued to voters",
            T.INTEGER,
            required=True,
            min=0,
            max=10000,
            ru="Бюллетеней выдано избирателям",
            kk="Сайлаушыларға берілген бюллетеньдер",
        ),
        q(
            "C04",
            "Unused ballots",
            T.INTEGER,
            required=True,
            min=0,
            max=10000,
            ru="Неиспользованных бюллетеней",
            kk="Пайдаланылмаған бюллетеньдер",
        ),
        q(
            "C05",
            "Valid ballots in the box",
            T.INTEGER,
            required=True,
            min=0,
            max=10000,
            ru="Действительных бюллетеней в урне",
            kk="Жәшіктегі жарамды бюллетеньдер",
        ),
        q(
            "C06",
            "Invalid ballots in the box",
            T.INTEGER,
            required=True,
            min=0,
            max=10000,
            ru="Недействительных бюллетеней в урне",
            kk="Жәшіктегі жарамсыз бюллетеньдер",
        ),
        q(
            "C07",
            "Was the validity of ballots decided consistently?",
            T.YES_NO,
            required=True,
            ru="Последовательно ли определялась действительность бюллетеней?",
            kk="Бюллетеньдердің жарамдылығы бірізді анықталды ма?",
        ),
        q(
            "C08",
            "Was the protocol completed in ink and signed?",
            T.YES_NO,
            required=True,
            ru="Был ли протокол заполнен ручкой и подписан?",
            kk="Хаттама сиямен толтырылып, қол қойылды ма?",
        ),
        q(
            "C09",
            "Were observers given a copy of the protocol?",
            T.YES_NO,
            required=True,
            ru="Получили ли наблюдатели копию протокола?",
            kk="Байқаушыларға хаттаманың көшірмесі берілді ме?",
        ),
        q(
            "C10",
            "Was the protocol posted publicly?",
            T.YES_NO,
            required=True,
            ru="Был ли протокол вывешен для ознакомления?",
            kk="Хаттама көпшілікке ілінді ме?",
        ),
        q(
            "C11",
            "Were observers restricted?",
            T.YES_NO,
            required=True,
            ru="Были ли ограничены наблюдатели?",
            kk="Байқаушыларға шектеу қойылды ма?",
        ),
        q(
            "C12",
            "Other remarks on counting",
            T.TEXT,
            ru="Другие замечания о подсчёте",
            kk="Санау туралы басқа ескертпелер",
        ),
    ],
    Stage.TABULATION: [
        q(
            "T01",
            "Were protocols delivered by commission members in person?",
            T.YES_NO,
            required=True,
            ru="Доставлялись ли протоколы членами комиссий лично?",
            kk="Хаттамаларды комиссия мүшелері өздері жеткізді ме?",
        ),
        q(
            "T02",
            "Were figures in protocols changed at the tabulation?",
            T.YES_NO,
            required=True,
            ru="Изменялись ли цифры в протоколах при сведении?",
            kk="Қорытындылау кезінде хаттамалардағы сандар өзгертілді ме?",
        ),
        q(
            "T03",
            "Were unauthorised persons present?",
            T.YES_NO,
            required=True,
            ru="Присутствовали ли посторонние лица?",
            kk="Бөгде адамдар болды ма?",
        ),
        q(
            "T04",
            "Were observers able to follow the process?",
            T.YES_NO,
            required=True,
            ru="Могли ли наблюдатели следить за процессом?",
            kk="Байқаушылар процесті бақылай алды ма?",
        ),
        q(
            "T05",
            "Other remarks on tabulation",
            T.TEXT,
            ru="Другие замечания о сведении",
            kk="Қорытындылау туралы басқа ескертпелер",
        ),
    ],
}


# The default checklists' questions whose answer a finding of each category speaks to, with the
# answer that shows the problem: a visit that reports "Family voting" has answered V08 "Yes".
# A finding agrees with its visit's answers when the visit answered none of its questions (its
# checklist asks none, e.g. "Procedural violation") or at least one of them shows the problem.
# Categories not named here (procedure, pressure on voters, other) no question speaks to.
FINDING_EVIDENCE: dict[str, dict[str, bool]] = {
    "UNAUTHORIZED_PERSONS": {"O07": True, "V01": True, "L03": True, "T03": True},
    "SECRECY": {"V03": False},
    "MULTIPLE_VOTING": {"V05": True},
    "BALLOT_STUFFING": {"V06": True},
    "FAMILY_VOTING": {"V08": True},
    "CAMPAIGNING": {"V11": True},
    "OBSERVER_RESTRICTED": {"O09": True, "V12": True, "L04": True, "C11": True, "T04": False},
    "VOTER_LIST": {"O03": False},
    "COUNT_IRREGULARITY": {"C01": False, "C07": False},
    "PROTOCOL": {"C08": False, "C09": False, "C10": False},
}


def finding_agrees(*, category: str, answers: dict) -> bool:
    """Whether a finding of ``category`` agrees with the answers of its visit (see above)."""
    evidence = {
        code: problem
        for code, problem in FINDING_EVIDENCE.get(category, {}).items()
        if code in answers
    }
    return not evidence or any(answers[code] == problem for code, problem in evidence.items())
