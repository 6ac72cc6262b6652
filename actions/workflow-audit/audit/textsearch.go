package audit

// indexFold returns the index of the first match of word in src at or
// after from, comparing ASCII letters without regard to case, or -1. It
// allocates nothing, unlike lower-casing a whole file to search it, which
// matters when every rule's cheap filter runs on every file.
func indexFold[T string | []byte](src T, word string, from int) int {
	if word == "" {
		return from
	}
	first := lowerASCII(word[0])
	for i := from; i+len(word) <= len(src); i++ {
		if lowerASCII(src[i]) != first {
			continue
		}
		j := 1
		for j < len(word) && lowerASCII(src[i+j]) == lowerASCII(word[j]) {
			j++
		}
		if j == len(word) {
			return i
		}
	}
	return -1
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
