"""Long lists shown a page at a time: which page, read from the request's ``pagina`` argument.

The pages' links come from ``templates/macros/pagination.html``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request


@dataclass(frozen=True)
class Page:
    """Which page of a long list is shown: its number (from 1), the number of pages, the rows."""

    number: int
    pages: int
    total: int
    per_page: int

    @classmethod
    def of(cls, total: int, per_page: int) -> Page:
        """The page the request asks for; a number beyond the last gives the last, nonsense the
        first (a link from an older, longer list still lands somewhere)."""
        pages = max(1, -(-total // per_page))
        try:
            asked = int(request.args.get("pagina", "1"))
        except ValueError:
            asked = 1
        return cls(min(max(1, asked), pages), pages, total, per_page)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    def rows(self, items: list) -> list:
        """This page's part of a list already in memory."""
        return items[self.offset:self.offset + self.per_page]
