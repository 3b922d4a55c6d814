// Command sala-bench is Sala's load generator. It speaks Sala's protocol over
// real WebSockets against a server on this machine:
//
//	sala-bench users  -addr A -users U           sign up a pool of users (cached)
//	sala-bench run    -addr A -conns N -rooms R -rate M ...   one scenario
//	sala-bench report -results FILE ...          the targets table, docs, chart
//
// run signs up (or reuses) a pool of users, opens N connections spread over R
// rooms (created with #cR and joined with #gR), publishes M messages/s with
// the send time in each text, and prints one JSON line and a table:
// connections, connect rate and p50/p99 (upgrade → joined), deliveries
// expected/received (loss: not delivered -drain after publishing stopped),
// deliveries/s, latency p50/p90/p99/max, send→ack p50/p99, and the server's
// RSS and CPU from /proc/<pid>. With -search it steps the rate up to find the
// highest deliveries/s that keeps p99 within -max-p99 and loses nothing.
//
// It is bounded in connections and time and refuses non-loopback targets: it
// is a tool for measuring this machine, not for loading anyone else's.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `sala-bench: Sala's load generator (loopback only).

Usage:
  sala-bench users  [flags]   sign up the pool of users and cache their tokens
  sala-bench run    [flags]   run one scenario and report it (sala-bench run -h)
  sala-bench report [flags]   print the targets table from result files, update docs
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "users":
		err = usersCommand(ctx, args[1:], stdout, stderr)
	case "run":
		err = runCommand(ctx, args[1:], stdout, stderr)
	case "report":
		err = reportCommand(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "sala-bench: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "sala-bench:", err)
		return 1
	}
	return 0
}

// raiseFileLimit raises the soft limit of open files to the hard one and
// returns it: every connection is a file, and the scenarios are sized to
// stay below it.
func raiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("read RLIMIT_NOFILE: %w", err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, fmt.Errorf("raise RLIMIT_NOFILE to %d: %w", lim.Max, err)
		}
	}
	return lim.Cur, nil
}
