"""`python -m tianbao` (on Windows `py -m tianbao`): the `tianbao` command, where its script is not on PATH
(tianbao.cli.entry, as the script: Ctrl+C at any moment ends it with “已中断。”)."""

from tianbao.cli.entry import main

main()
