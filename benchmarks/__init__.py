"""Benchmarks of stripe_identity: programs that print tables and write JSON, never timed tests.

Run ``python -m benchmarks --help``; results and method are in benchmarks/README.md.
"""
