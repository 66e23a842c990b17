"""The desk's own templates read without their indentation.

Templates are indented for the people who read them; a browser never needs it. On the ticket page the indentation was
2.1 of its 34.6 KB (issue 73: the page's HTML at most 30 KB). The desk's templates hold no literal text whose leading
spaces show (no <pre>, no multi-line <textarea> content; what mention text shows as written comes from variables, which
this never touches), so blank lines and each line's leading spaces and tabs are dropped when the template is read,
once per process (the cached loader keeps the compiled template). Only the project's `templates/` folder:
third-party templates (the admin's, the REST framework's browsable API, which has literal <pre> lines) are read as
they are.
"""

from __future__ import annotations

import re

from django.template import Origin
from django.template.loaders.filesystem import Loader as FilesystemLoader

INDENTATION = re.compile(r"\n\s+")  # a line's leading blanks, and the blank lines after it


def indentation_stripped(source: str) -> str:
    """`source` without blank lines and with every line's leading spaces and tabs removed (one newline stays, so
    words never join)."""
    return INDENTATION.sub("\n", source)


class Loader(FilesystemLoader):
    """The filesystem loader (TEMPLATES' DIRS), each template read without its indentation."""

    def get_contents(self, origin: Origin) -> str:
        return indentation_stripped(super().get_contents(origin))
