"""The agency's fan-out benchmark on the real thing: ``python -m bench.fanout.run``."""
