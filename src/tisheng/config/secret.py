"""The secret key when none is given in the environment (issue 8 item 5).

No public development key is ever used: the first start writes a random key to a file under the var
directory, readable by its owner only, and every later start (and every other process: the task
worker, a second gunicorn worker) reads the same file. A production install sets TISHENG_SECRET_KEY.
Plain Python: settings.py imports this before Django is set up.
"""

import os
import secrets
import stat
from pathlib import Path


class SecretKeyFileError(RuntimeError):
    pass


def _read(path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretKeyFileError(f"{path} may be read by others; run: chmod 600 {path}")
    key = path.read_text().strip()
    if len(key) < 50:
        raise SecretKeyFileError(f"{path} holds no usable key (fewer than 50 characters)")
    return key


def load_or_create(path: Path) -> str:
    """Read the key at `path`, creating it (mode 0600) with a random key if there is none.

    Two processes starting at once both write a temporary file and link it into place; the link is
    atomic and fails for the second, which then reads the first one's key.
    """
    if path.exists():
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(64) + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return _read(path)
