package chat

import (
	"strings"
	"testing"
)

func TestValidateEmoji(t *testing.T) {
	one := map[string]string{
		"thumbs up":               "👍",
		"with a skin tone":        "👍🏽",
		"flag":                    "🇪🇸",
		"subdivision flag":        "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
		"keycap":                  "1️⃣",
		"keycap without selector": "#⃣",
		"heart with selector":     "❤️",
		"heart without selector":  "❤",
		"family (ZWJ)":            "👨‍👩‍👧",
		"ZWJ with skin tones":     "🧑🏻‍🤝‍🧑🏿",
		"rainbow flag":            "🏳️‍🌈",
		"check mark":              "✅",
		"face":                    "😂",
		"registered sign":         "®️",
		"newest block":            "🫠",
	}
	for name, s := range one {
		if err := ValidateEmoji(s); err != nil {
			t.Errorf("%s %q: %v", name, s, err)
		}
	}
	notOne := map[string]string{
		"empty":                  "",
		"a letter":               "a",
		"a word":                 "ok",
		"a digit":                "1",
		"two emoji":              "👍👍",
		"emoji and a letter":     "👍a",
		"emoji and a space":      "👍 ",
		"one regional indicator": "🇪",
		"two flags":              "🇪🇸🇫🇷",
		"a dangling joiner":      "👨‍",
		"a joiner alone":         "\u200d",
		"a skin tone alone":      "🏽",
		"text presentation":      "❤︎",
		"a tag sequence unended": "🏴\U000E0067\U000E0062",
		"long text":              strings.Repeat("👍", 40),
		"invalid UTF-8":          "\xff",
		"a CJK character":        "中",
	}
	for name, s := range notOne {
		if err := ValidateEmoji(s); ErrorCode(err) != EInvalidEmoji {
			t.Errorf("%s %q: got %v, want invalid_emoji", name, s, err)
		}
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("é", 150)
	if got := Snippet(long); got != strings.Repeat("é", 100) {
		t.Errorf("Snippet of 150 characters kept %d bytes", len(got))
	}
	if got := Snippet("short"); got != "short" {
		t.Errorf("Snippet(short) = %q", got)
	}
}
