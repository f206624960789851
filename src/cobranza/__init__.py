"""Cobranza: collections of employers' unpaid social-security contributions."""
