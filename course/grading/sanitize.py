"""HTML the grader writes carries no active content; hidden tests are looked for in encoded forms too.

`clean_html` rebuilds a page from an allow-list with bleach: plain layout and text tags, images whose
source is a raster `data:` URL or a relative path, links to http(s), mailto, anchors and relative paths,
and <style> blocks (CSS runs no script). Everything else goes: <script>, <iframe> (srcdoc included),
<object>, <embed>, <form>, <svg>, <base>, <meta>, <link>, event handler attributes (`onerror=`),
`style=` attributes and `javascript:`/`vbscript:`/`data:` links. Why bleach: nbconvert already depends on
it (its own sanitizer uses it), so no new package; it parses HTML the way browsers do (html5lib) and
works from an allow-list, so an unknown tag or attribute is dropped rather than kept. It is used on the
finished page (nbgrader's feedback HTML, whose template's own scripts go too, and our pages), so no
output type, markdown cell, attachment or widget reaches a browser unsanitized, whatever its path
through nbconvert.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import zlib
from pathlib import Path

TAGS = frozenset(
    "a abbr b blockquote br caption cite code col colgroup dd del details div dl dt em figcaption figure "
    "h1 h2 h3 h4 h5 h6 hr i img ins kbd li main mark ol p pre q s samp section small span strong style "
    "sub summary sup table tbody td tfoot th thead tr tt u ul var article header footer nav label".split()
)
COMMON = ("class", "id", "title", "lang", "dir", "align", "data-mime-type")
PER_TAG = {
    "a": ("href", "name"),
    "img": ("src", "alt", "width", "height"),
    "td": ("colspan", "rowspan"),
    "th": ("colspan", "rowspan", "scope"),
    "ol": ("start", "type"),
    "details": ("open",),
    "col": ("span",),
}
RASTER = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*", re.I)
LINK = re.compile(r"(https?:|mailto:|#|[A-Za-z0-9_./-]+$)", re.I)
_SCRIPT = re.compile(r"<(script|iframe|object|embed|template|noscript)\b.*?</\1\s*>", re.I | re.S)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)


def _allowed(tag: str, name: str, value: str) -> bool:
    if name in COMMON or name in PER_TAG.get(tag, ()):
        value = value.strip()
        if tag == "img" and name == "src":
            return bool(RASTER.fullmatch(value) or (LINK.match(value) and ":" not in value))
        if tag == "a" and name == "href":
            return bool(LINK.match(value))
        return True
    return False


def clean_fragment(text: str) -> str:
    """`text` (an HTML fragment) with only the allow-listed tags and attributes left (see above)."""
    import bleach

    text = _SCRIPT.sub("", text)  # their content would otherwise be left as text (bleach strips tags only)
    return bleach.clean(
        text,
        tags=TAGS,
        attributes=_allowed,
        protocols={"http", "https", "mailto", "data"},  # data: only where _allowed lets it (raster images)
        strip=True,
        strip_comments=True,
    )


def clean_html(page: str) -> str:
    """A whole page rebuilt from its sanitized body (and its title, as text)."""
    found = _TITLE.search(page)
    title = html.unescape(re.sub(r"<[^>]*>", "", found.group(1))) if found else "Feedback"
    body = clean_fragment(_TITLE.sub("", page))
    return (
        f"<!doctype html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def clean_file(path: Path) -> None:
    """Sanitize the HTML file at `path` in place."""
    path = Path(path)
    path.write_text(clean_html(path.read_text(encoding="utf-8", errors="replace")), encoding="utf-8")


def clean_tree(folder: Path) -> int:
    """Sanitize every .html file under `folder` (never following links); how many."""
    count = 0
    for path in sorted(Path(folder).rglob("*.html")) if Path(folder).is_dir() else []:
        if path.is_file() and not path.is_symlink():
            clean_file(path)
            count += 1
    return count


ACTIVE_TAGS = frozenset("script iframe frame object embed applet svg math base form link".split())
URL_ATTRIBUTES = frozenset("href src action formaction xlink:href srcdoc data background poster".split())


def active_content(page: str) -> list[str]:
    """The active content a browser would find in `page`: elements that run or load documents, event
    handler attributes, script URLs (what a test asserts is empty; text that only looks like it is not)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in ACTIVE_TAGS or (tag == "meta" and any(n == "http-equiv" for n, _ in attrs)):
                found.append(f"<{tag}>")
            for name, value in attrs:
                value = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
                if name.startswith("on"):
                    found.append(f"<{tag} {name}=>")
                elif name in URL_ATTRIBUTES and (
                    value.startswith(("javascript:", "vbscript:", "data:text", "data:application"))
                    or name == "srcdoc"
                ):
                    found.append(f"<{tag} {name}={value[:40]}>")

        handle_startendtag = handle_starttag

    Finder(convert_charrefs=True).feed(page)
    return found


# --- hidden tests in encoded forms -----------------------------------------------------------------------

_BASE64 = re.compile(r"[A-Za-z0-9+/_=\r\n-]{16,}")  # line breaks inside: wrapped base64
_HEX = re.compile(r"[0-9a-fA-F\r\n]{24,}")
SCAN_CHARS = 8_000_000


def _b64_forms(run: str) -> list[str]:
    forms = []
    standard = run.replace("-", "+").replace("_", "/").rstrip("=")
    for offset in range(4):
        chunk = standard[offset:]
        chunk = chunk[: len(chunk) - len(chunk) % 4]
        try:
            data = base64.b64decode(chunk, validate=True)
        except (binascii.Error, ValueError):
            continue
        forms.append(data.decode("utf-8", "ignore"))
        try:
            forms.append(zlib.decompressobj().decompress(data, 4_000_000).decode("utf-8", "ignore"))
        except zlib.error:
            pass
    return forms


def decodings(text: str) -> list[str]:
    """`text` itself, reversed, and what its base64 and hex runs decode to (line breaks ignored)."""
    text = text[:SCAN_CHARS]
    forms = [text, text[::-1]]
    for run in _BASE64.findall(text):
        for part in re.split(r"=+", re.sub(r"[\r\n]", "", run)):
            if len(part) >= 16:
                forms += _b64_forms(part)
    for run in _HEX.findall(text):
        run = re.sub(r"[\r\n]", "", run)
        for offset in (0, 1):
            chunk = run[offset:]
            forms.append(bytes.fromhex(chunk[: len(chunk) - len(chunk) % 2]).decode("utf-8", "ignore"))
    return forms
