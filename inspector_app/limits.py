"""One cap for each kind of free text and number, enforced by the services and by package
import alike (docs/design.md, "Limits"). Texts are counted in characters (str length) as they
are stored: names, comments, finding texts and reasons are stored stripped.

A cap is generous for real use (a long comment is a page of Chinese) and small enough that
the report of an inspection filled to every cap stays a few dozen pages. The fields of a site
are capped by their columns (``store/models.py``, ``Site``), which the site-list import and
package import both check.
"""

from __future__ import annotations

from inspector_app.i18n import _

NAME = 50  # a person: inspector, signer, responsible person (责任人)
INSPECTORS = 10  # names on one inspection
COMMENT = 4000  # an item's comment
TEXT_ANSWER = 4000  # the answer to a text item
FINDING_TEXT = 2000  # a finding's description, requirement (整改要求) or resolution note
REASON = 1000  # why an inspection was amended, why a conflict was decided
CAPTION = 200  # a photo's caption
FILE_NAME = 255  # an original file name kept with a photo (a longer one is shortened)
CAMERA = 200  # a camera's make and model, from EXIF (a longer one is cut)
ACTOR = 200  # who an audit entry names, as a package brings it
NUMBER_DIGITS = 15  # significant digits of a number or score answer (a float holds 15)
NUMBER_DECIMALS = 6  # digits after the decimal point of a number (template or answer)
NUMBER_MAGNITUDE = 1e12  # the largest absolute number, in an answer or in a template
NUMBER_CHARS = 40  # a number typed as text, before it is read
TEMPLATE_TEXT = 4000  # one side (zh or en) of a template's title, help, guidance, reason…
TEMPLATE_BYTES = 2 * 1024 * 1024  # a template file, and a template's canonical JSON in a package
HISTORY_ENTRY_BYTES = 64 * 1024  # one audit entry of an inspection's history in a package (JSON)

# The longest text any of the caps above allows: no string inside a record's JSON (a frozen
# revision's data and score) may be longer.
LONGEST_TEXT = max(COMMENT, TEXT_ANSWER, FINDING_TEXT, REASON, TEMPLATE_TEXT)


def length_problem(what: str, text: str, cap: int) -> str | None:
    """None if ``text`` fits ``cap``; otherwise a message naming ``what``, the length and the
    cap, e.g. "the comment is 120,000 characters; at most 4,000"."""
    if len(text) <= cap:
        return None
    return _(
        "{what} is {n} characters; at most {cap}",
        what=what,
        n=f"{len(text):,}",
        cap=f"{cap:,}",
    )


def shown(value: object, limit: int = 40) -> str:
    """A value for a message: its repr, cut to ``limit`` characters (a 10 MB answer must not
    become a 10 MB message)."""
    if isinstance(value, int) and value.bit_length() > 128:  # repr() refuses 4,300+ digits
        return _("a {n}-digit number", n=f"{int(value.bit_length() * 0.30103) + 1:,}")
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
