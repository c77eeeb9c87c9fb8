"""The outbox on a real disk: durable, exact bytes, ordered, tolerant of leftovers."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from helper.intake import Outbox, OutboxError, RecordState
from helper.intake.files import locked_temp_path, remove_stale_temp_files, write_atomic
from tests.intake.records import Sample, sample_record


def test_add_stores_the_exact_bytes_durably(data_dir: Path) -> None:
    outbox = Outbox(data_dir)
    sample = sample_record(language="de")
    path = outbox.add(sample.payload, sample.submission_id, sample.session_id)

    assert path == data_dir / "outbox" / f"{sample.submission_id}.json"
    envelope = json.loads(path.read_text("utf-8"))
    assert envelope["payload"].encode("utf-8") == sample.payload
    assert envelope["payload_sha256"] == hashlib.sha256(sample.payload).hexdigest()
    assert outbox.payload(sample.submission_id) == sample.payload
    [record] = outbox.list()
    assert (record.state, record.language, record.attempts) == (RecordState.PENDING, "de", 0)
    assert [p.name for p in path.parent.iterdir() if p.is_file()] == [path.name]  # no temp left
    if os.name == "posix":
        assert path.stat().st_mode & 0o077 == 0  # personal data: only the user may read it


def test_adding_the_same_record_twice_is_harmless(data_dir: Path) -> None:
    outbox = Outbox(data_dir)
    sample = sample_record()
    first = outbox.add(sample.payload, sample.submission_id, sample.session_id)
    assert outbox.add(sample.payload, sample.submission_id, sample.session_id) == first
    assert len(outbox.list()) == 1


@pytest.mark.parametrize(
    "mutate",
    [
        lambda s: (b"\xff not utf-8", s.submission_id, s.session_id),
        lambda s: (b"[1, 2]", s.submission_id, s.session_id),
        lambda s: (s.payload, "00000000-0000-4000-8000-000000000000", s.session_id),
        lambda s: (s.payload, s.submission_id, "987654321"),
        lambda s: (s.payload, "../evil", s.session_id),
    ],
    ids=["not-utf8", "not-an-object", "other-submission-id", "other-session-id", "path"],
)
def test_add_refuses_what_is_not_this_record(
    data_dir: Path, mutate: Callable[[Sample], tuple[bytes, str, str]]
) -> None:
    with pytest.raises(ValueError):
        Outbox(data_dir).add(*mutate(sample_record()))
    assert not (data_dir / "outbox").exists() or not list((data_dir / "outbox").glob("*.json"))


def test_a_different_record_under_a_used_id_is_refused(data_dir: Path) -> None:
    outbox = Outbox(data_dir)
    sample = sample_record()
    outbox.add(sample.payload, sample.submission_id, sample.session_id)
    changed = sample.payload.replace(b"Praxis", b"Kanzlei")
    with pytest.raises(ValueError):
        outbox.add(changed, sample.submission_id, sample.session_id)
    assert outbox.payload(sample.submission_id) == sample.payload


def test_unwritable_folder_is_an_outbox_error(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    sample = sample_record()
    with pytest.raises(OutboxError) as caught:
        Outbox(blocker).add(sample.payload, sample.submission_id, sample.session_id)
    assert caught.value.message_id == "intake.outbox_unwritable"
    assert str(blocker) in caught.value.message("de")


def test_list_is_oldest_first_and_pending_excludes_rejected(data_dir: Path) -> None:
    outbox = Outbox(data_dir)
    samples = [sample_record() for _ in range(5)]
    for sample in samples:
        outbox.add(sample.payload, sample.submission_id, sample.session_id)
    assert [r.submission_id for r in outbox.list()] == [s.submission_id for s in samples]

    second = outbox.list()[1]
    with outbox.lock(second.submission_id):
        outbox.update(second, state=RecordState.REJECTED, http_status=422, server_message="bad")
    assert [r.submission_id for r in outbox.pending()] == [
        s.submission_id for i, s in enumerate(samples) if i != 1
    ]
    rejected = outbox.get(second.submission_id)
    assert rejected is not None
    assert (rejected.state, rejected.http_status, rejected.server_message) == (
        RecordState.REJECTED,
        422,
        "bad",
    )
    assert outbox.payload(second.submission_id) == samples[1].payload


def test_a_damaged_file_is_reported_never_sent_and_never_deleted(data_dir: Path) -> None:
    outbox = Outbox(data_dir)
    good, bad = sample_record(), sample_record()
    outbox.add(good.payload, good.submission_id, good.session_id)
    path = outbox.add(bad.payload, bad.submission_id, bad.session_id)
    envelope = json.loads(path.read_text("utf-8"))
    envelope["payload"] = envelope["payload"].replace("Praxis", "Kanzlei")
    path.write_text(json.dumps(envelope), "utf-8")
    with pytest.raises(OutboxError) as caught:
        outbox.payload(bad.submission_id)
    assert caught.value.message_id == "intake.outbox_damaged"
    with pytest.raises(KeyError):
        outbox.payload("00000000-0000-4000-8000-000000000000")

    (data_dir / "outbox" / "garbage.json").write_bytes(b"\x00{not json")
    (data_dir / "outbox" / "list.json").write_bytes(b"[1, 2]")
    assert {r.submission_id for r in outbox.list()} == {good.submission_id, bad.submission_id}
    assert (data_dir / "outbox" / "garbage.json").exists()


def test_concurrent_adds_from_threads_all_land(data_dir: Path) -> None:
    outbox = Outbox(data_dir)
    samples = [sample_record() for _ in range(40)]
    threads = [
        threading.Thread(target=outbox.add, args=(s.payload, s.submission_id, s.session_id))
        for s in samples
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.submission_id for r in outbox.list()} == {s.submission_id for s in samples}


def test_atomic_write_keeps_the_old_file_when_writing_fails(data_dir: Path) -> None:
    data_dir.mkdir()
    target = data_dir / "file.json"
    write_atomic(target, b"old")
    with pytest.raises(TypeError):
        write_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in data_dir.iterdir()] == ["file.json"]


def test_a_locked_writer_overwrites_what_a_killed_writer_left(data_dir: Path) -> None:
    data_dir.mkdir()
    target = data_dir / "record.json"
    locked_temp_path(target).write_bytes(b"half written by a killed process")
    write_atomic(target, b"whole", locked=True)
    assert [p.name for p in data_dir.iterdir()] == ["record.json"]
    assert target.read_bytes() == b"whole"


def test_only_old_temp_files_are_swept(data_dir: Path) -> None:
    data_dir.mkdir()
    fresh = data_dir / ".b.json.x2.part"  # perhaps being written right now
    old = data_dir / ".c.json.part"
    for path in (fresh, old):
        path.write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    remove_stale_temp_files(data_dir, 3600)
    assert [p.name for p in data_dir.iterdir()] == [fresh.name]
