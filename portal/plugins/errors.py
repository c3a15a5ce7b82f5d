"""Errors a region plugin raises when it cannot serve its region."""


class RegionLoadError(Exception):
    """A region's data did not load. The message names the region and the file, in Dutch and English.

    Start-up stops with this message: a portal with a half-loaded catalogue would price or refuse
    declarations wrongly.
    """

    def __init__(self, region: str, path: str, problem: str):
        self.region = region
        self.path = path
        self.problem = problem
        super().__init__(
            f"Regio '{region}' kon niet worden geladen uit {path}: {problem} "
            f"/ Region '{region}' failed to load from {path}."
        )
