package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// maxPasswordBytes bounds what is read as a password from standard input.
const maxPasswordBytes = 4096

// readPassword reads a password: the first line of standard input with --password-stdin, else a
// prompt without echo when standard input is a terminal. It is never echoed or logged.
func (r *runner) readPassword(fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(io.LimitReader(r.stdin, maxPasswordBytes+1)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read the password from standard input: %w", err)
		}
		if len(line) > maxPasswordBytes {
			return "", fmt.Errorf("the password on standard input is longer than %d bytes", maxPasswordBytes)
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", errors.New("no password on standard input (--password-stdin reads its first line)")
		}
		return pw, nil
	}
	f, ok := r.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usagef("give the password on standard input with --password-stdin (passwords are never taken as arguments)")
	}
	read := func(prompt string) (string, error) {
		fmt.Fprint(r.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(r.stderr)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		return string(b), nil
	}
	pw, err := read("Password: ")
	if err != nil {
		return "", err
	}
	if pw == "" {
		return "", errors.New("empty password")
	}
	again, err := read("Repeat the password: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("the two passwords differ")
	}
	return pw, nil
}
