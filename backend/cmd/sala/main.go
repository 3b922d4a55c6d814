// Command sala is the Sala chat server and its tools:
//
//	sala serve     run the server (REST API, WebSocket, web app)
//	sala migrate   bring the database schema up to date and exit
//	sala chat      the terminal client
//	sala user      list accounts, reset a password, delete an account
//	sala backup    copy the SQLite database and the JWT secret, while serving
//
// Settings come from SALA_* environment variables, a .env file, and flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/joho/godotenv"

	"github.com/salachat/sala/backend/internal/config"
	"github.com/salachat/sala/backend/internal/store"
)

const usage = `Sala: self-hosted real-time chat.

Usage:
  sala serve [flags]     run the server (sala serve -h lists the flags)
  sala migrate [flags]   apply database migrations and exit
  sala chat [flags]      chat in the terminal (sala chat -h)
  sala user COMMAND      list, reset-password, delete accounts (sala user -h)
  sala backup DIR        copy the SQLite database and JWT secret into DIR (sala backup -h)
  sala healthcheck       exit 0 when the local server answers /healthz
  sala help              this text

Every flag is also a SALA_* environment variable; a .env file in the working
directory is read if present.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// .env fills in variables the environment lacks; its absence is normal.
	if err := godotenv.Load(); err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintln(os.Stderr, "sala: read .env:", err)
		os.Exit(2)
	}
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run executes one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], getenv, stderr)
	case "migrate":
		err = migrate(ctx, args[1:], getenv, stdout, stderr)
	case "chat":
		err = chatCommand(ctx, args[1:], getenv, os.Stdin, stdout, stderr)
	case "user":
		err = userCommand(ctx, args[1:], getenv, os.Stdin, stdout, stderr)
	case "backup":
		err = backupCommand(ctx, args[1:], getenv, stdout, stderr)
	case "healthcheck":
		err = healthcheck(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "sala: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintln(stderr, "sala:", err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return err
	}
	m := NewMain(cfg, newLogger(cfg, stderr))
	if err := m.Run(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	m.Log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	return m.Close(shutdownCtx)
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return err
	}
	applied, err := store.Migrate(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d migration(s) applied\n", store.Describe(cfg.DatabaseURL, cfg.DataDir), len(applied))
	for _, name := range applied {
		fmt.Fprintln(stdout, "  ", name)
	}
	return nil
}
