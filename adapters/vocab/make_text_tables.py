"""Writes adapters/vocab/text-tables.json: the data tables the TypeScript text cleaner
(adapters/tokenizer-ftfy.ts, adapters/tokenizer-html.ts) needs to behave like
`ftfy.fix_text` and Python's `html.unescape`, taken from the installed libraries
rather than copied by hand.

    /work/main/.venv/bin/python adapters/vocab/make_text_tables.py

What it writes and why:
- html5: Python's `html.entities.html5` (named references, with and without `;`).
- ftfy_uppercase_entities: the all-caps entity spellings ftfy also decodes (`&EACUTE;`).
- charmaps: the 256-character decoding table of every single-byte encoding ftfy tries,
  in ftfy's order (its "sloppy" codecs decode the bytes the real codecs leave undefined).
- windows_1252_strict: Python's own cp1252 table, U+FFFD where it has no character.
- ligatures, width_map: ftfy's translate tables.
- badness, utf8_detector: ftfy's two mojibake-detecting regular expressions, rewritten
  from Python `re` verbose syntax into JavaScript `u`-flag syntax (`\\s` and `\\w` become
  explicit classes holding exactly the characters Python gives them, `.` becomes `[^\\n]`).
- python_whitespace: the characters `str.isspace()` is true for (what `str.split()` and
  `str.strip()` use).
The Unicode tables come from this Python (its `unicodedata`), so they follow its
Unicode version.
"""

from __future__ import annotations

import html.entities
import json
import re
import sys
import unicodedata
from pathlib import Path

import ftfy
import ftfy.badness
import ftfy.chardata

OUTPUT = Path(__file__).resolve().parent / "text-tables.json"


def code_ranges(predicate) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    start = None
    for code in range(0x110001):
        inside = code < 0x110000 and predicate(chr(code))
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            ranges.append((start, code - 1))
            start = None
    return ranges


def js_char(code: int) -> str:
    """A code point written so that it is safe inside or outside a JS `u` character class."""
    char = chr(code)
    if 0x20 < code < 0x7F and char.isalnum():
        return char
    return "\\u{%X}" % code


def js_class_body(ranges: list[tuple[int, int]]) -> str:
    return "".join(js_char(a) if a == b else f"{js_char(a)}-{js_char(b)}" for a, b in ranges)


WHITESPACE_BODY = js_class_body(code_ranges(str.isspace))
WORD_BODY = js_class_body(code_ranges(lambda c: c.isalnum() or c == "_"))


def regex_units(regex: re.Pattern):
    """(unit, inside_class) for each unit of a Python `re` str pattern: an escape (`\\xNN`
    whole, any other two characters) or one character; `inside_class` is the state before
    the unit. Under re.VERBOSE the whitespace and comments it ignores outside classes
    are left out."""
    pattern = regex.pattern
    verbose = bool(regex.flags & re.VERBOSE)
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            width = 4 if pattern[index + 1] == "x" else 2
            yield pattern[index : index + width], in_class
            index += width
            continue
        if verbose and not in_class and (char.isspace() or char == "#"):
            if char == "#":
                while index < len(pattern) and pattern[index] != "\n":
                    index += 1
            index += 1
            continue
        yield char, in_class
        index += 1
        if in_class and char == "]":
            in_class = False
        elif not in_class and char == "[":
            in_class = True
            # A `]` right after `[` or `[^` is a literal in Python; none of ftfy's patterns uses it.
            assert pattern[index] != "]" and pattern[index : index + 2] != "^]", pattern[index - 5 : index + 5]


def to_javascript(regex: re.Pattern) -> str:
    """Rewrite a Python `re` str pattern (verbose or not) as JavaScript `u`-flag source."""
    out: list[str] = []
    for unit, in_class in regex_units(regex):
        if unit[0] == "\\":
            escape = unit[1]
            if escape == "s":
                out.append(WHITESPACE_BODY if in_class else f"[{WHITESPACE_BODY}]")
            elif escape == "w":
                out.append(WORD_BODY if in_class else f"[{WORD_BODY}]")
            elif escape == "x":
                out.append(js_char(int(unit[2:], 16)))
            elif escape in "\\[]-^.|?*+(){}/":
                out.append(unit)
            else:
                raise ValueError(f"unhandled escape {unit} in pattern")
        elif unit == "." and not in_class:
            out.append("[^\\n]")
        elif not unit.isascii() or (in_class and unit in "[{}/|"):
            out.append(js_char(ord(unit)))
        else:
            out.append(unit)
    return "".join(out)


def ftfy_uppercase_entities() -> dict[str, str]:
    extras = {}
    for name, char in ftfy.chardata.HTML_ENTITIES.items():
        if not (name[1:] in html.entities.html5 and html.entities.html5[name[1:]] == char):
            extras[name] = char
    return extras


def charmaps() -> dict[str, str]:
    tables = {}
    for encoding in ftfy.chardata.CHARMAP_ENCODINGS:
        table = bytes(range(256)).decode(encoding)
        assert len(table) == 256 and len(set(table)) == 256, encoding
        # The encoder must be the exact inverse of the decoder for the TS port to hold.
        assert table.encode(encoding) == bytes(range(256)), encoding
        tables[encoding] = table
    return tables


def main() -> None:
    tables = {
        "source": (
            f"generated by adapters/vocab/make_text_tables.py from ftfy {ftfy.__version__} and "
            f"Python {sys.version.split()[0]} (Unicode {unicodedata.unidata_version})"
        ),
        "python_whitespace": WHITESPACE_BODY,
        "html5": dict(html.entities.html5),
        "ftfy_uppercase_entities": ftfy_uppercase_entities(),
        "charmaps": charmaps(),
        # ftfy's "Latin-1 meant as Windows-1252" step uses Python's strict codec.
        "windows_1252_strict": bytes(range(256)).decode("windows-1252", errors="replace"),
        "ligatures": {chr(code): text for code, text in ftfy.chardata.LIGATURES.items()},
        "width_map": {chr(code): text for code, text in ftfy.chardata.WIDTH_MAP.items()},
        "badness": to_javascript(ftfy.badness.BADNESS_RE),
        "utf8_detector": to_javascript(ftfy.chardata.UTF8_DETECTOR_RE),
    }
    OUTPUT.write_text(json.dumps(tables, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
