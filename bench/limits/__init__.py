"""The bare limits each benchmark figure is compared with: the same work without the product."""
