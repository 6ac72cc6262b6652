package audit

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// dependabotFile is a parsed Dependabot configuration.
type dependabotFile struct {
	*sourceFile
	updates []dependabotUpdate
	// updatesAt is where "updates:" is written.
	updatesAt pos
}

// dependabotUpdate is one entry of "updates:".
type dependabotUpdate struct {
	node      *yaml.Node // the entry's mapping
	ecosystem *scalar    // package-ecosystem
	directory string     // directory, or the first of directories
	cooldown  *yaml.Node // the cooldown mapping, or nil
	// dirs are directory and every entry of directories.
	dirs []string
	// groups is the groups mapping, or nil.
	groups *yaml.Node
}

// parseDependabot reads the updates of a dependabot.yml with yaml.v3.
func parseDependabot(sf *sourceFile) *dependabotFile {
	df := &dependabotFile{sourceFile: sf}
	root, err := parseYAML(sf.src)
	if err != nil {
		p, msg := yamlErrorAt(sf.src, err)
		sf.addProblem(p, "yaml:"+msg, fmt.Sprintf("the Dependabot configuration is not valid YAML: %s; fix the syntax", msg))
		return df
	}
	root = deref(root)
	if root == nil || root.Kind != yaml.MappingNode {
		sf.addProblem(pos{1, 1}, "root-not-mapping", "the Dependabot configuration must be a mapping with \"version: 2\" and \"updates\"; fix the top level")
		return df
	}
	uk, updates := mappingValue(root, "updates")
	if uk != nil {
		df.updatesAt = nodePos(uk)
	}
	if updates == nil || updates.Kind != yaml.SequenceNode {
		sf.addProblem(nodePos(root), "missing-updates", "the Dependabot configuration has no \"updates\" list; add one entry per package ecosystem")
		return df
	}
	for _, n := range updates.Content {
		n = deref(n)
		if n == nil || n.Kind != yaml.MappingNode {
			continue
		}
		u := dependabotUpdate{node: n}
		_, eco := mappingValue(n, "package-ecosystem")
		u.ecosystem = scalarOf(eco)
		if _, d := mappingValue(n, "directory"); scalarOf(d) != nil {
			u.directory = d.Value
			u.dirs = append(u.dirs, d.Value)
		} else if _, ds := mappingValue(n, "directories"); ds != nil && ds.Kind == yaml.SequenceNode && len(ds.Content) > 0 {
			u.directory = deref(ds.Content[0]).Value
			for _, d := range ds.Content {
				if s := scalarOf(d); s != nil {
					u.dirs = append(u.dirs, s.value)
				}
			}
		}
		_, u.cooldown = mappingValue(n, "cooldown")
		_, u.groups = mappingValue(n, "groups")
		df.updates = append(df.updates, u)
	}
	return df
}

// at is where a finding about the update is placed: its ecosystem, or the
// entry itself.
func (u dependabotUpdate) at() pos {
	if u.ecosystem != nil {
		return u.ecosystem.pos
	}
	return nodePos(u.node)
}

// name is "ecosystem in directory" for messages.
func (u dependabotUpdate) name() string {
	eco := "?"
	if u.ecosystem != nil {
		eco = u.ecosystem.value
	}
	if u.directory != "" {
		return fmt.Sprintf("%q updates in %q", eco, u.directory)
	}
	return fmt.Sprintf("%q updates", eco)
}
