"""Stage 4: the command line (typer). One module per command; shared options in `common`."""
