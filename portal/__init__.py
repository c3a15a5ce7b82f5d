"""wmo-portal: the portal through which Wmo providers and municipalities exchange their work.

``create_app`` imports the web stack only when called, so that light command-line commands
(``wmo-portal regions``, ``validate``) start fast.
"""


def create_app(config=None):
    """Build the Flask application; ``config`` overrides settings read from the environment."""
    from portal.app import build_app

    return build_app(config)
