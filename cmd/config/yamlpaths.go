package config

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// valueNode is a value in the parsed file with its key path, such as
// "accounts[2].schedule".
type valueNode struct {
	path string
	node *yaml.Node
}

// valueNodes lists every value of the document under root with its key
// path, parents before their children, in the order of the file. An alias
// is not followed (it may refer to itself).
func valueNodes(root *yaml.Node) []valueNode {
	if root == nil || len(root.Content) == 0 {
		return nil
	}
	var out []valueNode
	var walk func(path string, n *yaml.Node)
	walk = func(path string, n *yaml.Node) {
		if path != "" {
			out = append(out, valueNode{path, n})
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				key := n.Content[i].Value
				if path != "" {
					key = path + "." + key
				}
				walk(key, n.Content[i+1])
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(path+"["+strconv.Itoa(i)+"]", c)
			}
		}
	}
	walk("", root.Content[0])
	return out
}

// The YAML library's type error: "cannot unmarshal !!str `abc` into int"
// (the value cut to seven characters and "..." when longer than ten).
var unmarshalRE = regexp.MustCompile("^cannot unmarshal (!!\\w+)(?: `(.*)`)? into (.+)$")

// fieldOfLine names the key path of a problem the YAML library located
// only by its line: the value on that line whose tag (and, for a scalar,
// text) the message names (the innermost list or map), else the first
// value on that line; for a
// message without a tag (Duration's, Secret's) the first scalar on it. It
// returns "" when no value is on the line.
func fieldOfLine(values []valueNode, line int, msg string) string {
	var tag, text string
	if m := unmarshalRE.FindStringSubmatch(msg); m != nil {
		tag, text = m[1], m[2]
	}
	// A list or map decodes into any list or map, so the failing one is
	// the innermost on the line: the last in the order of the file.
	container := tag == "!!seq" || tag == "!!map"
	first, last := "", ""
	for _, v := range values {
		if v.node.Line != line {
			continue
		}
		if tag == "" { // a message of our own unmarshalers: the value is a scalar
			if v.node.Kind == yaml.ScalarNode {
				return v.path
			}
			continue
		}
		if first == "" {
			first = v.path
		}
		if v.node.ShortTag() != tag {
			continue
		}
		if container {
			last = v.path
			continue
		}
		if text == "" || text == v.node.Value ||
			(strings.HasSuffix(text, "...") && strings.HasPrefix(v.node.Value, strings.TrimSuffix(text, "..."))) {
			return v.path
		}
	}
	if last != "" {
		return last
	}
	return first
}
