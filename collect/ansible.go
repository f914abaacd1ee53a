package collect

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
)

// AddAnsible reads one JSON file Ansible wrote: a host's file of
// `ansible … --tree DIR` (an ios_command result, whose stdout holds the
// outputs, or an ios_facts result, whose ansible_facts hold the facts), or
// a file holding a host's ansible_facts alone. Without a hostname in what
// it holds, the file's name is taken as the host's, as --tree names it. ios_facts says nothing of
// the license level: with facts alone a device is named as skipped, with
// what to collect.
func (im *Importer) AddAnsible(source string, data []byte) error {
	if len(data) > MaxInput {
		return fmt.Errorf("%s: larger than %d bytes", source, MaxInput)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	s := &seen{}
	if raw, ok := doc["stdout"]; ok {
		var outs []string
		if err := json.Unmarshal(raw, &outs); err != nil {
			return fmt.Errorf("%s: stdout: %w", source, err)
		}
		for _, out := range outs {
			for _, line := range strings.Split(out, "\n") {
				s.read(strings.TrimSpace(line))
			}
		}
	}
	facts := doc
	if raw, ok := doc["ansible_facts"]; ok {
		facts = nil
		if err := json.Unmarshal(raw, &facts); err != nil {
			return fmt.Errorf("%s: ansible_facts: %w", source, err)
		}
	}
	str := func(key string) string {
		var v string
		json.Unmarshal(facts[key], &v)
		return v
	}
	list := func(key string) []string {
		var v []string
		json.Unmarshal(facts[key], &v)
		return v
	}
	if h := str("ansible_net_hostname"); h != "" && s.host == "" {
		s.host = h
	}
	if v := str("ansible_net_version"); v != "" && s.version == "" {
		s.version = v
	}
	if models, serials := list("ansible_net_stacked_models"), list("ansible_net_stacked_serialnums"); len(s.models) == 0 && len(models) > 0 {
		s.models, s.serials = models, serials
	} else if m := str("ansible_net_model"); len(s.models) == 0 && m != "" {
		s.models, s.serials = []string{m}, []string{str("ansible_net_serialnum")}
	}
	if s.host == "" && !s.empty() {
		// ansible --tree names each file after the inventory host.
		s.host = strings.TrimSuffix(filepath.Base(source), filepath.Ext(source))
	}
	if s.empty() && s.host == "" {
		return fmt.Errorf("%s: neither ios_command outputs nor ios_facts", source)
	}
	s.factsOnly = s.level == "" && len(doc["stdout"]) == 0
	im.add(source, s)
	return nil
}
