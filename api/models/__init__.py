"""The storefront's HTTP request and response models (camelCase on the wire)."""
