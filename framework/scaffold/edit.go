package scaffold

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// project is an existing Loopgo project: the directory holding models/model-config.yaml.
type project struct {
	dir    string
	models string // dir/models
}

// openProject finds the project at dir.
func openProject(dir string) (*project, error) {
	if dir == "" {
		dir = "."
	}
	models := filepath.Join(dir, "models")
	if _, err := os.Stat(filepath.Join(models, "model-config.yaml")); err != nil {
		return nil, fmt.Errorf("%s is not a Loopgo project: models/model-config.yaml is missing (run it in the project's directory, or give --dir)", dir)
	}
	return &project{dir: dir, models: models}, nil
}

// modelConfigPath is models/model-config.yaml.
func (p *project) modelConfigPath() string { return filepath.Join(p.models, "model-config.yaml") }

// modelFiles lists the model YAML files (model-config.yaml excluded), sorted.
func (p *project) modelFiles() ([]string, error) {
	entries, err := os.ReadDir(p.models)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !(strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			continue
		}
		if strings.TrimSuffix(strings.TrimSuffix(n, ".yml"), ".yaml") == "model-config" {
			continue
		}
		out = append(out, filepath.Join(p.models, n))
	}
	sort.Strings(out)
	return out, nil
}

// modelFile returns the file whose top-level name: is model, or "" when no file defines it.
func (p *project) modelFile(model string) (string, error) {
	files, err := p.modelFiles()
	if err != nil {
		return "", err
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		root, err := parseMapping(src)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f, err)
		}
		if _, v, _ := lookup(root, "name"); v != nil && v.Value == model {
			return f, nil
		}
	}
	return "", nil
}

// parseMapping parses YAML whose document is a mapping (an empty document is an empty mapping).
func parseMapping(src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode}, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errors.New("the document is not a mapping")
	}
	return root, nil
}

// lookup finds key in mapping m: its key and value nodes and its index among the keys.
func lookup(m *yaml.Node, key string) (*yaml.Node, *yaml.Node, int) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1], i / 2
		}
	}
	return nil, nil, -1
}

// blockEnd returns the 1-based line where the value of the i-th key of mapping m ends (the
// line after it): the next key's line, else end.
func blockEnd(m *yaml.Node, i, end int) int {
	if 2*(i+1) < len(m.Content) {
		return m.Content[2*(i+1)].Line
	}
	return end
}

// insertLines inserts text (whole lines) before the 1-based line at, first stepping back over
// the blank lines and the comments at or left of column keyCol (0-based) that precede it: they
// belong to what follows.
func insertLines(src []byte, at, keyCol int, text string) []byte {
	lines := strings.Split(string(src), "\n")
	trailingNL := len(lines) > 0 && lines[len(lines)-1] == ""
	if trailingNL {
		lines = lines[:len(lines)-1]
	}
	idx := min(at-1, len(lines)) // 0-based index of the line to insert before
	for idx > 0 {
		l := lines[idx-1]
		t := strings.TrimSpace(l)
		if t == "" || (strings.HasPrefix(t, "#") && len(l)-len(strings.TrimLeft(l, " ")) <= keyCol) {
			idx--
			continue
		}
		break
	}
	add := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	out := append(append(append([]string{}, lines[:idx]...), add...), lines[idx:]...)
	return []byte(strings.Join(out, "\n") + "\n")
}

// appendSeqItem adds item (a one-line flow value) at the end of the block sequence under key
// in mapping m, whose keys sit at column keyCol and whose block ends before line end; the key
// is added when absent.
func appendSeqItem(src []byte, m *yaml.Node, key, item string, keyCol, end int) ([]byte, error) {
	k, v, i := lookup(m, key)
	pad := strings.Repeat(" ", keyCol)
	if k == nil {
		return insertLines(src, end, keyCol, pad+key+":\n"+pad+"  - "+item), nil
	}
	switch {
	case v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle != 0:
		return nil, fmt.Errorf("line %d: %s is written as a flow list [...]; write it as a block list (one '- ' item per line) to add to it", k.Line, key)
	case v.Kind == yaml.SequenceNode && len(v.Content) > 0:
		dash := strings.Repeat(" ", max(v.Content[0].Column-3, 0))
		return insertLines(src, blockEnd(m, i, end), keyCol, dash+"- "+item), nil
	case v.Kind == yaml.SequenceNode || (v.Kind == yaml.ScalarNode && v.Tag == "!!null"):
		if v.Kind == yaml.ScalarNode && v.Value != "" {
			return nil, fmt.Errorf("line %d: %s: %s is not a list", k.Line, key, v.Value)
		}
		return insertLines(src, blockEnd(m, i, end), keyCol, pad+"  - "+item), nil
	}
	return nil, fmt.Errorf("line %d: %s is not a list", k.Line, key)
}

// appendMapEntry adds entry (lines indented for a key at column 0) at the end of the block
// mapping under key in mapping m, as appendSeqItem does for lists.
func appendMapEntry(src []byte, m *yaml.Node, key, name, entry string, keyCol, end int) ([]byte, error) {
	k, v, i := lookup(m, key)
	indentBy := func(col int) string {
		lines := strings.Split(strings.TrimSuffix(entry, "\n"), "\n")
		for j, l := range lines {
			lines[j] = strings.Repeat(" ", col) + l
		}
		return strings.Join(lines, "\n")
	}
	if k == nil {
		return insertLines(src, end, keyCol, strings.Repeat(" ", keyCol)+key+":\n"+indentBy(keyCol+2)), nil
	}
	switch {
	case v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle != 0:
		return nil, fmt.Errorf("line %d: %s is written as a flow mapping {...}; write it as a block mapping to add to it", k.Line, key)
	case v.Kind == yaml.MappingNode && len(v.Content) > 0:
		if ek, _, _ := lookup(v, name); ek != nil {
			return nil, fmt.Errorf("line %d: %s already has %s", ek.Line, key, name)
		}
		return insertLines(src, blockEnd(m, i, end), keyCol, indentBy(v.Content[0].Column-1)), nil
	case v.Kind == yaml.MappingNode || (v.Kind == yaml.ScalarNode && v.Tag == "!!null" && v.Value == ""):
		return insertLines(src, blockEnd(m, i, end), keyCol, indentBy(keyCol+2)), nil
	}
	return nil, fmt.Errorf("line %d: %s is not a mapping", k.Line, key)
}

// lineCount is the number of lines of src plus one: the end of its last block.
func lineCount(src []byte) int { return bytes.Count(src, []byte("\n")) + 2 }

// yamlScalar writes s as a plain YAML scalar when that reads back as the same string, else
// double-quoted (JSON string syntax, which is valid YAML).
func yamlScalar(s string) string {
	if s != "" && !strings.ContainsAny(s, ",[]{}#&*!|>'\"%@`:\\") {
		var doc yaml.Node
		if yaml.Unmarshal([]byte("v: "+s), &doc) == nil && len(doc.Content) == 1 && len(doc.Content[0].Content) == 2 {
			if v := doc.Content[0].Content[1]; v.Tag == "!!str" && v.Value == s {
				return s
			}
		}
	}
	b, _ := json.Marshal(s)
	return string(b)
}
