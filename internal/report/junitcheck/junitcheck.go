// Package junitcheck checks JUnit XML against the rules of the schema CI
// servers use (Jenkins' junit-10.xsd, kept in internal/report/testdata), in
// Go, for the tests of the packages that write JUnit. The tests also run
// xmllint against the schema file itself where it is installed.
package junitcheck

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
)

// junitSchema is junit-10.xsd as data: for each element, its attributes
// (true when required) and the children it may hold.
var junitSchema = map[string]struct {
	attrs    map[string]bool
	children []string
	text     bool
}{
	"testsuites": {attrs: map[string]bool{"name": false, "time": false, "tests": false, "failures": false, "errors": false},
		children: []string{"testsuite"}},
	"testsuite": {attrs: map[string]bool{"name": true, "tests": true, "failures": true, "errors": true, "group": false,
		"time": false, "skipped": false, "timestamp": false, "hostname": false, "id": false, "package": false,
		"file": false, "log": false, "url": false},
		children: []string{"testsuite", "properties", "testcase", "system-out", "system-err"}},
	"properties": {children: []string{"property"}},
	"property":   {attrs: map[string]bool{"name": true, "value": true}},
	"testcase": {attrs: map[string]bool{"name": true, "time": false, "classname": false, "group": false},
		children: []string{"skipped", "error", "failure", "system-out", "system-err"}},
	"failure":    {attrs: map[string]bool{"type": false, "message": false}, text: true},
	"error":      {attrs: map[string]bool{"type": false, "message": false}, text: true},
	"skipped":    {attrs: map[string]bool{"type": false, "message": false}, text: true},
	"system-out": {text: true},
	"system-err": {text: true},
}

var surefireTime = regexp.MustCompile(`^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$`)

// Check is the schema's rules checked in Go: the root element,
// which children and attributes each element may have, the required
// attributes, and the time pattern on testsuites and testsuite.
func Check(doc []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var stack []string
	root := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("not well-formed XML: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := tok.Name.Local
			rule, known := junitSchema[name]
			if !known {
				return fmt.Errorf("element <%s> is not in the schema", name)
			}
			if root && name != "testsuites" {
				return fmt.Errorf("root element is <%s>, want <testsuites>", name)
			}
			root = false
			if n := len(stack); n > 0 {
				parent := junitSchema[stack[n-1]]
				if !slices.Contains(parent.children, name) {
					return fmt.Errorf("<%s> may not hold <%s>", stack[n-1], name)
				}
			}
			seen := map[string]bool{}
			for _, a := range tok.Attr {
				if _, ok := rule.attrs[a.Name.Local]; !ok {
					return fmt.Errorf("<%s> has attribute %q, which the schema does not declare", name, a.Name.Local)
				}
				seen[a.Name.Local] = true
				if a.Name.Local == "time" && (name == "testsuites" || name == "testsuite") && !surefireTime.MatchString(a.Value) {
					return fmt.Errorf("<%s> time %q does not match the schema's time pattern", name, a.Value)
				}
			}
			for _, a := range slices.Sorted(maps.Keys(rule.attrs)) {
				if rule.attrs[a] && !seen[a] {
					return fmt.Errorf("<%s> needs attribute %q", name, a)
				}
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if n := len(stack); n > 0 && !junitSchema[stack[n-1]].text && len(bytes.TrimSpace(tok)) > 0 {
				return fmt.Errorf("<%s> holds text, which the schema does not allow", stack[n-1])
			}
		}
	}
	if root {
		return fmt.Errorf("no root element")
	}
	return nil
}
