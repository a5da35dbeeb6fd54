#!/usr/bin/env python3
from zbut.cli import main

if __name__ == "__main__":
    main()
