"""`facteur run` consuming the real RabbitMQ: files published with `facteur
submit`, acknowledged only after their commit, and every flow processed exactly
once when the engine is killed or the broker restarted mid-stream. The broker
that is restarted is a private node of the session's own (conftest.py's
`private_broker`), never the shared one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pika
import pytest
from helpers import REPO
from test_run import assert_exactly_once, flows, wait_for


AMQP_URL = os.environ.get("FACTEUR_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
SENDER = "guest"  # sender_from = "user_id": the broker-validated AMQP user


@pytest.fixture
def installation(tmp_path):
    """A root with its own configuration: unique queue names on the real broker,
    and the AMQP user declared as a sender of the directory."""
    root, config, queue = configured(tmp_path, AMQP_URL)
    yield root, config, queue
    suffix = queue.rsplit(".", 1)[1]
    _delete(queue, f"{queue}.dead", f"facteur.out.{suffix}")


def configured(tmp_path: Path, url: str) -> tuple[Path, Path, str]:
    suffix = uuid.uuid4().hex[:8]
    queue = f"facteur.test.{suffix}"
    config = tmp_path / "config" / "facteur.toml"
    config.parent.mkdir()
    text = (REPO / "config" / "facteur.toml").read_text()
    text = text.replace('[amqp]\nurl = ""', f'[amqp]\nurl = "{url}"').replace('inbound_queue = "facteur.inbound"', f'inbound_queue = "{queue}"')
    text = text.replace('outbound_exchange = "facteur.outbound"', f'outbound_exchange = "facteur.out.{suffix}"')
    config.write_text(text.replace("[amqp]\n", f'[amqp]\ndead_letter_queue = "{queue}.dead"\n', 1))
    directory = (REPO / "config" / "directory.toml").read_text()
    directory += f'\n[[sender]]\nid = "{SENDER}"\nname = "AMQP test user"\nsuppliers = ["*"]\n'
    (config.parent / "directory.toml").write_text(directory)
    return tmp_path, config, queue


def _delete(*names: str) -> None:
    try:
        connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    except pika.exceptions.AMQPError:
        return
    channel = connection.channel()
    for name in names:
        channel.queue_delete(name)
        channel.exchange_delete(name)
    connection.close()


def queue_depth(queue: str, url: str = AMQP_URL) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


def facteur(root: Path, config: Path, *args: str, **popen) -> subprocess.Popen:
    """The command in its own session; `popen` may send its output elsewhere than pipes."""
    env = {**os.environ, "FACTEUR_LOG_LEVEL": "warning"}
    return subprocess.Popen(
        [sys.executable, "-m", "facteur.adapters.cli", *args, "--root", str(root), "--config", str(config)],
        cwd=REPO,
        env=env,
        start_new_session=True,
        **{"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen},
    )


def submit(root: Path, config: Path, files: dict[str, bytes], sender: str | None = None) -> None:
    """`facteur submit --amqp` of these files, in this order (with `--sender`, for
    a broker configured with sender_from = "header")."""
    folder = root / "to-send"
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    named = ["--sender", sender] if sender else []
    process = facteur(root, config, "submit", "--amqp", *named, *(str(folder / name) for name in files))
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()


def reports(root: Path) -> int:
    folder = root / "outbox" / SENDER
    return len(list(folder.glob("*.flux.statut.xml"))) if folder.exists() else 0


def run_until_settled(root: Path, config: Path, count: int) -> None:
    """An engine run until `count` flows are reported, then stopped as a service
    manager stops it, once it can be: when the flows were all settled by an
    earlier run, a stop sent during its start (its imports take a second on a
    slow machine) would end it before it handles the signal."""
    process = facteur(root, config, "run", "--workers", "2")
    try:
        wait_for(lambda: reports(root) >= count and catches_sigterm(process.pid), 180)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()


def catches_sigterm(pid: int) -> bool:
    """Whether the process handles SIGTERM yet (the mask of caught signals in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGTERM - 1) & 1)
    return False


def test_submitted_files_are_processed_and_acknowledged_after_commit(installation):
    root, config, queue = installation
    files = flows(30)
    submit(root, config, files)
    assert queue_depth(queue) == 30
    run_until_settled(root, config, len(files))
    assert_exactly_once(root, files, sender=SENDER)
    assert queue_depth(queue) == 0


def mid_stream(root: Path, config: Path, files: dict[str, bytes]) -> subprocess.Popen:
    """The flows published, an engine started and well into them (a quarter settled)."""
    submit(root, config, files)
    process = facteur(root, config, "run", "--workers", "2")
    wait_for(lambda: reports(root) >= len(files) // 4, 180)
    return process


def test_engine_killed_mid_stream_loses_and_repeats_nothing(installation):
    root, config, queue = installation
    files = flows(250)
    process = mid_stream(root, config, files)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert reports(root) < len(files)
    run_until_settled(root, config, len(files))
    assert_exactly_once(root, files, sender=SENDER)
    assert queue_depth(queue) == 0


def test_broker_restarted_mid_stream_loses_and_repeats_nothing(tmp_path, private_broker):
    root, config, queue = configured(tmp_path, private_broker.url)
    files = flows(250)
    process = mid_stream(root, config, files)
    try:
        private_broker.restart_app(2)
        # The messages whose acknowledgements the restart lost come again after the
        # last report: the engine answers them as repeats, and only then is the queue empty.
        wait_for(lambda: reports(root) >= len(files) and queue_depth(queue, private_broker.url) == 0, 240)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    assert_exactly_once(root, files, sender=SENDER)
    assert queue_depth(queue, private_broker.url) == 0


def served_over_amqp(config: Path, queue: str):
    """VILLEDEM configured to receive over AMQP, with a queue of its own bound
    to the installation's outbound exchange: (connection, channel, its queue)."""
    exchange = next(line.split('"')[1] for line in config.read_text().splitlines() if line.startswith("outbound_exchange"))
    config.write_text(config.read_text().replace("[delivery]", '[delivery]\nVILLEDEM = "amqp"', 1))
    partner_queue = f"{queue}.villedem"
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.exchange_declare(exchange, exchange_type="direct", durable=True)
    channel.queue_declare(partner_queue, durable=True)
    channel.queue_bind(partner_queue, exchange, routing_key="VILLEDEM")
    return connection, channel, partner_queue


def test_partner_configured_for_amqp_receives_its_pivots_on_the_outbound_exchange(installation):
    root, config, queue = installation
    connection, channel, partner_queue = served_over_amqp(config, queue)
    try:
        files = {name: content for name, content in flows(12).items() if b"12345678900017" not in content}
        submit(root, config, files)
        run_until_settled(root, config, len(files))
        received = []
        for _ in range(len(files) + 1):
            method, properties, body = channel.basic_get(partner_queue, auto_ack=True)
            if method is None:
                break
            received.append((properties.headers["facteur-name"], properties.headers["facteur-kind"], body))
    finally:
        channel.queue_delete(partner_queue)
        connection.close()
    assert len(received) == len(files)
    assert all(name.endswith(".pivot.xml") and kind == "pivot" and body.startswith(b"<?xml") for name, kind, body in received)
    assert not (root / "outbox" / "VILLEDEM").exists() or not list((root / "outbox" / "VILLEDEM").iterdir())
    assert reports(root) == len(files)  # the sender still gets its reports in its folder
