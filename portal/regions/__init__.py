"""The regions as the plugins report them: catalogue pages, the `regions` command, and the
accessor to the app's registry. Importing this package does not import Flask."""


def registry():
    """The app's region registry (portal.plugins.manager.RegionRegistry), built at start-up."""
    from flask import current_app

    return current_app.extensions["wmo_regions"]
