"""The quote pages, mounted by the sales URLconf under /deals/ in its namespace `sales`:
`path("", include("klient.sales.quotes.urls"))` (no namespace of their own)."""

from django.urls import path

from klient.sales.quotes import catalogue_views, public_views, views

urlpatterns = [
    path("<int:deal_id>/quotes/new/", views.quote_create, name="quote_create"),
    path("quotes/<int:quote_id>/", views.quote_detail, name="quote_detail"),
    path("quotes/<int:quote_id>/edit/", views.quote_edit, name="quote_edit"),
    path("quotes/<int:quote_id>/pdf/", views.quote_pdf, name="quote_pdf"),
    path("quotes/<int:quote_id>/send/", views.quote_send, name="quote_send"),
    path("quotes/<int:quote_id>/decide/", views.quote_decide, name="quote_decide"),
    path("quotes/<int:quote_id>/version/", views.quote_version, name="quote_version"),
    path("quotes/<int:quote_id>/delete/", views.quote_delete, name="quote_delete"),
    path("quotes/company/", catalogue_views.company_profile_page, name="company_profile"),
    path("quotes/company/logo/", catalogue_views.company_logo, name="company_logo"),
    path("products/", catalogue_views.product_index, name="product_list"),
    path("products/new/", catalogue_views.product_create, name="product_create"),
    path("products/<int:product_id>/", catalogue_views.product_edit, name="product_edit"),
    path(
        "products/<int:product_id>/archive/",
        catalogue_views.product_archive,
        name="product_archive",
    ),
    # Opened by clients from the email, without an account.
    path("q/<str:token>/", public_views.quote_public, name="quote_public"),
    path("q/<str:token>/pdf/", public_views.quote_public_pdf, name="quote_public_pdf"),
]
