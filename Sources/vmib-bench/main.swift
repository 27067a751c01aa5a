// Benchmarks' Swift side (issue: benchmarks): drives the transfer layer and the store
// directly for scripts/bench-*. Each prints figures; none is a test.
print("vmib-bench: no benchmark selected")
