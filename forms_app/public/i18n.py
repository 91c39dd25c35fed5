"""The public pages' own words in English and Welsh (the questions come from the definitions)."""

from __future__ import annotations

from typing import Any

from flask import request, session

LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}

STRINGS: dict[str, dict[str, str]] = {
    "back": {"en": "Back", "cy": "Yn ôl"},
    "continue": {"en": "Continue", "cy": "Parhau"},
    "start_now": {"en": "Start now", "cy": "Dechrau nawr"},
    "resume_title": {
        "en": "You have a report in progress",
        "cy": "Mae gennych adroddiad ar y gweill",
    },
    "resume_text": {
        "en": "We have kept the answers you gave. You can carry on where you left off, or start again.",
        "cy": "Rydym wedi cadw’r atebion a roesoch. Gallwch barhau o’r man lle gwnaethoch adael, neu ddechrau eto.",
    },
    "resume": {"en": "Continue where you left off", "cy": "Parhau o’r man lle gwnaethoch adael"},
    "start_again": {"en": "Start again", "cy": "Dechrau eto"},
    "timed_out": {
        "en": "We deleted your answers because you did not do anything for a while. You will need to start again.",
        "cy": "Rydym wedi dileu eich atebion am na wnaethoch unrhyw beth am gyfnod. Bydd angen i chi ddechrau eto.",
    },
    "important": {"en": "Important", "cy": "Pwysig"},
    "error_summary_title": {"en": "There is a problem", "cy": "Mae problem wedi codi"},
    "error_prefix": {"en": "Error: ", "cy": "Gwall: "},
    "check_title": {
        "en": "Check your answers before sending your report",
        "cy": "Gwiriwch eich atebion cyn anfon eich adroddiad",
    },
    "change": {"en": "Change", "cy": "Newid"},
    "remove": {"en": "Remove", "cy": "Dileu"},
    "not_answered": {"en": "Not answered", "cy": "Heb ei ateb"},
    "send": {"en": "Send report", "cy": "Anfon adroddiad"},
    "accept_and_send": {"en": "Accept and send", "cy": "Derbyn ac anfon"},
    "declaration": {"en": "Declaration", "cy": "Datganiad"},
    "declaration_required": {
        "en": "Confirm that you agree with the declaration",
        "cy": "Cadarnhewch eich bod yn cytuno â’r datganiad",
    },
    "confirmation_title": {"en": "Report sent", "cy": "Adroddiad wedi’i anfon"},
    "your_reference": {"en": "Your reference number", "cy": "Eich cyfeirnod"},
    "confirmation_text": {
        "en": "Keep your reference number. You will need it if you contact us about this report.",
        "cy": "Cadwch eich cyfeirnod. Bydd ei angen arnoch os byddwch yn cysylltu â ni am yr adroddiad hwn.",
    },
    "honeypot_label": {"en": "Leave this field empty", "cy": "Gadewch y maes hwn yn wag"},
    "item_heading": {"en": "{item} {number}", "cy": "{item} {number}"},
    "repeat_added_one": {"en": "You have added 1 {item}", "cy": "Rydych wedi ychwanegu 1 {item}"},
    "repeat_added_many": {
        "en": "You have added {count} {items}",
        "cy": "Rydych wedi ychwanegu {count} {items}",
    },
    "repeat_add_first": {
        "en": "Do you want to add a {item}?",
        "cy": "Ydych chi eisiau ychwanegu {item}?",
    },
    "repeat_add_another": {
        "en": "Do you need to add another {item}?",
        "cy": "Oes angen i chi ychwanegu {item} arall?",
    },
    "repeat_choose": {
        "en": "Select yes if you need to add another {item}",
        "cy": "Dewiswch ‘Ie’ os oes angen i chi ychwanegu {item} arall",
    },
    "repeat_choose_first": {
        "en": "Select yes if you want to add a {item}",
        "cy": "Dewiswch ‘Ie’ os ydych eisiau ychwanegu {item}",
    },
    "repeat_full": {
        "en": "You cannot add more than {max}. You can change or remove one you have added.",
        "cy": "Ni allwch ychwanegu mwy na {max}. Gallwch newid neu ddileu un rydych wedi’i ychwanegu.",
    },
    "repeat_empty_item": {
        "en": "Enter at least one answer, or go back",
        "cy": "Rhowch o leiaf un ateb, neu ewch yn ôl",
    },
    "remove_title": {
        "en": "Are you sure you want to remove {item} {number}?",
        "cy": "Ydych chi’n siŵr eich bod eisiau dileu {item} {number}?",
    },
    "remove_choose": {
        "en": "Select yes if you want to remove {item} {number}",
        "cy": "Dewiswch ‘Ie’ os ydych eisiau dileu {item} {number}",
    },
    "remove_file_title": {
        "en": "Are you sure you want to remove {name}?",
        "cy": "Ydych chi’n siŵr eich bod eisiau dileu {name}?",
    },
    "remove_file_choose": {
        "en": "Select yes if you want to remove {name}",
        "cy": "Dewiswch ‘Ie’ os ydych eisiau dileu {name}",
    },
    "none_added": {"en": "None added", "cy": "Dim wedi’u hychwanegu"},
    "skip_link": {"en": "Skip to main content", "cy": "Neidio i’r prif gynnwys"},
    "yes": {"en": "Yes", "cy": "Ie"},
    "no": {"en": "No", "cy": "Na"},
    "files_uploaded": {"en": "Files added", "cy": "Ffeiliau wedi’u hychwanegu"},
    "upload_file": {"en": "Upload file", "cy": "Llwytho ffeil i fyny"},
    "file_choose": {"en": "Select a file", "cy": "Dewiswch ffeil"},
    "file_unknown_type": {
        "en": "The selected file must be a photo, video or document of a type we accept",
        "cy": "Rhaid i’r ffeil a ddewiswyd fod yn llun, fideo neu ddogfen o fath rydym yn ei dderbyn",
    },
    "file_empty": {"en": "The selected file is empty", "cy": "Mae’r ffeil a ddewiswyd yn wag"},
    # A question that takes several files names the one refused, as the person chose it.
    "file_named_unknown_type": {
        "en": "The file ‘{name}’ must be a photo, video or document of a type we accept",
        "cy": "Rhaid i’r ffeil ‘{name}’ fod yn llun, fideo neu ddogfen o fath rydym yn ei dderbyn",
    },
    "file_named_empty": {"en": "The file ‘{name}’ is empty", "cy": "Mae’r ffeil ‘{name}’ yn wag"},
    "use_my_location": {"en": "Use my current location", "cy": "Defnyddio fy lleoliad presennol"},
    "clear_location": {"en": "Remove position", "cy": "Dileu’r lleoliad"},
    "location_saved": {
        "en": "We will send the position your device gave.",
        "cy": "Byddwn yn anfon y lleoliad a roddodd eich dyfais.",
    },
    "location_unavailable": {
        "en": "Your device could not give a position. Describe the place instead.",
        "cy": "Ni allai eich dyfais roi lleoliad. Disgrifiwch y lle yn lle hynny.",
    },
    "time_left": {
        "en": "We will keep your answers until {time} on {date}. Each time you continue, we keep them for another {hours}.",
        "cy": "Byddwn yn cadw eich atebion tan {time} ar {date}. Bob tro y byddwch yn parhau, byddwn yn eu cadw am {hours} arall.",
    },
    "keep_answers": {"en": "Keep my answers for longer", "cy": "Cadw fy atebion am hirach"},
    "timeout_title": {
        "en": "We will delete your answers soon",
        "cy": "Byddwn yn dileu eich atebion cyn bo hir",
    },
    "timeout_text": {
        "en": "You have not done anything for a while. We will delete your answers at {time} to keep them safe.",
        "cy": "Nid ydych wedi gwneud unrhyw beth am gyfnod. Byddwn yn dileu eich atebion am {time} i’w cadw’n ddiogel.",
    },
    "timeout_continue": {"en": "Continue with this report", "cy": "Parhau gyda’r adroddiad hwn"},
    "kept": {
        "en": "We will keep your answers for longer.",
        "cy": "Byddwn yn cadw eich atebion am hirach.",
    },
    "hours": {"en": "{count} hours", "cy": "{count} awr"},
    "hour": {"en": "1 hour", "cy": "1 awr"},
    "minutes": {"en": "{count} minutes", "cy": "{count} munud"},
    "minute": {"en": "1 minute", "cy": "1 munud"},
    "language": {"en": "Language", "cy": "Iaith"},
    "section": {"en": "Section", "cy": "Adran"},
    # The error pages (templates/errors): general words only, never anything a person sent.
    "error_400_title": {
        "en": "Sorry, there is a problem with your request",
        "cy": "Mae’n ddrwg gennym, mae problem gyda’ch cais",
    },
    "error_400_text": {
        "en": "The page could not use what was sent. Go back and try again.",
        "cy": "Nid oedd y dudalen yn gallu defnyddio’r hyn a anfonwyd. Ewch yn ôl a rhowch gynnig arall arni.",
    },
    "error_400_kept": {
        "en": "If you were filling in a form, your answers so far have been kept.",
        "cy": "Os oeddech yn llenwi ffurflen, mae’r atebion a roesoch hyd yma wedi’u cadw.",
    },
    "error_404_title": {"en": "Page not found", "cy": "Ni ellir dod o hyd i’r dudalen"},
    "error_404_typed": {
        "en": "If you typed the web address, check it is correct.",
        "cy": "Os gwnaethoch deipio’r cyfeiriad gwe, gwiriwch ei fod yn gywir.",
    },
    "error_404_pasted": {
        "en": "If you pasted the web address, check you copied the entire address.",
        "cy": "Os gwnaethoch ludo’r cyfeiriad gwe, gwiriwch eich bod wedi copïo’r cyfeiriad cyfan.",
    },
    "error_413_title": {
        "en": "The file or answer you sent is too large",
        "cy": "Mae’r ffeil neu’r ateb a anfonoch yn rhy fawr",
    },
    "error_413_text": {
        "en": "Go back and send a smaller file or a shorter answer. Nothing you had already saved has been lost.",
        "cy": "Ewch yn ôl ac anfonwch ffeil lai neu ateb byrrach. Nid ydych wedi colli unrhyw beth roeddech wedi’i gadw eisoes.",
    },
    "error_429_title": {"en": "Too many attempts", "cy": "Gormod o ymdrechion"},
    "error_429_text": {
        "en": "You have tried too many times in a short time. Wait a few minutes, then try again.",
        "cy": "Rydych wedi rhoi cynnig arni ormod o weithiau mewn cyfnod byr. Arhoswch ychydig funudau, yna rhowch gynnig arall arni.",
    },
    "error_500_title": {
        "en": "Sorry, there is a problem with the service",
        "cy": "Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth",
    },
    "error_try_later": {"en": "Try again later.", "cy": "Rhowch gynnig arall arni yn nes ymlaen."},
    "error_503_title": {
        "en": "Sorry, the service is unavailable",
        "cy": "Mae’n ddrwg gennym, nid yw’r gwasanaeth ar gael",
    },
    "error_503_text": {
        "en": "You will be able to use the service again soon. Nothing you had already sent has been lost.",
        "cy": "Byddwch yn gallu defnyddio’r gwasanaeth eto cyn bo hir. Nid ydych wedi colli unrhyw beth roeddech wedi’i anfon eisoes.",
    },
    "error_danger": {
        "en": "If you are in danger now, call 999.",
        "cy": "Os ydych mewn perygl nawr, ffoniwch 999.",
    },
    "error_danger_or_101": {
        "en": "If you are in danger now, call 999. If it is not an emergency, you can call 101.",
        "cy": "Os ydych mewn perygl nawr, ffoniwch 999. Os nad yw’n argyfwng, gallwch ffonio 101.",
    },
}

