"""Retrieval-quality evaluation on public benchmarks (LeCaRD): loaders, metrics, protocols and reports."""
