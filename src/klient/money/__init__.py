"""Money: Decimal amounts with an ISO 4217 currency, locale formatting, exchange rates, VAT."""
