"""medallion 3.0.0, the OASIS TAXII 2.1 reference server, with its memory backend, for bench.serve.

`write_config` loads it with exactly the objects Liaison serves one partner in one collection,
each with the `date_added` Liaison gave it; `python -m bench.serve_medallion CONFIG PORT` serves
it with werkzeug's WSGI server (threaded: werkzeug speaks HTTP/1.1 with keep-alive only then) on
loopback, in its own process, until terminated.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

API_ROOT = "bench"
USER = "bench"
PASSWORD = "bench-password"  # a loopback server that lives for one benchmark
TAXII_MEDIA = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"


def write_config(
    directory: Path,
    port: int,
    collection: Mapping[str, Any],
    objects: Sequence[tuple[Mapping[str, Any], str]],
    page_size: int,
) -> Path:
    """The data file (discovery, one API root, one collection with its objects and manifest)
    and the configuration naming it; returns the configuration's path."""
    root = f"http://127.0.0.1:{port}/{API_ROOT}/"
    manifest = [
        {
            "id": obj["id"],
            "date_added": added,
            "version": obj.get("modified") or obj.get("created"),
            "media_type": STIX_MEDIA,
        }
        for obj, added in objects
    ]
    data = {
        "/discovery": {
            "title": "medallion (bench)",
            "description": "The same objects as Liaison serves one partner",
            "default": root,
            "api_roots": [root],
        },
        API_ROOT: {
            "information": {
                "title": "bench",
                "description": "One collection",
                "versions": [TAXII_MEDIA],
                "max_content_length": 10 * 1024 * 1024,
            },
            "status": [],
            "collections": [
                {
                    "id": collection["id"],
                    "title": collection["title"],
                    "description": collection.get("description", ""),
                    "can_read": True,
                    "can_write": False,
                    "media_types": [STIX_MEDIA],
                    "objects": [dict(obj) for obj, _ in objects],
                    "manifest": manifest,
                }
            ],
        },
    }
    data_path = directory / "medallion-data.json"
    data_path.write_text(json.dumps(data), "utf-8")
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(data_path),
        },
        "users": {USER: PASSWORD},
        "taxii": {"max_page_size": page_size},
    }
    config_path = directory / "medallion-config.json"
    config_path.write_text(json.dumps(config), "utf-8")
    return config_path


def collection_url(base: str, collection_id: str) -> str:
    return f"{base}/{API_ROOT}/collections/{collection_id}/objects/"


def serve(config: str, port: int) -> None:
    from medallion import load_app  # noqa: PLC0415 - only the server process needs it
    from werkzeug.serving import make_server  # noqa: PLC0415

    # No line per request on stderr (uvicorn runs with its access log off, too).
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = load_app(config)
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
