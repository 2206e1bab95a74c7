"""The GUI's texts in English and Russian, gettext-style: ``_(lang)("English text")``."""

from __future__ import annotations

from collections.abc import Callable

RU = {
    "Uzor agency": "Узор: Прослойка",
    "Log in": "Войти",
    "API token": "Токен API",
    "Wrong token.": "Неверный токен.",
    "Connected terminals": "Подключённые терминалы",
    "Client": "Клиент",
    "Operator": "Оператор",
    "Address": "Адрес",
    "Mode": "Режим",
    "State": "Состояние",
    "In state": "В состоянии",
    "Message": "Сообщение",
    "Send": "Отправить",
    "End session": "Завершить сеанс",
    "No terminals are connected.": "Нет подключённых терминалов.",
    "Log out": "Выйти",
    "Maintenance mode: new logins are refused.": "Режим обслуживания: новые входы запрещены.",
    "Sent.": "Отправлено.",
    "Session ended.": "Сеанс завершён.",
    "No such client.": "Нет такого клиента.",
}


def language(accept: str) -> str:
    for part in accept.split(","):
        code = part.split(";")[0].strip().lower()
        if code.startswith("ru"):
            return "ru"
        if code.startswith("en"):
            return "en"
    return "en"


def translator(lang: str) -> Callable[[str], str]:
    if lang == "ru":
        return lambda text: RU.get(text, text)
    return lambda text: text
