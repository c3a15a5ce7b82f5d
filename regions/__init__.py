"""The region plugins bundled with the portal. Each is registered in pyproject.toml under the
entry-point group ``wmo_portal.regions``; the core never imports them."""
