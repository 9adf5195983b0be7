"""Artifacts from Python against a real manager: `s.artifact()` uploads, the output dir is kept, both download."""
from __future__ import annotations

import hashlib
import os

import pytest

import swarmlab
from swarmlab.errors import NotFoundError

JOB = """
import json, os, tempfile, swarmlab
with swarmlab.session() as s:
    with open(os.path.join(s.info.output_dir, "out.txt"), "w") as f:
        f.write("left in the output dir\\n")
    src = os.path.join(tempfile.mkdtemp(), "metrics.json")
    with open(src, "wb") as f:
        f.write(b'{"loss": 0.25}' + b" " * 300000)
    a = s.artifact(src, "uploaded/metrics.json")
    print("UPLOADED " + json.dumps(a))
"""


@pytest.mark.parametrize("manager", ["lmdb", "redis"], indirect=True)
def test_uploads_and_output_dir_round_trip_and_go_with_the_session(manager, tmp_path):
    rec = manager.run_session(JOB)
    assert rec["state"] == "succeeded", rec["output"]
    sid = rec["id"]
    c = manager.client
    listed = swarmlab.list_artifacts(sid, client=c)
    by_path = {a["path"]: a for a in listed["artifacts"]}
    assert sorted(by_path) == ["out.txt", "uploaded/metrics.json"]
    assert by_path["out.txt"]["source"] == "output"
    up = by_path["uploaded/metrics.json"]
    assert (up["source"], up["size"], up["contentType"]) == ("upload", 300014, "application/json")

    dest = tmp_path / "metrics.json"
    assert swarmlab.download_artifact(sid, "uploaded/metrics.json", dest, client=c) == 300014
    body = dest.read_bytes()
    assert body.startswith(b'{"loss": 0.25}') and hashlib.sha256(body).hexdigest() == up["digest"]
    assert swarmlab.download_artifact(sid, "out.txt", tmp_path / "out.txt", client=c) == 23

    extra = tmp_path / "notes.txt"
    extra.write_text("from outside the job")
    stored = swarmlab.upload_artifact(sid, extra, client=c)
    assert (stored["path"], stored["size"]) == ("notes.txt", os.path.getsize(extra))

    deleted = c.json("DELETE", f"/api/v1/sessions/{sid}")
    assert deleted["id"] == sid and deleted["freedBlobs"] == 3
    with pytest.raises(NotFoundError):
        swarmlab.list_artifacts(sid, client=c)
