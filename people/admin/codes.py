"""Discount batches and codes, gifts and contributions in admin."""
