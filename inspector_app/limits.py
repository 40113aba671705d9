"""One cap for each kind of free text and number, enforced by the services and by package
import alike (docs/design.md, "Limits"). Counted in characters (str length), after stripping.

A cap is generous for real use (a long comment is a page of Chinese) and small enough that
the report of an inspection filled to every cap stays a few dozen pages.
"""

from __future__ import annotations

NAME = 50  # a person: inspector, signer, responsible person (责任人)
INSPECTORS = 10  # names on one inspection
COMMENT = 4000  # an item's comment
TEXT_ANSWER = 4000  # the answer to a text item
FINDING_TEXT = 2000  # a finding's description, requirement (整改要求) or resolution note
REASON = 1000  # why an inspection was amended, why a conflict was decided
CAPTION = 200  # a photo's caption
FILE_NAME = 255  # an original file name kept with a photo
NUMBER_DIGITS = 15  # significant digits of a number or score answer (a float holds 15)
NUMBER_MAGNITUDE = 1e12  # the largest absolute number answer
