"""Text for notebook outputs: lines wrapped at word boundaries before the front end wraps them.

JupyterLab breaks a long plain-text line anywhere, even mid-word ("tor|ch.softmax"), at its default
width. Wrapping at 80 columns first keeps every word whole. Bottom floor: the standard library only.
"""

from __future__ import annotations

import re
import textwrap

WIDTH = 80
_LEAD = re.compile(r"^(\s*(?:\[[A-Z ]+\] |[\w ]{1,12}: |- )?)")


def wrap_lines(text: str, width: int = WIDTH) -> str:
    """Each line of `text` wrapped at word boundaries to `width` columns; continuation lines are
    indented under the line's text (after a leading "[NOT YET] ", "  hint 1: " or "- ")."""
    wrapped = []
    for line in text.splitlines() or [""]:
        if len(line) <= width:
            wrapped.append(line)
            continue
        lead = _LEAD.match(line).group(1)
        indent = " " * min(len(lead), width // 3)
        wrapped.append(
            textwrap.fill(
                line,
                width=width,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(wrapped)
