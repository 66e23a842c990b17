"""A docs page's title and main text from its HTML, with the standard library's parser: the <title> (else the
first <h1>), and the text of <main> or <article> when the page has one, else of the whole body, leaving out
scripts, styles, navigation, headers, footers and forms. Pages are untrusted: the result is plain text."""

from __future__ import annotations

from html.parser import HTMLParser

from channels import clean

TEXT_LENGTH = 5000
_SKIP = {"script", "style", "nav", "noscript", "template", "header", "footer", "form", "svg", "button", "select"}
_MAIN = {"main", "article"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr", "section", "dd", "dt", "td"}
# A page nested deeper than this is read as flat text rather than costing the stack.
_MAX_PARTS = 20_000


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.h1: list[str] = []
        self.body: list[str] = []
        self.main: list[str] = []
        self._in_title = False
        self._h1_done = False
        self._in_h1 = False
        self._skip_depth = 0
        self._main_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        if tag in _SKIP:
            self._skip_depth += 1
        elif tag in _MAIN:
            self._main_depth += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "h1" and not self._h1_done:
            self._in_h1 = True
        if tag in _BLOCK:
            self._add("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _MAIN:
            self._main_depth = max(0, self._main_depth - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "h1" and self._in_h1:
            self._in_h1, self._h1_done = False, True
        if tag in _BLOCK:
            self._add("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
            return
        if self._skip_depth:
            return
        if self._in_h1:
            self.h1.append(data)
        self._add(data.replace("\r", " ").replace("\n", " "))  # lines come from blocks only, not the source

    def _add(self, data: str) -> None:
        if len(self.body) < _MAX_PARTS:
            self.body.append(data)
            if self._main_depth:
                self.main.append(data)


def page_read(html: str) -> tuple[str, str]:
    """(title, main text) of a page: at most 300 and TEXT_LENGTH characters; the text has a line per block."""
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    title = clean.line("".join(reader.title), max_length=300) or clean.line("".join(reader.h1), max_length=300)
    main = _lines("".join(reader.main))
    return title, main if len(main) >= 200 else _lines("".join(reader.body))


def _lines(text: str) -> str:
    """The text's blocks one per line (where a snippet may start), spaces collapsed, at most TEXT_LENGTH."""
    lines = (
        clean.line(line, max_length=TEXT_LENGTH) for line in clean.text(text, max_length=TEXT_LENGTH * 4).splitlines()
    )
    return "\n".join(line for line in lines if line)[:TEXT_LENGTH]
