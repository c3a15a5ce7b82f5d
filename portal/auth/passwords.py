"""Password hashing with scrypt (Werkzeug's implementation: a slow, memory-hard hash, no extra
dependency). Checking an unknown e-mail address costs the same as a known one, so the time a
login takes tells nothing about which accounts exist."""

from werkzeug.security import check_password_hash, generate_password_hash

HASH_METHOD = "scrypt"
MIN_LENGTH = 10

# Hashed once; verified against when the e-mail address is unknown.
_DUMMY_HASH = generate_password_hash("geen-account-met-dit-adres", method=HASH_METHOD)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)


def password_problem(password: str) -> str | None:
    """Dutch message when a new password is too weak, else None."""
    if len(password) < MIN_LENGTH:
        return f"Kies een wachtwoord van minstens {MIN_LENGTH} tekens."
    if password.strip() != password:
        return "Een wachtwoord mag niet beginnen of eindigen met een spatie."
    return None