# Where the language of the last form page a visitor saw is kept, for the pages that are not
# part of a form's journey (the error pages), which have no draft to read it from.
LANGUAGE_KEY = "sf_lang"


def t(key: str, lang: str, **params: Any) -> str:
    """Return a UI string in a language (English when there is no Welsh), filled in."""
    texts = STRINGS[key]
    text = texts.get(lang) or texts["en"]
    return text.format(**params) if params else text


def remember_language(lang: str) -> None:
    """Keep the language the visitor reads the forms in (written only when it changes)."""
    if session.get(LANGUAGE_KEY) != lang:
        session[LANGUAGE_KEY] = lang


def visitor_language() -> str:
    """The language to show a page outside a form in: the one asked for in the address, or
    the one the visitor last read a form in, or English."""
    requested = request.args.get("lang")
    if requested in LANGUAGE_NAMES:
        return str(requested)
    kept = session.get(LANGUAGE_KEY)
    return kept if isinstance(kept, str) and kept in LANGUAGE_NAMES else "en"


def duration(hours: float, lang: str) -> str:
    """Return a window length as "24 hours", "1 hour" or "30 minutes"."""
    if hours >= 1 and float(hours).is_integer():
        return t("hour", lang) if hours == 1 else t("hours", lang, count=int(hours))
    minutes = max(1, round(hours * 60))
    return t("minute", lang) if minutes == 1 else t("minutes", lang, count=minutes)
