package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/salachat/sala/backend/internal/termchat"
)

// chatCommand is `sala chat`: the terminal client.
func chatCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sala chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: sala chat [-server URL] [-login LOGIN] [-signup]

A line-oriented chat in the terminal: each line typed is sent (# commands
work; #help lists them), each message arrives as "[time] login: text" in the
server's time. #exit, Ctrl-D or Ctrl-C leaves. The password is asked
(without echo on a terminal) unless SALA_PASSWORD is set.

`)
		fs.PrintDefaults()
	}
	server := fs.String("server", envOr(getenv, "SALA_SERVER", "http://localhost:8080"), "Sala server to talk to (SALA_SERVER)")
	login := fs.String("login", getenv("SALA_LOGIN"), "login; asked when empty (SALA_LOGIN)")
	signup := fs.Bool("signup", false, "create the account first, asking for its fields")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("sala chat: unexpected arguments %q", fs.Args())
	}
	return termchat.Run(ctx, termchat.Config{
		Server: *server, Login: *login, Password: getenv("SALA_PASSWORD"), Signup: *signup,
		In: stdin, Out: stdout, ReadPassword: passwordReader(stdin),
	})
}

// passwordReader reads a password without echo when stdin is a terminal;
// elsewhere (a pipe, a test) it returns nil and callers read a plain line.
func passwordReader(stdin io.Reader) func() (string, error) {
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func() (string, error) {
		pw, err := term.ReadPassword(int(f.Fd()))
		return string(pw), err
	}
}

// envOr is the environment variable name, or def when it is empty.
func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}
