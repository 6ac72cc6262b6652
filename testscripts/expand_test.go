package testscripts

import (
	"reflect"
	"testing"
	"time"
)

func TestExpandText(t *testing.T) {
	env := map[string]string{"DATE_PLUS_30": "2026-02-14", "X_1": "x"}
	getenv := func(k string) string { return env[k] }
	in := "expires: ${DATE_PLUS_30}\nrun: echo ${{ github.sha }} $HOME ${home} ${X_1}${X_1}\nref: ${NOPE} ${ALSO_NOPE}\n"
	out, missing := expandText(in, getenv)
	want := "expires: 2026-02-14\nrun: echo ${{ github.sha }} $HOME ${home} xx\nref:  \n"
	if out != want {
		t.Errorf("expandText =\n%q\nwant\n%q", out, want)
	}
	if !reflect.DeepEqual(missing, []string{"NOPE", "ALSO_NOPE"}) {
		t.Errorf("missing = %v", missing)
	}
}

func TestDateVars(t *testing.T) {
	// 23:30 in UTC-5 on 31 Dec 2025 is already 2026 in UTC.
	got := dateVars(time.Date(2025, 12, 31, 23, 30, 0, 0, time.FixedZone("EST", -5*3600)))
	want := map[string]string{
		"TODAY": "2026-01-01", "DATE_MINUS_1": "2025-12-31", "DATE_PLUS_30": "2026-01-31",
		"DATE_PLUS_60": "2026-03-02", "DATE_PLUS_200": "2026-07-20",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dateVars = %v, want %v", got, want)
	}
}
