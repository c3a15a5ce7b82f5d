"""iWmo messages through the web: upload (one XML or a ZIP), the verdict, the WMO325 answer to a
declaration, the import of a WMO301's toewijzingen, and the lists per role."""
