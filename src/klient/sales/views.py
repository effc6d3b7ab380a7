"""Pages of sales. The board, the deal pages, the list and the pipeline settings live in
their own modules (board_views, move_views, deal_views, deal_form_views, list_views,
settings_views); the names the platform links to are kept here."""

from __future__ import annotations

from klient.sales.board_views import board
from klient.sales.deal_views import deal_detail
from klient.sales.report_views import funnel

__all__ = ["board", "deal_detail", "funnel"]
