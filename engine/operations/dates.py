"""Days as an operator types them: `today`, `yesterday`, `-7d`, an ISO date.

Every face (the command line, a console) reads dates of filters the same way,
so the words are read here, as a pure function of the text and of the day it
is: a test, or a face with its own clock, says which day is today.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from facteur.engine.errors import InvalidRequest
from facteur.engine.messages import say

TODAY = ("today", "aujourd'hui", "aujourdhui", "aujourd’hui")
YESTERDAY = ("yesterday", "hier")
DAYS_AGO = re.compile(r"-(\d{1,5})\s*[dj]")  # -7d, or -7j (jours)


def day(text: str, today: date) -> date:
    """The day `text` names, counted from `today`; an unreadable text is an
    `InvalidRequest` that says what is accepted."""
    word = text.strip().casefold()
    if word in TODAY:
        return today
    if word in YESTERDAY:
        return today - timedelta(days=1)
    ago = DAYS_AGO.fullmatch(word)
    if ago:
        return today - timedelta(days=int(ago.group(1)))
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise InvalidRequest(say("ops-bad-date", value=text, example=today.isoformat())) from None
