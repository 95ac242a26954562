package schema

import "strings"

// IsEmail reports whether s is an email address as LoopBack's User checks it (isemail, without
// DNS): a local part of dot-separated atoms, "@", and a domain of dot-separated labels. A
// single-label domain (local@com) is accepted, as in LoopBack.
func IsEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || len(s) > 254 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	return len(local) <= 64 && validLocal(local) && validDomain(domain)
}

// atomSpecials are the non-alphanumeric characters allowed in an unquoted local part.
const atomSpecials = "!#$%&'*+-/=?^_`{|}~"

// validLocal checks dot-separated atoms.
func validLocal(local string) bool {
	for _, atom := range strings.Split(local, ".") {
		if atom == "" {
			return false
		}
		for _, r := range atom {
			if !(isAlnum(r) || r > 127 || strings.ContainsRune(atomSpecials, r)) {
				return false
			}
		}
	}
	return true
}

// validDomain checks dot-separated labels of letters, digits and inner hyphens.
func validDomain(domain string) bool {
	if len(domain) > 253 {
		return false
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(isAlnum(r) || r == '-' || r > 127) {
				return false
			}
		}
	}
	return true
}

// isAlnum reports whether r is an ASCII letter or digit.
func isAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}
