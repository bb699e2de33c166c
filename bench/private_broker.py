"""A RabbitMQ node of its own, for the tests and chaos runs that need a broker
to go away: stopping the machine's shared broker would be an outage for every
other user of it, so these start a private node on free ports, stop and start
its application, and remove it at the end.

    with PrivateBroker() as broker:
        broker.url            # amqp://guest:guest@127.0.0.1:<port>/%2F
        broker.restart_app(2) # stop_app, 2 s away, start_app

The node runs from the installed RabbitMQ scripts with everything of its own in
a temporary folder (node name, AMQP and distribution ports, Mnesia, logs,
configuration, Erlang cookie); the guest user connects over the loopback, as
RabbitMQ allows by default.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

SCRIPTS = Path(os.environ.get("FACTEUR_RABBITMQ_SCRIPTS", "/usr/lib/rabbitmq/bin"))
START_TIMEOUT = 120.0


class BrokerUnavailable(RuntimeError):
    """A private node could not be started here; the message says why and what to do."""


def _ephemeral_floor() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A port free now, for a server that will listen on it seconds later.

    A port the kernel hands out for `bind(0)` lies in the ephemeral range, where
    any outgoing connection of the machine may take it before the slow server
    binds it (a private RabbitMQ failed on `eaddrinuse` so in CI). Below that
    range only another listener can take it."""
    floor = _ephemeral_floor()
    chooser = random.Random()
    for _ in range(200):
        port = chooser.randrange(max(1024, floor - 12000), floor)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accepts_amqp(port: int) -> bool:
    import pika

    try:
        pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port, connection_attempts=1,
                                                          socket_timeout=2, blocked_connection_timeout=2)).close()
        return True
    except pika.exceptions.AMQPError:
        return False


def _script(name: str) -> str:
    path = SCRIPTS / name
    if not path.is_file():
        raise BrokerUnavailable(f"RabbitMQ n'est pas installé ici : {path} est absent "
                                "(installer rabbitmq-server, ou FACTEUR_RABBITMQ_SCRIPTS=<dossier de ses scripts>)")
    return str(path)


class PrivateBroker:
    """One private RabbitMQ node; `seconds_to_start` says how long it took."""

    def __init__(self):
        self.server, self.rabbitmqctl = _script("rabbitmq-server"), _script("rabbitmqctl")
        self.node = f"facteur-test-{uuid.uuid4().hex[:10]}@localhost"
        self.process: subprocess.Popen | None = None
        self.seconds_to_start = 0.0
        self._place()

    def _place(self) -> None:
        """Free ports, and a folder of its own, for the next start."""
        self.port, self.dist_port = free_port(), free_port()
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"
        self.folder = Path(tempfile.mkdtemp(prefix="facteur-rabbit-"))

    def _environment(self) -> dict[str, str]:
        config = self.folder / "rabbitmq.conf"
        config.write_text(f"listeners.tcp.1 = 127.0.0.1:{self.port}\nloopback_users.guest = true\n"
                          "log.console = false\nlog.file.level = warning\n")
        (self.folder / "enabled_plugins").write_text("[].\n")
        (self.folder / "rabbitmq-env.conf").write_text("")
        return {
            **os.environ,
            "HOME": str(self.folder),  # the Erlang cookie of this node and of its rabbitmqctl
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONF_ENV_FILE": str(self.folder / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(config),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.folder / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "RABBITMQ_PID_FILE": str(self.folder / "node.pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    def start(self, attempts: int = 3) -> "PrivateBroker":
        """Starts the node; a port another listener took in the meantime means new ports and another try."""
        for attempt in range(1, attempts + 1):
            try:
                return self._start_once()
            except BrokerUnavailable as err:
                if "eaddrinuse" not in str(err) or attempt == attempts:
                    raise
                self._place()  # the failed start removed its folder

    def _start_once(self) -> "PrivateBroker":
        env = self._environment()
        started = time.monotonic()
        with open(self.folder / "server.out", "wb") as out:
            self.process = subprocess.Popen([self.server], env=env, cwd=self.folder, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        while not _accepts_amqp(self.port):
            if self.process.poll() is not None or time.monotonic() - started > START_TIMEOUT:
                said = self._tail()
                self.close()
                raise BrokerUnavailable(f"le nœud RabbitMQ privé {self.node} (port {self.port}) n'a pas démarré "
                                        f"en {START_TIMEOUT:.0f} s ; sa sortie : {said}")
            time.sleep(0.2)
        self.seconds_to_start = time.monotonic() - started
        return self

    def _tail(self) -> str:
        out = self.folder / "server.out"
        return out.read_text(errors="replace")[-1500:] if out.exists() else "(aucune)"

    def ctl(self, *args: str) -> None:
        done = subprocess.run([self.rabbitmqctl, "-n", self.node, *args], env=self._ctl_env(),
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise BrokerUnavailable(f"rabbitmqctl -n {self.node} {' '.join(args)} a échoué ({done.returncode}) : "
                                    f"{(done.stderr or done.stdout).strip()[-800:]}")

    def _ctl_env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.folder), "RABBITMQ_CONF_ENV_FILE": str(self.folder / "rabbitmq-env.conf"),
                "ERL_EPMD_ADDRESS": "127.0.0.1"}

    def restart_app(self, away: float) -> None:
        """The broker goes away for `away` seconds (its connections are closed), then comes back."""
        self.ctl("stop_app")
        time.sleep(away)
        self.ctl("start_app")

    def close(self) -> None:
        if self.process and self.process.poll() is None:
            try:
                self.ctl("shutdown")
            except (BrokerUnavailable, subprocess.TimeoutExpired):
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "PrivateBroker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
