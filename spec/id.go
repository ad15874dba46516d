package spec

import (
	"errors"
	"fmt"
)

// ErrInvalidID is wrapped by every error ValidateID returns.
var ErrInvalidID = errors.New("invalid container ID")

// MaxIDLength is the longest container ID accepted, in bytes.
const MaxIDLength = 1024

// ValidateID checks a container ID. A valid ID is 1 to MaxIDLength bytes
// of ASCII letters, digits, '_', '+', '-' and '.', and is not "." or "..";
// it is therefore a safe single path component (the state directory is
// named after it) and is accepted by libcontainer. Errors wrap
// ErrInvalidID and say which rule failed.
func ValidateID(id string) error {
	fail := func(why string) error {
		return fmt.Errorf("%w %s: %s", ErrInvalidID, quoteID(id), why)
	}
	switch {
	case id == "":
		return fmt.Errorf("%w: it is empty; give a name such as mycontainer", ErrInvalidID)
	case len(id) > MaxIDLength:
		return fail(fmt.Sprintf("it is %d bytes long, the limit is %d", len(id), MaxIDLength))
	case id == "." || id == "..":
		return fail(`"." and ".." are not allowed`)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '+', c == '-', c == '.':
			continue
		case c == '/':
			return fail("it contains '/'; an ID is a single path component")
		}
		return fail(fmt.Sprintf("character %q at byte %d is not allowed; use letters, digits, '_', '+', '-' and '.'", rune(c), i))
	}
	return nil
}

// quoteID quotes an ID for an error, shortened so that a huge one does not
// flood the terminal.
func quoteID(id string) string {
	const keep = 64
	if len(id) <= keep {
		return fmt.Sprintf("%q", id)
	}
	return fmt.Sprintf("%q...", id[:keep])
}
