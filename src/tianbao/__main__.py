"""`python -m tianbao` (on Windows `py -m tianbao`): the `tianbao` command, where its script is not on PATH."""

from tianbao.cli.main import main

main()
