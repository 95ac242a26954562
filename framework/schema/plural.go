package schema

import "strings"

// Plural returns the English plural of a model name, keeping its case as LoopBack does:
// Note -> Notes, Category -> Categories, Key -> Keys, Box -> Boxes, Church -> Churches.
func Plural(name string) string {
	lower := strings.ToLower(name)
	switch {
	case name == "":
		return ""
	case strings.HasSuffix(lower, "y") && len(lower) > 1 && !strings.ContainsRune("aeiou", rune(lower[len(lower)-2])):
		return name[:len(name)-1] + "ies"
	case strings.HasSuffix(lower, "s"), strings.HasSuffix(lower, "x"), strings.HasSuffix(lower, "z"),
		strings.HasSuffix(lower, "ch"), strings.HasSuffix(lower, "sh"):
		return name + "es"
	}
	return name + "s"
}
