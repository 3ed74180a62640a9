"""The `tianbao` executable. Ctrl+C at any moment — also while Python is still importing the command, before
any command can catch it — ends the run with “已中断。” and exit code 130, never a traceback. Nothing is
imported here before the guard is in place."""

import sys

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command ended by Ctrl+C


def main() -> None:
    try:
        from tianbao.cli.main import main as run

        run()
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        sys.exit(EXIT_INTERRUPTED)
