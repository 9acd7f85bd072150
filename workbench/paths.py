"""Where the workbench is mounted (tally.app) and the names of the pages others link to."""

PREFIX = "/workbench"
