"""The deployment files of deploy/, rendered for a test: their placeholders replaced by paths
and ports of this machine. Every placeholder must be found, so a file and its tests cannot drift
apart. Used by tests/ops/test_deploy.py and bench/multi_host.py."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import lms

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
STATIC = Path(lms.__file__).resolve().parent / "static"
SITE_STATIC = "/srv/lms/venv/lib/python3.11/site-packages/lms/static/"
SNIPPET = "/etc/nginx/snippets/lms-locations.conf"


def replace_all(text: str, pairs: dict[str, str], name: str) -> str:
    for old, new in pairs.items():
        if old not in text:
            raise AssertionError(f"{name}: placeholder {old!r} not found")
        text = text.replace(old, new)
    return text


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def main_conf(folder: Path, http_body: str) -> Path:
    """An nginx.conf of our own (pid, logs and temp files in folder), run with `-p folder`."""
    # as root, nginx's workers run as `user`: the owner of the static files, who can read them
    # wherever the checkout lives (a CI clone under /root would be closed to www-data)
    user = f"user {pwd.getpwuid(STATIC.stat().st_uid).pw_name};\n" if os.geteuid() == 0 else ""
    for sub in ("logs", "tmp"):
        (folder / sub).mkdir(exist_ok=True)
        os.chmod(folder / sub, 0o777)
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;
    log_format lms '$request_method $uri $status upstream=$upstream_addr ustatus=$upstream_status';
    access_log {folder}/logs/access.log lms;
{http_body}
}}
"""
    )
    return conf


def snippet(folder: Path, static: Path = STATIC) -> Path:
    text = (DEPLOY / "nginx" / "lms-locations.conf").read_text()
    path = folder / "lms-locations.conf"
    path.write_text(replace_all(text, {SITE_STATIC: f"{static}/"}, "lms-locations.conf"))
    return path


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def site(folder: Path) -> Path:
    """deploy/nginx/lms.conf as it would be installed, pointing at files in folder."""
    cert, key = self_signed(folder)
    text = replace_all(
        (DEPLOY / "nginx" / "lms.conf").read_text(),
        {
            "/etc/ssl/lms/fullchain.pem": str(cert),
            "/etc/ssl/lms/privkey.pem": str(key),
            SNIPPET: str(snippet(folder)),
            "/var/log/nginx/": f"{folder}/logs/",
        },
        "lms.conf",
    )
    path = folder / "lms.conf"
    path.write_text(text)
    return path


def proxy_site(folder: Path, port: int, upstreams: list[str]) -> Path:
    """A plain-HTTP loopback server with the real snippet and an upstream of the given hosts
    (the upstream parameters of deploy/nginx/lms.conf), for bench/multi_host.py."""
    site_text = (DEPLOY / "nginx" / "lms.conf").read_text()
    params = next(line for line in site_text.splitlines() if line.strip().startswith("server 127.0.0.1:8000"))
    params = params.strip().removeprefix("server 127.0.0.1:8000").strip()
    servers = "\n".join(f"        server {host} {params}" for host in upstreams)
    return main_conf(
        folder,
        f"""    upstream lms_app {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        include {snippet(folder)};
    }}""",
    )


if __name__ == "__main__":  # print the rendered test site, for a person
    folder = Path(sys.argv[1])
    print(main_conf(folder, f"    include {site(folder)};"))
