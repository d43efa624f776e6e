"""Telegram's HTML parse mode, checked strictly: the tags Telegram knows, matched end tags,
escaped `<`, `>` and `&`. Returns the plain text and its entities, as Telegram does."""

from __future__ import annotations

import html
import re

ALLOWED = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>")
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")


class ParseError(ValueError):
    pass


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict]]:
    out: list[str] = []
    entities: list[dict] = []
    stack: list[tuple[str, int, dict]] = []
    position = 0  # in UTF-16 code units of the output
    i = 0
    while i < len(source):
        char = source[i]
        if char == "<":
            match = _TAG.match(source, i)
            if not match:
                raise ParseError(f"Unclosed start tag at byte offset {len(source[:i].encode())}")
            closing, name, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if name not in ALLOWED:
                raise ParseError(f'Unsupported start tag "{name}" at byte offset {len(source[:i].encode())}')
            if closing:
                if not stack or stack[-1][0] != name:
                    raise ParseError(f'Unmatched end tag at byte offset {len(source[:i].encode())}, expected "</{stack[-1][0]}>", found "</{name}>"' if stack else f'Unexpected end tag at byte offset {len(source[:i].encode())}')
                open_name, start, extra = stack.pop()
                if position > start:
                    entities.append({"type": ALLOWED[open_name], "offset": start, "length": position - start, **extra})
            else:
                stack.append((name, position, _attributes(name, attrs)))
            i = match.end()
        elif char == "&":
            match = _ENTITY.match(source, i)
            if not match:
                raise ParseError(f"Unsupported HTML entity or unescaped \"&\" at byte offset {len(source[:i].encode())}")
            text = html.unescape(match.group(0))
            out.append(text)
            position += utf16_len(text)
            i = match.end()
        elif char == ">":
            raise ParseError(f'Unexpected ">" at byte offset {len(source[:i].encode())}; use "&gt;"')
        else:
            out.append(char)
            position += utf16_len(char)
            i += 1
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _attributes(name: str, raw: str) -> dict:
    attrs = {m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "") for m in _ATTR.finditer(raw)}
    if name == "a":
        href = attrs.get("href")
        if not href:
            raise ParseError('Tag "a" must have attribute "href"')
        return {"url": html.unescape(href)}
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise ParseError('Tag "span" must have class "tg-spoiler"')
    if name == "pre" or name == "code":
        language = attrs.get("class", "")
        return {"language": language[9:]} if language.startswith("language-") else {}
    if name == "tg-emoji":
        return {"custom_emoji_id": attrs.get("emoji-id", "")}
    return {}
