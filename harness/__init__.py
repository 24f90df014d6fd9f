"""Drivers of a running stack, shared by the tests and the benches (and by nothing the product
runs): isolated stream workers, bulk accounts and shoppers, an in-process storefront, and an
order-flow driver that writes rows the way checkout does."""
