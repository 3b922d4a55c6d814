package main

import (
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// envPprofAddr names an opt-in listener for Go's profiler, for measuring
// the server under load (docs/performance.md). Unset, nothing listens. It is
// read here rather than in config because it is a developer's tool, not a
// setting: it accepts only loopback addresses and is never on the API port.
const envPprofAddr = "SALA_PPROF_ADDR"

// startPprof serves /debug/pprof/ on SALA_PPROF_ADDR when it is set to a
// loopback address.
func (m *Main) startPprof() {
	addr := os.Getenv(envPprofAddr)
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		m.Log.Warn("ignoring "+envPprofAddr+": it must be a loopback ip:port", "addr", addr)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		m.Log.Warn("pprof listener", "err", err)
		return
	}
	m.Log.Info("pprof is serving", "addr", ln.Addr().String())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }() // lives as long as the process
}
