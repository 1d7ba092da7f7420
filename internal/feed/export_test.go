package feed

// BigFeed exposes the 5,000-item benchmark feed to the external test
// package (ingest_bench_test.go), which needs the store and so cannot live
// in package feed.
var BigFeed = bigFeed

// ProcessCPU exposes processCPU to the external test package.
var ProcessCPU = processCPU
