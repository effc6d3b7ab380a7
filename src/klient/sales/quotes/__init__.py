"""The catalogue and quotes (commercial proposals) of sales: services, the PDF, pages,
the public decision page and the API. The models are in `klient.sales.quote_models`."""
