// Package memtune fits the Go runtime's memory management to a chat server,
// whose heap is small most of the time and whose connections come in surges.
//
//   - Headroom: Go collects garbage whenever the heap doubles (GOGC=100). A
//     small server's live heap is a dozen MiB, so under chat traffic it
//     collected every second or two, and each mark took a quarter of the
//     core while it ran, a tail of latency for every message in flight.
//     Headroom lets the heap grow at least Floor (64 MiB) past the live heap
//     before a collection; large heaps keep the default.
//   - Trimmer: thousands of clients connecting at once (a restart, a network
//     coming back) leave the heap full of the garbage of their upgrades and
//     first queries, and the runtime keeps the pages it sits on up to its heap
//     goal. An idle server collects only every two minutes and then hands
//     pages back slowly, so its resident memory stayed at the surge's peak:
//     19,500 idle connections held 15.3 kB each instead of 9.9
//     (docs/benchmarks.md). Once a surge is over, the Trimmer runs one
//     collection and returns every free page.
//
// Run drives both on one goroutine.
package memtune
