package runnersim

import (
	"reflect"
	"testing"
)

func TestCommands(t *testing.T) {
	log := "plain\n  ::error file=a%2Cb.go,line=3::bad%0Athing\r" +
		"x ##[add-mask]s3cret\r\n" +
		"::stop-commands::tok\n::error::ignored\n##[warning]ignored\n::stop-commands::other\n::tok::\n" +
		"::warning::after\n:::: not a command\n##[] neither\n"
	var got []string
	for _, c := range Commands(log) {
		got = append(got, c.Name+"|"+c.Properties["file"]+"|"+c.Data)
	}
	want := []string{"error|a,b.go|bad\nthing", "add-mask||s3cret", "stop-commands||tok", "tok||", "warning||after"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestParseOutputFile(t *testing.T) {
	got, err := OutputMap("a=1\nb<<EOF\nx\n::error::y\nEOF\r\nEOF\nc=d<<e\nd<<e=f\nv\ne=f\n")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "1", "b": "x\n::error::y\nEOF\r", "c": "d<<e", "d": "v"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := ParseOutputFile("a<<EOF\nno end\n"); err == nil {
		t.Error("an unterminated block parsed")
	}
	if _, err := ParseOutputFile("just text\n"); err == nil {
		t.Error("a line of neither form parsed")
	}
}
