package chat

import (
	"unicode/utf8"
)

// ValidateEmoji returns invalid_emoji unless s is exactly one emoji: one
// grapheme cluster of emoji, as a keyboard's emoji picker inserts it. Flags
// (two regional indicators, or a black flag with tags), keycaps (0–9, # or *
// with U+20E3), skin tones and ZWJ sequences are one emoji; letters, two
// emoji, and the empty string are not.
//
// The emoji code points are known by their blocks, not the Unicode
// Emoji property (the standard library has no table of it): a pictograph
// a future Unicode adds in those blocks is accepted, a symbol of those
// blocks that no platform draws as emoji is accepted too.
func ValidateEmoji(s string) error {
	if len(s) == 0 || len(s) > maxEmojiBytes || !utf8.ValidString(s) || !isOneEmoji([]rune(s)) {
		return Errorf(EInvalidEmoji, "a reaction is one emoji")
	}
	return nil
}

// maxEmojiBytes bounds a reaction: the longest emoji sequences (families,
// subdivision flags) take about 30 bytes.
const maxEmojiBytes = 64

const (
	zwj            = 0x200D
	variation16    = 0xFE0F // emoji presentation
	keycapMark     = 0x20E3
	blackFlag      = 0x1F3F4
	cancelTag      = 0xE007F
	regionalFirst  = 0x1F1E6
	regionalLast   = 0x1F1FF
	skinToneFirst  = 0x1F3FB
	skinToneLast   = 0x1F3FF
	tagFirst       = 0xE0020
	tagLast        = 0xE007E
	variation15    = 0xFE0E // text presentation: not an emoji then
	keycapBaseHash = '#'
)

// isOneEmoji parses rs as one emoji: an element, or elements joined by ZWJ.
func isOneEmoji(rs []rune) bool {
	n := emojiElement(rs)
	if n == 0 {
		return false
	}
	for rs = rs[n:]; len(rs) > 0; rs = rs[n:] {
		if rs[0] != zwj {
			return false
		}
		if n = emojiElement(rs[1:]); n == 0 {
			return false
		}
		n++ // the joiner
	}
	return true
}

// emojiElement returns how many runes at the start of rs make one emoji
// element (a flag, a keycap, a tag sequence, or a pictograph with its
// presentation selector and skin tone), 0 when none starts there.
func emojiElement(rs []rune) int {
	switch {
	case len(rs) == 0:
		return 0
	case isRegional(rs[0]):
		if len(rs) >= 2 && isRegional(rs[1]) {
			return 2
		}
		return 0
	case isKeycapBase(rs[0]):
		n := 1
		if n < len(rs) && rs[n] == variation16 {
			n++
		}
		if n < len(rs) && rs[n] == keycapMark {
			return n + 1
		}
		return 0
	case rs[0] == blackFlag && len(rs) > 1 && isTag(rs[1]):
		n := 1
		for n < len(rs) && isTag(rs[n]) {
			n++
		}
		if n < len(rs) && rs[n] == cancelTag {
			return n + 1
		}
		return 0
	case !isPictograph(rs[0]):
		return 0
	}
	n := 1
	if n < len(rs) && rs[n] == variation16 {
		n++
	} else if n < len(rs) && rs[n] == variation15 {
		return 0
	}
	if n < len(rs) && isSkinTone(rs[n]) {
		n++
	}
	return n
}

func isRegional(r rune) bool { return r >= regionalFirst && r <= regionalLast }
func isSkinTone(r rune) bool { return r >= skinToneFirst && r <= skinToneLast }
func isTag(r rune) bool      { return r >= tagFirst && r <= tagLast }
func isKeycapBase(r rune) bool {
	return r >= '0' && r <= '9' || r == keycapBaseHash || r == '*'
}

// pictographs are the ranges of code points that are emoji by themselves
// (with or without U+FE0F), inclusive.
var pictographs = [][2]rune{
	{0x00A9, 0x00A9}, {0x00AE, 0x00AE}, {0x203C, 0x203C}, {0x2049, 0x2049},
	{0x2122, 0x2122}, {0x2139, 0x2139}, {0x2194, 0x2199}, {0x21A9, 0x21AA},
	{0x231A, 0x231B}, {0x2328, 0x2328}, {0x23CF, 0x23CF}, {0x23E9, 0x23F3},
	{0x23F8, 0x23FA}, {0x24C2, 0x24C2}, {0x25AA, 0x25AB}, {0x25B6, 0x25B6},
	{0x25C0, 0x25C0}, {0x25FB, 0x25FE}, {0x2600, 0x27BF}, {0x2934, 0x2935},
	{0x2B05, 0x2B07}, {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55},
	{0x3030, 0x3030}, {0x303D, 0x303D}, {0x3297, 0x3297}, {0x3299, 0x3299},
	{0x1F000, 0x1F1E5}, // mahjong, cards, enclosed alphanumerics (🅰, 🆗)
	{0x1F200, 0x1F3FA}, // enclosed ideographs, pictographs up to the skin tones
	{0x1F400, 0x1FAFF}, // pictographs, emoticons, transport, supplemental
}

// isPictograph reports whether r is an emoji by itself; a skin tone alone
// is not (it modifies the emoji before it).
func isPictograph(r rune) bool {
	for _, p := range pictographs {
		if r >= p[0] && r <= p[1] {
			return true
		}
	}
	return false
}
