"""``python -m carnet`` runs the command line."""

from carnet.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
