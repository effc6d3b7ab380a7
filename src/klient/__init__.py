"""Klient: an open-source CRM and customer-experience management system."""

__version__ = "0.1.0"
