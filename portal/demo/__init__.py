"""Demo data for `make demo`: made-up people, real regions as the plugins report them."""
