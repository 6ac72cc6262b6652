package actions

import (
	"encoding/json"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
