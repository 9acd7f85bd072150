"""On-demand benchmarks (`make bench`); pytest does not collect this folder."""
