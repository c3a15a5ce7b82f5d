"""The three roles. A user's role decides which pages it may open (portal.auth.policy)."""

AANBIEDER = "aanbieder"
GEMEENTE = "gemeente"
BEHEER = "beheer"

ROLES: dict[str, str] = {
    AANBIEDER: "Aanbieder",
    GEMEENTE: "Gemeente",
    BEHEER: "Beheer",
}

# The organisation kind a role belongs to; beheer belongs to none.
ORGANISATION_KIND_OF_ROLE: dict[str, str | None] = {
    AANBIEDER: "aanbieder",
    GEMEENTE: "gemeente",
    BEHEER: None,
}
