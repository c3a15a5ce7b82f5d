"""The XSDs the portal validates against, compiled once per process and per message type.

The setting IWMO_XSD_DIR (environment variable) names the schema directory; by default it is the
project's own ``xsd/`` directory. An operator may point it at another bundle, for example the
official schemas from the standard's publisher. The directory holds ``basisschema.xsd`` and one
``WMOnnn.xsd`` per message, which imports the basisschema by its file name.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from lxml import etree

import portal
from portal.iwmo.safe_xml import PARSER_OPTIONS

DEFAULT_XSD_DIR = Path(portal.__file__).resolve().parent.parent / "xsd"

_lock = threading.Lock()
_compiled: dict[tuple[str, str], etree.XMLSchema] = {}


class SchemaUnavailable(Exception):
    """The schema for a message is missing or does not compile; the message (Dutch) says which."""


def xsd_dir() -> Path:
    return Path(os.environ.get("IWMO_XSD_DIR") or DEFAULT_XSD_DIR)


def schema_path(message: str) -> Path:
    return xsd_dir() / f"{message}.xsd"


def schema_for(message: str) -> etree.XMLSchema:
    """The compiled schema for ``message`` (e.g. "WMO323"); raise SchemaUnavailable if it fails."""
    path = schema_path(message)
    key = (str(path.parent), message)
    with _lock:
        schema = _compiled.get(key)
        if schema is None:
            schema = _compiled[key] = _compile(path, message)
    return schema


def _compile(path: Path, message: str) -> etree.XMLSchema:
    if not path.is_file():
        raise SchemaUnavailable(
            f"Het schema {path.name} voor {message} ontbreekt in {path.parent} (instelling "
            "IWMO_XSD_DIR); de portal kan dit bericht nu niet controleren.")
    try:
        document = etree.parse(str(path), etree.XMLParser(**PARSER_OPTIONS))
        return etree.XMLSchema(document)
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError, OSError) as error:
        raise SchemaUnavailable(
            f"Het schema {path.name} in {path.parent} kan niet worden geladen ({error}); de portal "
            f"kan {message} nu niet controleren.") from None
