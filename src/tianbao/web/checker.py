"""The background checker: a thread that checks what has been received (tianbao.web.intake.check_pending)
whenever it is told that files arrived, and once at start for what a previous run of the server left
unchecked. Files that arrive while it checks are checked together in its next round."""

from __future__ import annotations

import logging
import threading

from tianbao.web.intake import check_pending, pending_seasons
from tianbao.web.workspace import Workspace

log = logging.getLogger("tianbao.web")


class Checker:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tianbao-checker", daemon=True)
            self._thread.start()
            self._wake.set()  # what an earlier run left unchecked

    def notify(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                for season in pending_seasons(self.ws):
                    check_pending(self.ws, season)
            except Exception:  # a bug must not stop the checking of later files; the page shows 检查中
                log.exception("检查收到的文件时出错")
