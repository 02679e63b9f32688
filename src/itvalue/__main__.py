"""``python -m itvalue``: the command line."""

from itvalue.cli import main

if __name__ == "__main__":
    main()
