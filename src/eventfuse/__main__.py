"""``python -m eventfuse``: the same command as the ``eventfuse`` script."""

from eventfuse.cli import main

if __name__ == "__main__":
    main(prog_name="eventfuse")
