package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/salachat/sala/backend/internal/auth"
	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store"
)

const userUsage = `Usage:
  sala user list                                    every account: login, name, created
  sala user reset-password [-password-stdin] LOGIN  set a new password (asked, or read from stdin)
  sala user delete [-yes] LOGIN                     delete an account and every message it sent or received

They work on the database directly (SALA_DATABASE_URL, or SQLite in
SALA_DATA_DIR), with the server running or not. Flags:
`

// userCommand is `sala user …`: account administration on the store.
func userCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sala user", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), userUsage); fs.PrintDefaults() }
	dbURL := fs.String("database-url", getenv("SALA_DATABASE_URL"), "postgres://… for PostgreSQL; empty for SQLite in the data dir (SALA_DATABASE_URL)")
	dataDir := fs.String("data-dir", envOr(getenv, "SALA_DATA_DIR", "./data"), "directory of the SQLite database (SALA_DATA_DIR)")
	passwordStdin := fs.Bool("password-stdin", false, "reset-password: read the new password from the first line of stdin")
	yes := fs.Bool("yes", false, "delete: do not ask for confirmation")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		fs.Usage()
		return flag.ErrHelp
	}
	sub, rest := rest[0], rest[1:]
	wantArgs := map[string]int{"list": 0, "reset-password": 1, "delete": 1}
	n, known := wantArgs[sub]
	if !known {
		return fmt.Errorf("sala user: unknown command %q (list, reset-password, delete)", sub)
	}
	if len(rest) != n {
		return fmt.Errorf("sala user %s: want %d argument(s), got %q", sub, n, rest)
	}
	st, err := openExistingStore(ctx, *dbURL, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	in := bufio.NewReader(stdin)
	switch sub {
	case "list":
		return listUsers(ctx, st, stdout)
	case "reset-password":
		return resetPassword(ctx, st, rest[0], *passwordStdin, stdin, in, stdout)
	default:
		return deleteUser(ctx, st, rest[0], *yes, in, stdout)
	}
}

// parseInterspersed parses flags placed before and after the positional
// arguments (`sala user delete bob -yes`), which flag.Parse alone stops at.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// openExistingStore opens the database like the server would, but refuses
// to create a new SQLite file: an admin command on a mistyped data dir
// should fail, not administer an empty database.
func openExistingStore(ctx context.Context, databaseURL, dataDir string) (chat.Store, error) {
	if databaseURL == "" {
		path := filepath.Join(dataDir, "sala.db")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no database at %s: set SALA_DATA_DIR (-data-dir) or SALA_DATABASE_URL (-database-url)", path)
		}
	}
	st, err := store.Open(ctx, databaseURL, dataDir, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", store.Describe(databaseURL, dataDir), err)
	}
	return st, nil
}

func listUsers(ctx context.Context, st chat.Store, stdout io.Writer) error {
	users, err := st.ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tNAME\tCREATED")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s %s\t%s\n", u.Login, u.FirstName, u.LastName, u.CreatedAt.UTC().Format("2006-01-02 15:04 MST"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d user(s)\n", len(users))
	return nil
}

// findUser looks a login up, with an error that names it.
func findUser(ctx context.Context, st chat.Store, login string) (chat.User, error) {
	u, _, err := st.UserByLogin(ctx, chat.NormalizeLogin(login))
	if chat.ErrorCode(err) == chat.EUserNotFound {
		return u, fmt.Errorf("no user with the login %q", login)
	}
	return u, err
}

func resetPassword(ctx context.Context, st chat.Store, login string, fromStdin bool, stdin io.Reader, in *bufio.Reader, stdout io.Writer) error {
	u, err := findUser(ctx, st, login)
	if err != nil {
		return err
	}
	var password string
	if fromStdin {
		password, err = readLine(in)
	} else {
		password, err = askNewPassword(u.Login, stdin, in, stdout)
	}
	if err != nil {
		return err
	}
	// The signup rule (account.SignupInput): 8–128 characters.
	if n := utf8.RuneCountInString(password); n < 8 || n > 128 {
		return fmt.Errorf("the password must have 8–128 characters (it has %d)", n)
	}
	hash, err := auth.HashPassword(password, auth.OWASPParams)
	if err != nil {
		return err
	}
	if err := st.SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password of %s changed (tokens already issued stay valid until they expire)\n", u.Login)
	return nil
}

// askNewPassword asks twice, without echo on a terminal.
func askNewPassword(login string, stdin io.Reader, in *bufio.Reader, stdout io.Writer) (string, error) {
	read := passwordReader(stdin)
	terminal := read != nil
	if !terminal {
		read = func() (string, error) { return readLine(in) }
	}
	ask := func(label string) (string, error) {
		fmt.Fprint(stdout, label)
		pw, err := read()
		if terminal {
			fmt.Fprintln(stdout) // the terminal did not echo the newline
		}
		return pw, err
	}
	pw, err := ask("New password for " + login + ": ")
	if err != nil {
		return "", err
	}
	again, err := ask("Again: ")
	if err != nil {
		return "", err
	}
	if pw != again {
		return "", errors.New("the two passwords differ; nothing changed")
	}
	return pw, nil
}

func deleteUser(ctx context.Context, st chat.Store, login string, yes bool, in *bufio.Reader, stdout io.Writer) error {
	u, err := findUser(ctx, st, login)
	if err != nil {
		return err
	}
	if !yes {
		fmt.Fprintf(stdout, "Delete %s (%s %s) and every message they sent or received? [y/N] ", u.Login, u.FirstName, u.LastName)
		answer, err := readLine(in)
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(stdout) // no answer, no newline typed
		} else if err != nil {
			return err
		}
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintln(stdout, "nothing deleted")
			return nil
		}
	}
	if err := st.DeleteUser(ctx, u.ID); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "deleted %s\n", u.Login)
	return nil
}

// readLine reads one line without its line ending; io.EOF if there is none.
func readLine(in *bufio.Reader) (string, error) {
	line, err := in.ReadString('\n')
	switch {
	case err == nil, errors.Is(err, io.EOF) && line != "":
		return strings.TrimRight(line, "\r\n"), nil
	case errors.Is(err, io.EOF):
		return "", fmt.Errorf("no input: %w", io.EOF)
	}
	return "", err
}
