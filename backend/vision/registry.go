package vision

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// kind is a processor the chain can build.
type kind struct {
	Info
	build func(params) (Processor, error)
	// check validates parameters beyond their ranges (for example, odd sizes).
	check func(params) error
}

// kinds lists every processor, in the order the desktop app offers them.
func kinds() []kind {
	return []kind{
		{Info: Info{Name: "gray", Title: "Grayscale"}, build: newGray},
		{Info: Info{Name: "blur", Title: "Gaussian blur", Params: []Param{
			{Name: "size", Title: "Kernel size (odd)", Min: 1, Max: 99, Step: 2, Default: 9},
		}}, build: newBlur, check: checkOdd("size")},
		{Info: Info{Name: "canny", Title: "Canny edges", Params: []Param{
			{Name: "low", Title: "Low threshold", Min: 0, Max: 500, Step: 1, Default: 50},
			{Name: "high", Title: "High threshold", Min: 0, Max: 500, Step: 1, Default: 150},
		}}, build: newCanny},
		{Info: Info{Name: "faces", Title: "Face detection", Params: []Param{
			{Name: "detectWidth", Title: "Detect at width (px)", Min: 160, Max: 1920, Step: 10, Default: 320},
			{Name: "minNeighbors", Title: "Min neighbours", Min: 1, Max: 20, Step: 1, Default: 5},
			{Name: "minSize", Title: "Min face size (px)", Min: 10, Max: 1000, Step: 1, Default: 40},
		}}, build: newFaces},
		{Info: Info{Name: "motion", Title: "Motion detection", Params: []Param{
			{Name: "minArea", Title: "Min area (px²)", Min: 1, Max: 1_000_000, Step: 50, Default: 500},
			{Name: "varThreshold", Title: "Background variance threshold", Min: 1, Max: 255, Step: 1, Default: 16},
			{Name: "history", Title: "Background history (frames)", Min: 2, Max: 5000, Step: 10, Default: 300},
		}}, build: newMotion},
		{Info: Info{Name: "overlay", Title: "Draw boxes on the frame"}, build: newOverlay},
		{Info: Info{Name: "clock", Title: "Timestamp and fps"}, build: newClock},
	}
}

// Available describes every processor, for the desktop app's picker.
func Available() []Info {
	ks := kinds()
	out := make([]Info, len(ks))
	for i, k := range ks {
		out[i] = k.Info
		if out[i].Params == nil {
			out[i].Params = []Param{} // [] rather than null for the window
		}
	}
	return out
}

func find(name string) (kind, error) {
	var names []string
	for _, k := range kinds() {
		if k.Name == name {
			return k, nil
		}
		names = append(names, k.Name)
	}
	return kind{}, fmt.Errorf("unknown processor %q (choose from %s)", name, strings.Join(names, ", "))
}

// resolve validates an item and returns its kind and full parameters.
func resolve(it Item) (kind, params, error) {
	k, err := find(it.Name)
	if err != nil {
		return k, nil, err
	}
	p := params{}
	for _, d := range k.Params {
		p[d.Name] = d.Default
	}
	for name, v := range it.Params {
		var def *Param
		for i := range k.Params {
			if k.Params[i].Name == name {
				def = &k.Params[i]
			}
		}
		switch {
		case def == nil:
			return k, nil, fmt.Errorf("%s: unknown parameter %q", it.Name, name)
		case math.IsNaN(v) || v < def.Min || v > def.Max:
			return k, nil, fmt.Errorf("%s %s %v: must be from %v to %v", it.Name, name, v, def.Min, def.Max)
		}
		p[name] = v
	}
	if k.check != nil {
		if err := k.check(p); err != nil {
			return k, nil, fmt.Errorf("%s: %w", it.Name, err)
		}
	}
	return k, p, nil
}

func checkOdd(name string) func(params) error {
	return func(p params) error {
		if p.int(name)%2 == 0 || float64(p.int(name)) != p[name] {
			return fmt.Errorf("%s %v: must be an odd whole number", name, p[name])
		}
		return nil
	}
}

// Validate checks a chain without building it.
func Validate(items []Item) error {
	var errs []error
	for _, it := range items {
		if _, _, err := resolve(it); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ParseChain reads a chain as the command line gives it:
// "faces,blur:size=15,motion:minArea=800:threshold=30".
func ParseChain(s string) ([]Item, error) {
	var items []Item
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		fields := strings.Split(part, ":")
		it := Item{Name: fields[0]}
		for _, kv := range fields[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("processor %q: parameter %q is not name=value", it.Name, kv)
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fmt.Errorf("processor %q: parameter %s=%q is not a number", it.Name, k, v)
			}
			if it.Params == nil {
				it.Params = map[string]float64{}
			}
			it.Params[k] = f
		}
		items = append(items, it)
	}
	return items, Validate(items)
}

// FormatChain writes a chain in the form ParseChain reads.
func FormatChain(items []Item) string {
	parts := make([]string, len(items))
	for i, it := range items {
		keys := make([]string, 0, len(it.Params))
		for k := range it.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts[i] = it.Name
		for _, k := range keys {
			parts[i] += ":" + k + "=" + strconv.FormatFloat(it.Params[k], 'g', -1, 64)
		}
	}
	return strings.Join(parts, ",")
}
