"""The sales API: pipelines and their stages, lost reasons, deals and their moves."""

from ninja import Router

from klient.sales.api.deals import router as deals_router
from klient.sales.api.pipelines import router as pipelines_router
from klient.sales.quotes.api import router as quotes_router

router = Router()
router.add_router("", pipelines_router)
router.add_router("", deals_router)
router.add_router("", quotes_router)
