package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// chartS4 draws S4's steps as an SVG: p50 and p99 latency (log scale)
// against deliveries/s, the p99 limit as a line, passing steps filled.
// Hand-written SVG: no plotting library, no network.
func chartS4(r *Result) []byte {
	const (
		w, h                   = 720, 420
		left, right, top, bott = 70, 20, 40, 50
		minMs, maxMs           = 1.0, 10000.0
	)
	steps := append([]Step(nil), r.Steps...)
	sort.Slice(steps, func(i, j int) bool { return steps[i].DeliveriesPerSec < steps[j].DeliveriesPerSec })
	maxX := targetS4Deliveries
	for _, s := range steps {
		maxX = math.Max(maxX, s.DeliveriesPerSec)
	}
	maxX = niceCeil(maxX * 1.05)
	px := func(x float64) float64 { return left + (w-left-right)*x/maxX }
	py := func(ms float64) float64 {
		ms = math.Min(math.Max(ms, minMs), maxMs)
		return top + (h-top-bott)*(1-(math.Log10(ms)-math.Log10(minMs))/(math.Log10(maxMs)-math.Log10(minMs)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", w, h)
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="14" font-weight="bold">S4: latency against deliveries/s (%d clients in one room, %d-byte messages)</text>`+"\n", left, r.Conns, r.Size)
	for ms := minMs; ms <= maxMs; ms *= 10 { // y grid, log scale
		y := py(ms)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%g ms</text>`+"\n",
			left, y, w-right, y, left-6, y+4, ms)
	}
	step := maxX / 5
	for x := 0.0; x <= maxX+1; x += step { // x grid
		X := px(x)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/><text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n",
			X, top, X, h-bott, X, h-bott+16, shortNumber(x))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">deliveries per second</text>`+"\n", (left+w-right)/2, h-12)
	fmt.Fprintf(&b, `<text x="16" y="%d" transform="rotate(-90 16 %d)" text-anchor="middle">latency (send → receive)</text>`+"\n", (top+h-bott)/2, (top+h-bott)/2)
	// Limits: p99 ≤ 100 ms, and the deliveries/s target.
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#c00" stroke-dasharray="6 4"/><text x="%d" y="%.1f" fill="#c00" text-anchor="end">p99 limit %g ms</text>`+"\n",
		left, py(targetS4P99ms), w-right, py(targetS4P99ms), w-right-4, py(targetS4P99ms)-5, targetS4P99ms)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c00" stroke-dasharray="2 4"/><text x="%.1f" y="%d" fill="#c00" text-anchor="end">target %s/s</text>`+"\n",
		px(targetS4Deliveries), top, px(targetS4Deliveries), h-bott, px(targetS4Deliveries)-4, top+12, shortNumber(targetS4Deliveries))
	series := func(name, color string, val func(Step) float64) {
		var pts []string
		for _, s := range steps {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(s.DeliveriesPerSec), py(val(s))))
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1.5"/>`+"\n", strings.Join(pts, " "), color)
		for _, s := range steps {
			fill := "white"
			if s.OK {
				fill = color
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s" stroke="%s"><title>%s: %.0f deliveries/s, %.1f ms</title></circle>`+"\n",
				px(s.DeliveriesPerSec), py(val(s)), fill, color, name, s.DeliveriesPerSec, val(s))
		}
	}
	series("p99", "#1f5fbf", func(s Step) float64 { return s.P99ms })
	series("p50", "#2a9d4b", func(s Step) float64 { return s.P50ms })
	fmt.Fprintf(&b, `<g transform="translate(%d,%d)"><circle cx="0" cy="0" r="4" fill="#1f5fbf"/><text x="8" y="4">p99</text><circle cx="50" cy="0" r="4" fill="#2a9d4b"/><text x="58" y="4">p50</text><circle cx="100" cy="0" r="4" fill="white" stroke="#555"/><text x="108" y="4">step failed (p99 over the limit, or loss)</text></g>`+"\n", left+10, top+10)
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

// niceCeil rounds x up to 1, 2 or 5 times a power of ten.
func niceCeil(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

func shortNumber(x float64) string {
	switch {
	case x >= 1e6:
		return fmt.Sprintf("%gM", math.Round(x/1e5)/10)
	case x >= 1e3:
		return fmt.Sprintf("%gk", math.Round(x/1e2)/10)
	}
	return fmt.Sprintf("%g", x)
}
