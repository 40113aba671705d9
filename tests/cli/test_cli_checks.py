"""How the CLI shows user-supplied strings: control, format and bidi characters escaped."""

from __future__ import annotations

import io
import json
import unicodedata

from inspector_app.cli.checks import UNSAFE, SafeStream, json_safe, safe

HIDDEN = ("Cc", "Cf", "Zl", "Zp", "Cs")


def test_every_control_format_and_bidi_character_is_escaped() -> None:
    everything = "".join(map(chr, range(0x110000)))
    matched = {m.group() for m in UNSAFE.finditer(everything)}
    hidden = {c for c in everything if unicodedata.category(c) in HIDDEN}
    assert hidden <= matched
    # beyond those, only code points this Python's Unicode has not assigned yet
    assert {unicodedata.category(c) for c in matched - hidden} <= {"Cn"}


def test_safe_shows_escapes_and_leaves_text_alone() -> None:
    assert safe("示例·中试基地 Pilot base 　全角") == "示例·中试基地 Pilot base 　全角"
    assert safe("a\x1b[2Jb\nc\td\re\x07") == "a\\x1b[2Jb\\nc\\td\\re\\x07"
    assert safe("abc\u202egpj.exe\u2066x\u200b") == "abc\\u202egpj.exe\\u2066x\\u200b"
    assert safe("caf\udce9") == "caf\\xe9"  # a byte that was not UTF-8
    assert safe("\x9b31m") == "\\x9b31m"  # the C1 control sequence introducer
    assert safe(None) == "" and safe(42) == "42"


def test_json_safe_is_valid_json_with_the_same_strings() -> None:
    names = ["红\x1b[31m字", "第一行\n第二行", "abc\u202egpj", "\x9b", "tag\U000e0041", "caf\udce9"]
    text = json_safe(json.dumps(names, ensure_ascii=False, indent=2))
    assert json.loads(text) == names
    assert not UNSAFE.search(text.replace("\n", ""))
    assert "红" in text and "第一行" in text  # Chinese stays readable


def test_a_safe_stream_escapes_everything_but_line_breaks() -> None:
    raw = io.StringIO()
    out = SafeStream(raw)
    print("x\x1b[2J\u202ey\rz", file=out)  # type: ignore[arg-type]
    out.write_trusted("\rprogress 1/2")
    assert raw.getvalue() == "x\\x1b[2J\\u202ey\\rz\n\rprogress 1/2"
